"""The predicates behind the named precision filters (``precision.FILTERS``): what a value, the name it is
bound to, its line and its path say about it. Pure functions, no detect-secrets import."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from dataclasses import dataclass

from cavra_safety.findings import randomness
from cavra_safety.policy.placeholders import is_documented_example, says_placeholder
from cavra_safety.redaction import shannon_entropy


@dataclass(frozen=True)
class Seen:
    """A value a plugin reported: the plugin's class name, the value, the text it saw (the line, or a window
    of a long line) and the file's path."""

    plugin: str
    value: str
    window: str
    path: str
    after: str = ""  # for a private key's header: the text that follows it (``pem.key_body``)


_FILLER = re.compile(r"(.)\1{5,}")

# Encoded password hashes (Django, passlib, crypt(3)).
_PASSWORD_HASH = re.compile(
    r"^(?:pbkdf2_sha\d+|pbkdf2|argon2|bcrypt(?:_sha256)?|scrypt|sha1|md5|unsalted_\w+|crypt)\$"
    r"|^\$(?:2[abxy]?|5|6|argon2\w*|scrypt)\$",
    re.IGNORECASE,
)
_INTEGRITY = re.compile(r"(?:^|[\s\"'=])sha(?:1|256|384|512)-[A-Za-z0-9+/]{16,}={0,2}", re.IGNORECASE)
_PUBLISHABLE = re.compile(r"\bpk_(?:live|test)_")

# Words that make a quoted random string a credential rather than data; upper-case names ending in _KEY
# are environment variables, and those hold keys (``ADAFRUIT_IO_KEY``), unlike ``cache_key`` in code.
_CREDENTIAL_CONTEXT = re.compile(
    r"secret|token|passw|pwd|credential|bearer|auth(?!or)|private|"
    r"(?:api|access|signing|encryption|master|client|app|service|account)[_-]?key",
    re.IGNORECASE,
)
_ENV_KEY_NAME = re.compile(r"[A-Z0-9]_KEY$")
# Words that say a value is a digest or a public nonce, not a key.
_DIGEST_CONTEXT = re.compile(
    r"hash|sha\d|sha-\d|md5|blake|crc\d|digest|checksum|integrity|etag|fingerprint|revision|commit|csrf|nonce"
    r"|uuid|guid|authenticity_token",
    re.IGNORECASE,
)
# A lookup, call or attribute path in place of a value (config files need no quotes, so the keyword plugin
# reads ``password = os.environ["X"]`` or ``api_key: settings.API_KEY`` as a value).
_EXPRESSION = re.compile(r"[()\[\]]|^[a-z_][a-z0-9_]{0,15}(?:\.[A-Za-z_]\w*)+$")

_LOCALE_PATH = re.compile(r"(?:^|/)(?:locales?|i18n|l10n|lang|translations?)/|\.(?:po|pot|xliff|xlf|arb)$")

_PLACEHOLDER_PASSWORDS = frozenset(
    "pass passwd password pwd secret pw foo bar baz qux test testing demo user username changeme xxx "
    "pa55word p4ssword guest admin root postgres".split()
)
_URL_TEMPLATE = re.compile(r"\{[^}]*\}$|\$|%|\*+$")
_RESERVED_HOST = re.compile(
    r"^(?:localhost|testserver|(?:[\w-]+\.)*(?:example|test|invalid|localhost|local)|"
    r"(?:[\w-]+\.)*example\.(?:com|org|net)|127(?:\.\d+){3}|\[?::1\]?)$",
    re.IGNORECASE,
)

_WELL_KNOWN_IPS = frozenset(
    "1.1.1.1 1.0.0.1 8.8.8.8 8.8.4.4 9.9.9.9 149.112.112.112 208.67.222.222 208.67.220.220 1.2.3.4 4.3.2.1 "
    "12.34.56.78".split()
)
_HOST_CONTEXT = re.compile(
    r"(?:host|server|endpoint|proxy|upstream|remote|nameserver|dns|url|uri|backend|gateway|broker"
    r"|origin|target|bind|listen|connect)\w*[\"']?\]?\s*(?:[:=]|=>|\(+)\s*[\"']?"
    r"(?:[a-z][\w+.-]*://)?(?:[^\s@/\"']+@)?\[?$",
    re.IGNORECASE,
)
_HOST_LOOKBACK = 120

# What separates a value from its name (``API_TOKEN = "``, ``"client_secret": "``, ``token: ``, ``secret("``),
# matched on the last few characters before the value; the name is then read backwards by hand.
_ASSIGNMENT_TAIL = re.compile(r"[\"'\]]*\s*(?::=|===?|!==?|=>|[:=(])\s*@?(?:[bBrRuUfF]{1,2})?[\"'`]?\Z")
_TYPE_ANNOTATION = re.compile(r"([A-Za-z_][\w.-]*)\??\s*:\s*\Z")  # ``apiKey: string = "``
_XML_KEY = re.compile(r"(?:key|name)\s*=\s*[\"']([^\"']{1,80})[\"']\s*\Z", re.IGNORECASE)  # key="x" value="
_VALUE_WORDS = frozenset({"value", "val", "content", "string", "str"})
_TAIL_CHARS = 40
_NAME_CHARS = 80

_MIN_KEYWORD_VALUE = 10
_MIN_RANDOMNESS = 0.35
_MIN_KEYWORD_ENTROPY = 3.0


def looks_generated(value: str) -> bool:
    """A value a machine made (a key, a token), not a word, a path or a sentence."""
    return not any(char.isspace() for char in value) and randomness(value) >= _MIN_RANDOMNESS


def bound_name(value: str, window: str) -> str:
    """The name ``value`` is assigned to or keyed by on its line, or "" when it stands alone. A type annotation
    (``apiKey: string = "..."``) and an XML key attribute (``<add key="api_key" value="..."/>``) name it too."""
    at = window.find(value)
    if at < 0:
        return ""
    tail = _ASSIGNMENT_TAIL.search(window, max(0, at - _TAIL_CHARS), at)
    if tail is None:
        return ""
    end = start = tail.start()
    floor = max(0, end - _NAME_CHARS)
    while start > floor and (window[start - 1].isalnum() or window[start - 1] in "_.-"):
        start -= 1
    name = window[start:end]
    before = window[max(0, start - _NAME_CHARS) : start]
    if name.lower() in _VALUE_WORDS:
        annotated = _TYPE_ANNOTATION.search(before)
        keyed = _XML_KEY.search(before)
        name = (annotated or keyed).group(1) if (annotated or keyed) else name  # type: ignore[union-attr]
    return name


# A token as written on the line, around what a plugin reported: plugins report part of a token
# (``header.payload.`` of a JWT) or more (``AccountKey=<key>``), the table lists whole tokens.
_TOKEN_RUN = re.compile(r"(?:[A-Za-z][A-Za-z0-9]*=)?([A-Za-z0-9+/=_.~-]+)")


def documented_example(seen: Seen) -> bool:
    """Says EXAMPLE (AWS's keys), or is one of the documented keys the policy's placeholder filter lists by
    digest (Stripe's API reference keys, the Azurite key, the jwt.io token): one table for every detector."""
    if "example" in seen.value.lower() or is_documented_example(seen.value):
        return True
    return any(
        (seen.value in run.group(0) or run.group(1) in seen.value) and is_documented_example(run.group(1))
        for run in _TOKEN_RUN.finditer(seen.window)
        if len(run.group(1)) >= 16
    )


def placeholder(seen: Seen) -> bool:
    """Says it is not real (``policy.placeholders``: the vocabulary the policy rules' filter reads too)."""
    return says_placeholder(seen.value)


def filler(seen: Seen) -> bool:
    return bool(_FILLER.search(seen.value))


def artifactory_word(seen: Seen) -> bool:
    body = seen.value.strip(" \t=:\"'")[3:]
    return not any(char.isdigit() for char in body) or randomness(body) < _MIN_RANDOMNESS


def locale_label(seen: Seen) -> bool:
    return bool(_LOCALE_PATH.search(seen.path.lower())) and not looks_generated(seen.value)


def integrity_value(seen: Seen) -> bool:
    return bool(_INTEGRITY.search(seen.value))


def password_hash(seen: Seen) -> bool:
    return bool(_PASSWORD_HASH.search(seen.value))


def _decoded_head(value: str) -> bytes:
    head = value.lstrip("\"'")[:60]
    head = head[: len(head) - len(head) % 4]
    try:
        return base64.b64decode(head, validate=False)
    except (binascii.Error, ValueError):
        return b""


def public_certificate(seen: Seen) -> bool:
    head = _decoded_head(seen.value)
    return b"BEGIN CERTIFICATE" in head or b"BEGIN PUBLIC KEY" in head


def encoded_private_key(value: str) -> bool:
    return b"PRIVATE KEY" in _decoded_head(value)


def publishable_key(seen: Seen) -> bool:
    return bool(_PUBLISHABLE.search(seen.value))


def digest_name(seen: Seen) -> bool:
    return bool(_DIGEST_CONTEXT.search(bound_name(seen.value, seen.window)))


def indirect_reference(seen: Seen) -> bool:
    return bool(_EXPRESSION.search(seen.value))


def trivial_value(seen: Seen) -> bool:
    return len(seen.value) < _MIN_KEYWORD_VALUE


def human_chosen(seen: Seen) -> bool:
    return shannon_entropy(seen.value) < _MIN_KEYWORD_ENTROPY or not looks_generated(seen.value)


def credential_name(name: str) -> bool:
    return bool(_CREDENTIAL_CONTEXT.search(name) or _ENV_KEY_NAME.search(name))


def no_credential_name(seen: Seen) -> bool:
    """Random-looking strings are far more often digests, ids and test vectors than keys (CPython's hashlib
    tests, Django's crypto tests), and keys with a known format have their own plugins: an entropy hit
    counts where its name says credential, or where it is a base64-encoded private key."""
    if encoded_private_key(seen.value):
        return False
    return not credential_name(bound_name(seen.value, seen.window)) or not looks_generated(seen.value)


def placeholder_url_password(seen: Seen) -> bool:
    return seen.value.lower() in _PLACEHOLDER_PASSWORDS or bool(_URL_TEMPLATE.match(seen.value))


def reserved_host(seen: Seen) -> bool:
    at = seen.window.find(seen.value + "@")
    if at < 0:
        return False
    host = re.split(r"[/:?#\s\"'@\\]", seen.window[at + len(seen.value) + 1 :], maxsplit=1)[0]
    return bool(_RESERVED_HOST.match(host))


def public_host_ip(value: str, window: str) -> bool:
    """A global address, not a well-known resolver, written where a host goes (``HOST = "..."``, a URL)."""
    address = value.split(":", 1)[0]
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    if not ip.is_global or ip.is_multicast or address in _WELL_KNOWN_IPS or len(set(address.split("."))) == 1:
        return False
    at = window.find(value)
    return at >= 0 and bool(_HOST_CONTEXT.search(window, max(0, at - _HOST_LOOKBACK), at))
