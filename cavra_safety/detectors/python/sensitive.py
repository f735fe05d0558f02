"""Which names hold secrets, and which literal values bound to them are worth a finding.

The category comes from the last words of the name (a name must *end* with the sensitive term, so
``TENANT_ID_FIELD`` or ``password_hint`` are not sensitive). A value is reported only when it looks like the
real thing: placeholders, empty strings, words, field / header / variable names, prose, URLs and file paths,
and test values clearly marked fake are not.
"""

from __future__ import annotations

import re

from cavra_safety.detectors.python.names import words
from cavra_safety.findings import Category
from cavra_safety.policy.placeholders import is_placeholder
from cavra_safety.redaction import shannon_entropy

_LICENSE = frozenset({"license", "licence"})
_LICENSE_ENDS = frozenset({"key", "token", "code", "serial", "secret"})
_BILLING = frozenset(
    {"billing", "payment", "payments", "stripe", "braintree", "adyen", "paddle", "chargebee", "recurly", "paypal"}
)
_SECRET_ENDS = frozenset({"key", "secret", "token", "password", "apikey"})
_CREDENTIAL_ENDS = frozenset(
    {"password", "passwd", "pwd", "pass", "passphrase", "secret", "token", "apikey", "credential", "credentials"}
)
_KEY_QUALIFIERS = frozenset(
    {
        "api",
        "access",
        "secret",
        "private",
        "auth",
        "client",
        "master",
        "encryption",
        "account",
        "app",
        "consumer",
        "service",
    }
)

# Marks of a value written to be fake, in tests and docs (checked case-insensitively, anywhere in the value).
FAKE_MARKERS = (
    "test",
    "fake",
    "dummy",
    "mock",
    "sample",
    "fixture",
    "demo",
    "lorem",
    "bogus",
    "notreal",
    "not-real",
    "not_real",
    "not-a-real",
    "not_a_real",
    "invalid",
    "wrong",
    "bad-",
    "bad_",
)

# Names marked as holding a fake value (TEST_SECRET, fake_api_key, sample_token).
FAKE_NAME_WORDS = frozenset(
    {"test", "tests", "fake", "dummy", "mock", "sample", "example", "fixture", "demo", "placeholder", "bogus"}
)
# Dummy passwords spell the name they are bound to ("password1", "p@ssword", "some:password").
_LEET = str.maketrans("@4310$5", "aaeloss")
MIN_SECRET_ENTROPY = 2.5  # bits per character: "1111-aaaaa" is a pattern, not a secret
MIN_DISTINCT_TRIGRAMS = 0.6  # "1bcdefghij2bcdefghij..." repeats itself

# Words that are values of a tenant field in code but never a tenant (sentinels, defaults, types).
_TENANT_WORDS = frozenset(
    {
        "tenant",
        "tenants",
        "id",
        "identifier",
        "uuid",
        "x",
        "header",
        "key",
        "default",
        "current",
        "public",
        "global",
        "common",
        "system",
        "shared",
        "unknown",
        "none",
        "all",
    }
)

_IDENTIFIER = re.compile(
    r"_*[a-z][a-z0-9]*(?:[_.\-][a-z][a-z0-9]*)*|[A-Z][A-Z0-9]*(?:[_.\-][A-Z][A-Z0-9]*)*"
    r"|[a-z]+(?:[A-Z][a-z0-9]+)+|(?:[A-Z][a-z0-9]+)+(?:-[A-Z][a-z0-9]+)*"
)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_PATH = re.compile(r"^(?:/|\./|\.\./|~/|[A-Za-z]:\\)")
_WEBHOOK_PATH_TOKEN = re.compile(r"[/=]([A-Za-z0-9_-]{20,})")


def binding_category(name: str) -> Category | None:
    """The category of a secret bound to ``name``, or None when the name holds no secret."""
    tokens = words(name)
    if not tokens:
        return None
    last, before = tokens[-1], tokens[:-1]
    if (before[-1:] == ("tenant",) and last in ("id", "identifier", "uuid")) or last == "tenantid":
        return Category.TENANT_ID
    if (last in _LICENSE_ENDS and before[-1:] and before[-1] in _LICENSE) or last in ("licensekey", "licencekey"):
        return Category.LICENSE_KEY
    if last in ("key", "serial") and before[-1:] in (("product",), ("activation",)):
        return Category.LICENSE_KEY
    if ("webhook" in before or "hook" in before or before[-1:] == ("signing",)) and last in (*_SECRET_ENDS, "url"):
        return Category.WEBHOOK_SECRET
    if last == "whsec":
        return Category.WEBHOOK_SECRET
    if _BILLING.intersection(before) and last in _SECRET_ENDS:
        return Category.BILLING_SECRET
    if last in _CREDENTIAL_ENDS or (last == "key" and before[-1:] and before[-1] in _KEY_QUALIFIERS):
        return Category.CONNECTOR_CREDENTIAL
    return None


def env_var_name(name: str) -> str:
    """The environment variable a fix reads: ``self.apiKey`` -> ``API_KEY``."""
    return "_".join(words(name.rsplit(".", 1)[-1])).upper() or "SECRET"


def _marked_fake(value: str) -> bool:
    lowered = value.lower()
    return any(marker in lowered for marker in FAKE_MARKERS)


def _names_a_field(value: str, name: str) -> bool:
    """A field, header, setting or variable name rather than a value (``"tenant_id"``, ``"X-Api-Key"``)."""
    return _IDENTIFIER.fullmatch(value) is not None and (
        not any(c.isdigit() for c in value) or words(value) == words(name)
    )


def _character_classes(value: str) -> int:
    return sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
        )
    )


def _tenant_id(value: str) -> bool:
    if len(value) < 4 or (_IDENTIFIER.fullmatch(value) and set(words(value)) <= _TENANT_WORDS):
        return False
    return any(c.isdigit() for c in value) or "-" in value.strip("-")


def _webhook_url(value: str) -> bool:
    match = _WEBHOOK_PATH_TOKEN.search(value)
    return match is not None and _character_classes(match.group(1)) >= 2


def _spells_its_name(value: str, name: str) -> bool:
    plain = "".join(c for c in value.lower().translate(_LEET) if c.isalpha())
    spelled = {word for word in words(name)[-1:] if len(word) >= 4} | {"password"}
    return any(word in plain for word in spelled)


def _repetitive(value: str) -> bool:
    trigrams = [value[i : i + 3] for i in range(len(value) - 2)]
    return len(value) >= 12 and len(set(trigrams)) < MIN_DISTINCT_TRIGRAMS * len(trigrams)


def _secret(value: str, name: str) -> bool:
    if len(value) < 8 or _URL.match(value) or _PATH.match(value) or not value.isprintable():
        return False
    if _spells_its_name(value, name) or _repetitive(value) or shannon_entropy(value) < MIN_SECRET_ENTROPY:
        return False
    if _character_classes(value) >= 2 and not value.isalpha():
        return True
    return len(value) >= 20 and shannon_entropy(value) >= 3.5


def worth_reporting(category: Category, value: str, name: str) -> bool:
    """Whether the literal ``value`` bound to ``name`` looks like a real ``category`` value."""
    if not value or value != value.strip() or any(c.isspace() for c in value) or value.endswith(("...", "…")):
        return False  # empty, or prose / a message / a format string
    if is_placeholder(value) or _marked_fake(value) or _names_a_field(value, name):
        return False
    if FAKE_NAME_WORDS.intersection(words(name)):
        return False
    if category is Category.TENANT_ID:
        return _tenant_id(value)
    if category is Category.WEBHOOK_SECRET and _URL.match(value):
        return _webhook_url(value)
    return _secret(value, name)
