"""Nested keys in YAML and JSON: a key under ``stripe:`` / ``"billing": {`` (or ``webhooks``, ``license``) is
reported under that category, once, at the value's place; what is not nested under such a key is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from view_scan import build_engine, scan_file, the_one_finding_at_the_value, token

from cavra_safety.pipeline.engine import Engine

BILLING = ("policy/billing-secret-assignment", "billing-secret")
WEBHOOK = ("policy/webhook-secret-assignment", "webhook-secret")

# (path, text with {v} where the value goes, expected rule and category)
POSITIVES = [
    ("config/secrets.yml", "production:\n  stripe:\n    secret_key: {v}\n", BILLING),
    ("deploy/values.yaml", 'billing:\n  provider: adyen\n  apiKey: "{v}"  # live\n', BILLING),
    ("deploy/values.yaml", "payments:\n  providers:\n    - name: paypal\n      client_secret: '{v}'\n", BILLING),
    ("config/app.yaml", "webhooks:\n  github:\n    secret: {v}\n", WEBHOOK),
    ("config/settings.json", '{{\n  "billing": {{\n    "region": "eu",\n    "secretKey": "{v}"\n  }}\n}}\n', BILLING),
    (
        "config/settings.json",
        '{{\n  "webhooks": [\n    {{\n      "url": "/hook",\n      "secret": "{v}"\n    }}\n  ]\n}}\n',
        WEBHOOK,
    ),
]

NEGATIVES = [
    # not under a billing, webhook or licence key
    ("config/secrets.yml", "production:\n  database:\n    password_hint: {v}\n"),
    # the billing key closed before the value's key
    ("deploy/values.yaml", "billing:\n  provider: adyen\ncache:\n  api_key: {v}\n"),
    (
        "config/settings.json",
        '{{\n  "billing": {{\n    "region": "eu"\n  }},\n  "cache": {{\n    "apiKey": "{v}"\n  }}\n}}\n',
    ),
    # a value from the environment, and a placeholder
    ("deploy/values.yaml", "stripe:\n  secret_key: ${{STRIPE_SECRET_KEY}}\n"),
    ("deploy/values.yaml", "stripe:\n  secret_key: <your-stripe-secret-key>\n"),
    # a lockfile's keys are the machine's
    ("web/package-lock.json", '{{\n  "billing": {{\n    "secretKey": "{v}"\n  }}\n}}\n'),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return build_engine(tmp_path_factory.mktemp("engine"))


@pytest.mark.parametrize(("path", "template", "expected"), POSITIVES)
def test_a_key_nested_under_a_billing_or_webhook_key_is_reported_once_at_the_value(
    engine: Engine, tmp_path: Path, path: str, template: str, expected: tuple[str, str]
) -> None:
    finding, _ = the_one_finding_at_the_value(engine, tmp_path, path, template)
    assert (finding.rule_id, finding.category) == expected
    assert "Read under its parent key as" in finding.message


@pytest.mark.parametrize(("path", "template"), NEGATIVES)
def test_a_key_not_nested_under_such_a_key_gets_no_category_from_the_view(
    engine: Engine, tmp_path: Path, path: str, template: str
) -> None:
    text = template.format(v=token())
    findings = scan_file(engine, tmp_path, path, text)
    assert not [f for f in findings if f.category in ("billing-secret", "webhook-secret")]
    assert not [f for f in findings if "Read under its parent key" in f.message]
