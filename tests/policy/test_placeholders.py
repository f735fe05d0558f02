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
        # trivial test data
        "token1",
        "secret",
        "MySecret",
        "test-password",
        "dummy_token",
        "fake_key_2",
        "password123",
        "changeit",
        "letmein",
        "12345678",
        "0123456789",
        "abcdef",
        "ABCD-1234",
        "9876543210",
        "121212",
        "abcabcabc",
        # providers' documented examples, built at run time
        "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc",
        "pk_test_" + "6pRNASCoBOKtIshFeQd4XMUh",
        "gho_" + "16C7e42F292c6912E7710c838347Ae178B4a",
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
        # near misses of the trivial shapes
        "token1x7Q",
        "tenant1",
        "secretariat",
        "1234",
        "12345",
        "abc123",
        "abcd1735",
        "121312",
        "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dC",
    ],
)
def test_literal_values_are_kept(value: str) -> None:
    assert not is_placeholder(value)
