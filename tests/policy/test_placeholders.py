"""The placeholder filter every rule gets: templates, masks and look-ups are not literal values."""

from __future__ import annotations

import pytest

from cavra_safety.policy.placeholders import is_placeholder


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "<tenant-id>",
        "<YOUR KEY>",
        "${TENANT_ID}",
        "${DB_PASSWORD:-x}",
        "$TENANT_ID",
        "%TENANT_ID%",
        "{{ tenant_id }}",
        "{{secrets.KEY}}",
        "{tenant}",
        "[tenant id]",
        "xxxxxxxx",
        "********",
        "00000000",
        "XXXX-XXXX-XXXX",
        "0000-0000-0000-0000",
        "YOUR_LICENSE_KEY",
        "your-api-key",
        "my-example-key",
        "Placeholder123",
        "CHANGEME",
        "change_me_now",
        "[REDACTED]",
        "redacted-value",
        "None",
        "null",
        "undefined",
        "str",
        "https://<tenant>.okta.com",
        "https://{tenant}.okta.com/oauth2",
        "postgres://app:${DB_PASSWORD}@db",
        "https://{{ host }}/hook",
        "sk_" + "live_" + "x" * 24,
        "os.environ['TENANT_ID']",
        "os.getenv('TENANT_ID')",
        "process.env.TENANT_ID",
        "import.meta.env.VITE_TENANT",
        "ENV['TENANT_ID']",
        'getenv("TENANT_ID")',
        "settings.TENANT_ID",
        "env('TENANT_ID')",
    ],
)
def test_placeholders_are_ignored(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize(
    "value",
    [
        "acme-" + "prod-7731",
        "GZ7q2LmP9x",
        "ops@acme.test",
        "a1b2c3d4",
        "settings.acme.internal",
        "Pa$sw0rd-77",
        "x1",
        "42",
        "https://login.acme.internal/realm",
        "abc%C3%A9def",
        "aaaaab",
    ],
)
def test_literal_values_are_kept(value: str) -> None:
    assert not is_placeholder(value)
