"""Properties of the cloud-provider pack (policies/providers-cloud.toml) that its example tests do not check.

- every rule has at least two examples and three negative examples;
- every keyword is specific: at least three characters, and not a common word such as "key" or "token" (unless
  the rule only runs on the files its ``paths`` name);
- every title names the provider that the rule id starts with;
- every fixed-shape rule finds a token built fresh at run time: the documented prefix / signature around a
  random body of the documented alphabet and length, written to real files of two types, so a rule is tested
  beyond the fixed bodies of its examples. The shapes below are this test's own reading of each provider's
  format, kept apart from the rule's regex on purpose.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from cavra_safety.config import Config
from cavra_safety.detectors.policy import PolicyDetector, build_policy_detector
from cavra_safety.findings import Category, Finding, Severity
from cavra_safety.policy import Policy, RegexRule, load_policy
from cavra_safety.sources import FileRef, Source
from cavra_safety.sources.text import read_source

REPO = Path(__file__).resolve().parents[2]
PACK = "cavra-community-providers-cloud"
PACK_FILE = REPO / "policies" / "providers-cloud.toml"

AN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
AND = AN + "_-"
B64 = AN + "+/"
HEX = "0123456789abcdef"
B32L = "abcdefghijklmnopqrstuvwxyz234567"
LAN = "abcdefghijklmnopqrstuvwxyz0123456789"
UAN = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
BECH = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"  # bech32, age keys
AZSECRET = AN + "_~.-"  # Entra ID client secrets

# Words too common to gate a rule on their own: nearly every configuration file holds them.
COMMON_WORDS = frozenset(
    "key keys token tokens secret secrets password passwd pwd api auth client access bearer id user name value "
    "config data private public cloud the and".split()
)

# Rule ids start with the provider; where the title spells the provider differently, these are the spellings.
PROVIDER_SPELLINGS: dict[str, tuple[str, ...]] = {
    "gcp": ("google",),
    "aws": ("aws", "amazon"),
    "oci": ("oracle",),
    "onepassword": ("1password",),
    "flyio": ("fly.io",),
    "hcp": ("hashicorp",),
    "vault": ("hashicorp vault",),
    "consul": ("hashicorp consul",),
    "nomad": ("hashicorp nomad",),
    "terraform": ("terraform",),
    "conjur": ("cyberark conjur",),
    "ovh": ("ovhcloud",),
    "linode": ("linode",),
    "surge": ("surge.sh",),
    "cockroachdb": ("cockroachdb",),
    "equinix": ("equinix metal",),
    "mongodb": ("mongodb atlas",),
    "deno": ("deno deploy",),
    "backblaze": ("backblaze b2",),
}

# Fixed-shape rules: (rule id, parts), each part (literal, alphabet, count): the literal, then ``count``
# characters drawn from ``alphabet``.
Part = tuple[str, str, int]
SHAPES: tuple[tuple[str, tuple[Part, ...]], ...] = (
    (
        "azure-ad-client-secret",
        (
            ("", AZSECRET, 3),
            ("8Q~", AZSECRET, 34),
        ),
    ),
    (
        "azure-devops-pat",
        (
            ("", AN, 52),
            ("JQQJ99", AN, 1),
            ("", "ABCDEFGHIJKL", 1),
            ("", AN, 16),
            ("AZDO", AN, 4),
        ),
    ),
    (
        "azure-function-key",
        (
            ("", AND, 44),
            ("AzFu", AND, 5),
            ("", "AQgw", 1),
            ("==", "", 0),
        ),
    ),
    (
        "azure-cognitive-search-key",
        (
            ("", AN, 42),
            ("AzSe", "ABCD", 1),
            ("", AN, 5),
        ),
    ),
    (
        "azure-service-bus-key",
        (
            ("", B64, 33),
            ("+ASb", "ABCDEFGHIJKLMNOP", 1),
            ("", B64, 5),
            ("=", "", 0),
        ),
    ),
    (
        "azure-event-hubs-key",
        (
            ("", B64, 33),
            ("+AEh", "ABCDEFGHIJKLMNOP", 1),
            ("", B64, 5),
            ("=", "", 0),
        ),
    ),
    (
        "azure-relay-key",
        (
            ("", B64, 33),
            ("+ARm", "ABCDEFGHIJKLMNOP", 1),
            ("", B64, 5),
            ("=", "", 0),
        ),
    ),
    (
        "azure-event-grid-key",
        (
            ("", B64, 33),
            ("AZEG", "ABCDEFGHIJKLMNOP", 1),
            ("", B64, 5),
            ("=", "", 0),
        ),
    ),
    (
        "azure-cache-redis-key",
        (
            ("", B64, 33),
            ("AzCa", "ABCDEFGHIJKLMNOP", 1),
            ("", B64, 5),
            ("=", "", 0),
        ),
    ),
    (
        "azure-iot-key",
        (
            ("", B64, 33),
            ("AIoT", "ABCDEFGHIJKLMNOP", 1),
            ("", B64, 5),
            ("=", "", 0),
        ),
    ),
    (
        "azure-storage-identifiable-key",
        (
            ("", B64, 76),
            ("+ASt", B64, 5),
            ("", "AQgw", 1),
            ("==", "", 0),
        ),
    ),
    (
        "azure-cosmosdb-key",
        (
            ("", B64, 76),
            ("ACDb", B64, 5),
            ("", "AQgw", 1),
            ("==", "", 0),
        ),
    ),
    (
        "azure-batch-key",
        (
            ("", B64, 76),
            ("+ABa", B64, 5),
            ("", "AQgw", 1),
            ("==", "", 0),
        ),
    ),
    (
        "azure-ml-web-service-key",
        (
            ("", B64, 76),
            ("+AMC", B64, 5),
            ("", "AQgw", 1),
            ("==", "", 0),
        ),
    ),
    (
        "azure-api-management-key",
        (
            ("", B64, 76),
            ("APIM", B64, 5),
            ("", "AQgw", 1),
            ("==", "", 0),
        ),
    ),
    (
        "azure-container-registry-key",
        (
            ("", B64, 42),
            ("+ACR", "ABCD", 1),
            ("", B64, 5),
        ),
    ),
    (
        "azure-ai-services-key",
        (
            ("", AN, 52),
            ("JQQJ99", AN, 1),
            ("", "ABCDEFGHIJKL", 1),
            ("", AN, 16),
            ("ACOG", AN, 4),
        ),
    ),
    ("gcp-oauth-client-secret", (("GOCSPX-", AND, 28),)),
    ("gcp-oauth-access-token", (("ya29.", AND, 140),)),
    ("gcp-oauth-refresh-token", (("1//0", AND, 99),)),
    (
        "firebase-fcm-server-key",
        (
            ("AAAA", AND, 7),
            (":APA91b", AND, 134),
        ),
    ),
    ("aws-session-token", (("IQoJb3JpZ2luX2Vj", B64, 200),)),
    ("aws-bedrock-api-key", (("ABSKQmVkcm9ja0FQSUtleS", B64, 110),)),
    (
        "aws-mws-auth-token",
        (
            ("amzn.mws.", HEX, 8),
            ("-", HEX, 4),
            ("-", HEX, 4),
            ("-", HEX, 4),
            ("-", HEX, 12),
        ),
    ),
    ("aws-appsync-api-key", (("da2-", LAN, 26),)),
    ("alibaba-access-key-id", (("LTAI", AN, 20),)),
    ("tencent-cloud-secret-id", (("AKID", AN, 32),)),
    ("yandex-cloud-api-key", (("AQVN", AND, 36),)),
    (
        "yandex-cloud-iam-token",
        (
            ("t1.9euelZq", AND, 60),
            (".", AND, 86),
        ),
    ),
    ("yandex-oauth-token", (("y0_", AND, 55),)),
    ("digitalocean-personal-token", (("dop_v1_", HEX, 64),)),
    ("digitalocean-oauth-token", (("doo_v1_", HEX, 64),)),
    ("digitalocean-refresh-token", (("dor_v1_", HEX, 64),)),
    ("heroku-api-key", (("HRKU-AA", AND, 58),)),
    ("flyio-access-token", (("fm2_lJPE", B64, 120),)),
    (
        "cloudflare-origin-ca-key",
        (
            ("v1.0-", HEX, 24),
            ("-", HEX, 146),
        ),
    ),
    ("netlify-token", (("nfp_", AN, 36),)),
    ("render-api-key", (("rnd_", AN, 32),)),
    (
        "akamai-edgegrid-token",
        (
            ("akab-", LAN, 16),
            ("-", LAN, 16),
        ),
    ),
    ("deno-deploy-token", (("ddp_", AN, 36),)),
    (
        "terraform-cloud-token",
        (
            ("", AN, 14),
            (".atlasv1.", AND, 67),
        ),
    ),
    ("vault-service-token", (("hvs.CAESI", AND, 86),)),
    ("vault-batch-token", (("hvb.CAESI", AND, 133),)),
    ("vault-recovery-token", (("hvr.CAESI", AND, 19),)),
    ("doppler-personal-token", (("dp.pt.", AN, 43),)),
    ("doppler-service-token", (("dp.st.", AN, 43),)),
    ("doppler-service-account-token", (("dp.sa.", AN, 43),)),
    ("doppler-cli-token", (("dp.ct.", AN, 43),)),
    ("doppler-scim-token", (("dp.scim.", AN, 43),)),
    ("doppler-audit-token", (("dp.audit.", AN, 43),)),
    ("pulumi-access-token", (("pul-", HEX, 40),)),
    ("age-secret-key", (("AGE-SECRET-KEY-1", BECH, 58),)),
    ("onepassword-service-account-token", (("ops_eyJ", AND, 300),)),
    (
        "onepassword-secret-key",
        (
            ("A3-", UAN, 6),
            ("-", UAN, 6),
            ("-", UAN, 5),
            ("-", UAN, 5),
            ("-", UAN, 5),
            ("-", UAN, 5),
        ),
    ),
    ("supabase-access-token", (("sbp_", HEX, 40),)),
    ("supabase-secret-key", (("sb_secret_", AND, 31),)),
    ("planetscale-service-token", (("pscale_tkn_", AND, 43),)),
    ("planetscale-password", (("pscale_pw_", AND, 43),)),
    ("planetscale-oauth-token", (("pscale_oauth_", AND, 43),)),
    ("neon-api-key", (("napi_", LAN, 64),)),
    ("mongodb-atlas-service-account-secret", (("mdb_sa_sk_", AND, 40),)),
    ("databricks-token", (("dapi", HEX, 32),)),
    ("databricks-oauth-secret", (("dose", HEX, 32),)),
    (
        "tailscale-key",
        (
            ("tskey-auth-k", AN, 11),
            ("-", AN, 33),
        ),
    ),
    (
        "cockroachdb-cloud-api-key",
        (
            ("CCDB1_", AN, 22),
            ("_", AN, 40),
        ),
    ),
    ("xata-api-key", (("xau_", AN, 36),)),
)


def _load() -> Policy:
    return load_policy(Config(root=REPO))


POLICY = _load()
RULES = tuple(rule for rule in POLICY.rules if rule.pack == PACK)
IDS = [rule.id for rule in RULES]


@pytest.fixture(scope="module")
def detector() -> PolicyDetector:
    return build_policy_detector(Config(root=REPO), POLICY)


def test_pack_is_public_and_wide() -> None:
    text = PACK_FILE.read_text(encoding="utf-8")
    assert f'name = "{PACK}"' in text and 'visibility = "public"' in text
    assert len(RULES) >= 90, f"{len(RULES)} rules in {PACK}"
    assert len({rule.id.split("-")[0] for rule in RULES}) >= 60, "fewer than 60 provider families"


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_rule_has_examples_and_negatives(rule: RegexRule) -> None:
    assert len(rule.examples) >= 2, f"{rule.id}: {len(rule.examples)} examples"
    assert len(rule.negative_examples) >= 3, f"{rule.id}: {len(rule.negative_examples)} negative examples"
    assert len({example.path for example in rule.examples}) >= 2, f"{rule.id}: examples in one file type only"


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_rule_is_a_credential_with_a_remedy(rule: RegexRule) -> None:
    assert rule.info.category is Category.CONNECTOR_CREDENTIAL
    assert rule.info.severity >= Severity.HIGH
    assert re.search(r"\b(?:revoke|delete|regenerate|rotate|reset|roll|change|disable|invalidate)", rule.message, re.I)
    assert "secret store" in rule.message


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_keywords_are_specific(rule: RegexRule) -> None:
    assert rule.keywords
    for keyword in rule.keywords:
        assert len(keyword) >= 3, f"{rule.id}: keyword {keyword!r} is shorter than 3 characters"
        word = re.sub(r"[^a-z0-9]", "", keyword)
        if rule.paths is None:
            assert word not in COMMON_WORDS, f"{rule.id}: keyword {keyword!r} is a common word"


@pytest.mark.parametrize("rule", RULES, ids=IDS)
def test_title_names_the_provider(rule: RegexRule) -> None:
    provider = rule.id.split("-")[0]
    spellings = PROVIDER_SPELLINGS.get(provider, (provider,))
    assert any(name in rule.info.title.lower() for name in spellings), f"{rule.id}: {rule.info.title!r}"


def test_shapes_name_rules_of_the_pack() -> None:
    shaped = [rule_id for rule_id, _ in SHAPES]
    assert len(shaped) == len(set(shaped))
    assert set(shaped) <= set(IDS), sorted(set(shaped) - set(IDS))


def _draw(parts: tuple[Part, ...]) -> str:
    return "".join(
        literal + "".join(secrets.choice(alphabet) for _ in range(count)) for literal, alphabet, count in parts
    )


def fresh_token(parts: tuple[Part, ...], rule_id: str) -> str:
    """A fresh token of ``parts`` that the rule's own value filter keeps: a draw that happens to look like what
    the rule lets through by design (too little entropy, a name-shaped run) is drawn again."""
    rule = next(rule for rule in RULES if rule.id == rule_id)
    return next(token for token in (_draw(parts) for _ in range(200)) if rule.values.accepts(token))


def _scan_file(tmp_path: Path, path: str, text: str) -> Source:
    target = tmp_path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    source = read_source(FileRef(path=path, fspath=str(target), size=target.stat().st_size), 1 << 20)
    assert isinstance(source, Source)
    return source


@pytest.mark.parametrize(("rule_id", "parts"), SHAPES, ids=[rule_id for rule_id, _ in SHAPES])
def test_fresh_token_is_found(tmp_path: Path, detector: PolicyDetector, rule_id: str, parts: tuple[Part, ...]) -> None:
    token = fresh_token(parts, rule_id)
    cases = (
        ("app/settings.py", f'CREDENTIAL = "{token}"\n'),
        ("deploy/values.yaml", f"service:\n  credential: {token}\n"),
    )
    for path, text in cases:
        source = _scan_file(tmp_path, path, text)
        found = [f for f in detector.detect(source) if isinstance(f, Finding) and f.rule_id == f"policy/{rule_id}"]
        line = next(number for number, content in enumerate(text.splitlines(), 1) if token in content)
        column = text.splitlines()[line - 1].index(token) + 1
        assert [(f.line, f.column) for f in found] == [(line, column)], f"{rule_id}: fresh token in {path}"
        assert found[0].redacted.startswith(token[:4])
        assert token not in found[0].message


@pytest.mark.parametrize(("rule_id", "parts"), SHAPES, ids=[rule_id for rule_id, _ in SHAPES])
def test_fresh_token_cut_short_is_not_found(
    tmp_path: Path, detector: PolicyDetector, rule_id: str, parts: tuple[Part, ...]
) -> None:
    token = fresh_token(parts, rule_id)
    short = token[: max(len(parts[0][0]) + 4, len(token) // 3)]
    source = _scan_file(tmp_path, "app/settings.py", f'CREDENTIAL = "{short}"\n')
    assert not [f for f in detector.detect(source) if isinstance(f, Finding) and f.rule_id == f"policy/{rule_id}"]
