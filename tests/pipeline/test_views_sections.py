"""Section-scoped keys in config files: a key under ``[billing]``, ``[webhooks]``, ``[license]`` (or a dotted
.properties key saying the same) is reported under the section's category, once, at the value's place."""

from __future__ import annotations

from pathlib import Path

import pytest
from view_scan import build_engine, scan_file, the_one_finding_at_the_value, token

from cavra_safety.pipeline.engine import Engine
from cavra_safety.policy.views import derived_views
from cavra_safety.sources import Source

BILLING = ("policy/billing-secret-assignment", "billing-secret")
WEBHOOK = ("policy/webhook-secret-assignment", "webhook-secret")
LICENSE = ("policy/license-key-value", "license-key")

# (path, text with {v} where the value goes, expected rule and category)
POSITIVES = [
    ("config/app.ini", "[database]\nhost = db\n\n[billing]\nsecret_key = {v}\n", BILLING),
    ("config/app.ini", "[stripe]\napi_key: {v}\n", BILLING),
    ("deploy/shop.cfg", "[payments]\n# provider keys\napi_key = {v} ; production\n", BILLING),
    ("deploy/shop.cfg", "[paypal]\nclient_id = shop\nclient_secret = {v}\n", BILLING),
    ("pyproject.toml", '[tool.billing]\napi_key = "{v}"\n', BILLING),
    ("config/services.toml", "[services.stripe]\nsecret_key = '{v}'\n", BILLING),
    ("config/services.toml", '[[payments]]\nprovider = "adyen"\napi_key = "{v}"  # live\n', BILLING),
    ("setup.cfg", "[metadata]\nname = shop\nlicense = MIT\n\n[billing]\napi_key = {v}\n", BILLING),
    ("src/main/resources/application.properties", "server.port=8080\nbilling.api-key={v}\n", BILLING),
    ("src/main/resources/application.properties", "payment.stripe.secret-key = {v}\n", BILLING),
    ("config/app.ini", "[webhooks]\nsecret = {v}\n", WEBHOOK),
    ("config/hooks.toml", '[webhook]\nsigning_secret = "{v}"\n', WEBHOOK),
    ("config/app.conf", "[stripe.webhook]\nsecret = {v}\n", WEBHOOK),
    ("src/main/resources/application.properties", "webhook.signing-secret: {v}\n", WEBHOOK),
    ("config/app.ini", "[license]\nkey = {v}\n", LICENSE),
    ("config/product.toml", '[licence]\nkey = "{v}"\n', LICENSE),
    ("src/main/resources/application.properties", "license.key={v}\n", LICENSE),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return build_engine(tmp_path_factory.mktemp("engine"))


@pytest.mark.parametrize(("path", "template", "expected"), POSITIVES)
def test_a_key_under_its_section_is_reported_once_at_the_value(
    engine: Engine, tmp_path: Path, path: str, template: str, expected: tuple[str, str]
) -> None:
    finding, _ = the_one_finding_at_the_value(engine, tmp_path, path, template)
    assert (finding.rule_id, finding.category) == expected


def test_the_message_says_how_the_key_was_read(engine: Engine, tmp_path: Path) -> None:
    (finding,) = scan_file(engine, tmp_path, "config/app.ini", f"[tool.billing]\napi_key = {token()}\n")
    assert finding.message.startswith("Read under its section as tool_billing_api_key. A billing or payment secret")


NEGATIVES = [
    ("config/app.ini", "[billing]\nsecret_key = ${STRIPE_SECRET_KEY}\n"),
    ("config/app.ini", "[billing]\nsecret_key = %(stripe_secret_key)s\n"),
    ("config/app.ini", "[billing]\nsecret_key = changeme\n"),
    ("config/app.ini", "[billing]\ncurrency = EUR\napi_base = https://api.stripe.com/v1\n"),
    ("pyproject.toml", '[tool.billing]\napi_key = "<your-api-key>"\n'),
    ("pyproject.toml", '[tool.poetry]\nname = "shop"\nlicense = "Apache-2.0"\n'),
    ("config/hooks.toml", '[webhooks]\nsecret = "YOUR_WEBHOOK_SECRET"\nurl = "https://hooks.acme-corp.io/in"\n'),
    ("setup.cfg", "[metadata]\nname = shop\nlicense = MIT\nlicense_files = LICENSE\n\n[options]\nzip_safe = False\n"),
    ("src/main/resources/application.properties", "billing.api-key=${BILLING_API_KEY}\nlicense.type=MIT\n"),
    ("config/app.ini", "[license]\nkey = <license-key>\nfile = LICENSE.txt\n"),
]


@pytest.mark.parametrize(("path", "text"), NEGATIVES)
def test_placeholders_and_ordinary_settings_under_a_section_are_not_reported(
    engine: Engine, tmp_path: Path, path: str, text: str
) -> None:
    assert scan_file(engine, tmp_path, path, text) == []


def test_a_section_ends_at_the_next_header(engine: Engine, tmp_path: Path) -> None:
    value = token()
    text = f"[billing]\ncurrency = EUR\n\n[cache]\nsecret_key = {value}\n"
    findings = scan_file(engine, tmp_path, "config/app.ini", text)
    assert findings and all(finding.category != "billing-secret" for finding in findings)


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("cavra/billing.py", "[billing]\nsecret_key = {v}\n"),  # code: a list, then an assignment
        ("docs/billing.md", "[billing]\nsecret_key = {v}\n"),
        ("config/app.ini", "[cache]\nttl = 60\n"),  # no section word: no view
    ],
)
def test_only_config_files_with_a_section_word_get_the_view(path: str, text: str) -> None:
    source = Source(path, text.format(v=token()))
    assert derived_views(source) == []


@pytest.mark.parametrize(
    ("path", "template", "prefix", "expected"),
    [
        ("config/app.ini", "[billing]\nsecret_key = {v}\n", "sk_" + "live_", "policy/stripe-live-secret-key"),
        ("config/app.toml", '[stripe]\nwebhook_secret = "{v}"\n', "whsec_", "policy/webhook-signing-secret"),
        ("config/app.ini", "[webhooks]\nstripe = {v}\n", "whsec_", "policy/webhook-signing-secret"),
    ],
)
def test_a_provider_format_under_a_section_is_one_finding_of_the_provider_rule(
    engine: Engine, tmp_path: Path, path: str, template: str, prefix: str, expected: str
) -> None:
    findings = scan_file(engine, tmp_path, path, template.format(v=prefix + token(32)))
    assert [(finding.rule_id, finding.line) for finding in findings] == [(expected, 2)]
