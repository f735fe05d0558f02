"""Precision filters of the secrets detector, on top of detect-secrets' own heuristics.

detect-secrets reports 249 findings on the Django 5.2.19 sdist, none of them a live secret. Each filter
below removes one family of those false positives and says why it is safe. ``keep`` is called with the
plugin's class name, the raw value, the text the plugin saw (the line, or a window of a long line) and
the path; it returns False to drop the value. Pure functions, no detect-secrets import.
"""

from __future__ import annotations

import ipaddress
import re

from cavra_safety.findings import randomness
from cavra_safety.redaction import shannon_entropy

# Values that say they are not real: documented example keys (AWS's own examples end in EXAMPLE),
# templates and filler. Checked case-insensitively, on every plugin, provider-specific ones included.
_PLACEHOLDER = re.compile(
    r"example|sample|dummy|placeholder|changeme|change_me|replace|redacted|your[_-]|<[^>]*>|\$\{|\{\{|%\(|%s"
    r"|(.)\1{5,}",  # a run of six identical characters: sk_live_xxxxxxxx..., AKIA0000000000000000
    re.IGNORECASE,
)

# Encoded password hashes (Django, passlib, crypt(3)): a hash of a password is not the password.
_PASSWORD_HASH = re.compile(
    r"^(?:pbkdf2_sha\d+|pbkdf2|argon2|bcrypt(?:_sha256)?|scrypt|sha1|md5|unsalted_\w+|crypt)\$"
    r"|^\$(?:2[abxy]?|5|6|argon2\w*|scrypt)\$",
    re.IGNORECASE,
)

# Words that make a quoted random string a credential rather than data. The entropy plugins report a value
# only when the name it is bound to (``API_TOKEN = "..."``, ``"client_secret": "..."``, ``token: ...``) holds
# one: random-looking strings are far more often digests, ids, signatures and test vectors than keys
# (CPython's hashlib tests, Django's crypto tests), and keys with a known format have their own plugins.
_CREDENTIAL_CONTEXT = re.compile(
    r"secret|token|passw|pwd|credential|bearer|auth(?!or)|private|"
    r"(?:api|access|signing|encryption|master|client|app|service|account)[_-]?key",
    re.IGNORECASE,
)

# Words that say a value is a digest or a public nonce, not a key (``token_hash``, ``integrity=``, ``sha256``,
# ``etag``, commit ids, CSRF tokens of saved pages). Checked on the name the value is bound to.
_DIGEST_CONTEXT = re.compile(
    r"hash|sha\d|sha-\d|md5|blake|crc\d|digest|checksum|integrity|etag|fingerprint|revision|commit|csrf|nonce"
    r"|uuid|guid|authenticity_token",
    re.IGNORECASE,
)

# Files that hold generated data rather than code: source maps, minified bundles, lock files detect-secrets
# does not know. Only the generic plugins skip them; provider keys are still looked for everywhere.
_GENERATED = re.compile(r"(?:\.min\.(?:js|css)|\.map|\.lock|-lock\.json|-lock\.ya?ml|\.sum)$")

# Passwords in URLs that are placeholders in documentation and tests (``http://user:pass@...``).
_PLACEHOLDER_PASSWORDS = frozenset(
    "pass passwd password pwd secret pw foo bar baz qux test testing demo user username changeme xxx "
    "pa55word p4ssword".split()
)
# Template fields standing in for a URL password: format fields, shell and Django variables.
_URL_TEMPLATE = re.compile(r"\{[^}]*\}$|\$|%|\*+$")
# Hosts that never reach a real service (RFC 2606 / 6761 names, loopback).
_RESERVED_HOST = re.compile(
    r"^(?:localhost|testserver|(?:[\w-]+\.)*(?:example|test|invalid|localhost|local)|"
    r"(?:[\w-]+\.)*example\.(?:com|org|net)|127(?:\.\d+){3}|\[?::1\]?)$",
    re.IGNORECASE,
)

# Public IPv4 addresses everyone uses (resolvers, anycast) and toy addresses of examples.
_WELL_KNOWN_IPS = frozenset(
    {
        "1.1.1.1",
        "1.0.0.1",
        "8.8.8.8",
        "8.8.4.4",
        "9.9.9.9",
        "149.112.112.112",
        "208.67.222.222",
        "208.67.220.220",
        "1.2.3.4",
        "4.3.2.1",
        "12.34.56.78",
    }
)
# An address names a host the code talks to when it is the value of a host-like key or call, bare or in a
# URL (``HOST = "..."``, ``"server": "..."``, ``API_URL = "https://.../v1"``, ``connect(("...", 443))``).
# A bare address in prose, a version string or a list of URL-validator test vectors is not one.
_HOST_CONTEXT = re.compile(
    r"(?:host|server|endpoint|proxy|upstream|remote|nameserver|dns|url|uri|backend|gateway|broker"
    r"|origin|target|bind|listen|connect)\w*[\"']?\]?\s*(?:[:=]|=>|\(+)\s*[\"']?"
    r"(?:[a-z][\w+.-]*://)?(?:[^\s@/\"']+@)?\[?$",
    re.IGNORECASE,
)

# What separates a value from its name: closing quotes/brackets, an assignment, key separator or call
# parenthesis, an optional string prefix and an opening quote (``API_TOKEN = "``, ``"client_secret": "``,
# ``token: ``, ``password=b'``, ``secret("``). Matched on the last few characters before the value only, and
# the name is then read backwards by hand: a regex searched over the whole prefix costs ~75 us a value.
_HOST_LOOKBACK = 120  # characters before an address searched for its host context
_ASSIGNMENT_TAIL = re.compile(r"[\"'\]]*\s*(?::=|===?|!==?|=>|[:=(])\s*@?(?:[bBrRuUfF]{1,2})?[\"'`]?\Z")
_TAIL_CHARS = 40
_NAME_CHARS = 80

_ENTROPY_PLUGINS = frozenset({"Base64HighEntropyString", "HexHighEntropyString"})
_MIN_KEYWORD_VALUE = 10
_MIN_RANDOMNESS = 0.35
_MIN_KEYWORD_ENTROPY = 3.0


def is_generated_file(path: str) -> bool:
    return bool(_GENERATED.search(path.lower()))


def looks_like_sample(value: str) -> bool:
    """A sample-looking value by the secrets detector's own word list.

    Not ``policy.placeholders.is_placeholder``, the vocabulary of the policy and Python detectors: the two
    lists differ (this one also takes "sample", "dummy", "replace", printf and %-format holes, any run of six
    identical characters; the other takes lookups, "no value" words and whole-value template shapes), and
    merging them changes what is reported. The coverage issue merges them, with a detection measurement
    before and after."""
    return bool(_PLACEHOLDER.search(value))


def looks_generated(value: str) -> bool:
    """A value a machine made (a key, a token), not a word, a path or a sentence."""
    return not any(char.isspace() for char in value) and randomness(value) >= _MIN_RANDOMNESS


def bound_name(value: str, window: str) -> str:
    """The name ``value`` is assigned to or keyed by on its line, or "" when it stands alone."""
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
    return window[start:end]


def _keyword_value(value: str, window: str) -> bool:
    """The keyword plugin ties the value to a password/secret/api-key name already; it must still look made
    by a machine (test passwords such as ``testclient`` or ``superS3cret`` do not) and not be a hash."""
    return (
        len(value) >= _MIN_KEYWORD_VALUE
        and shannon_entropy(value) >= _MIN_KEYWORD_ENTROPY
        and looks_generated(value)
        and not _PASSWORD_HASH.search(value)
        and not _DIGEST_CONTEXT.search(bound_name(value, window))
    )


def _entropy_value(value: str, window: str) -> bool:
    name = bound_name(value, window)
    return bool(_CREDENTIAL_CONTEXT.search(name)) and not _DIGEST_CONTEXT.search(name) and looks_generated(value)


def _url_credential(value: str, window: str) -> bool:
    """A password in ``scheme://user:password@host``: real unless a placeholder, a template field
    (``{}``, ``{password}``, ``$DB_PASSWORD``, ``:pass@``) or aimed at a reserved host."""
    if value.lower() in _PLACEHOLDER_PASSWORDS or _URL_TEMPLATE.match(value):
        return False
    at = window.find(value + "@")
    if at < 0:
        return True
    host = re.split(r"[/:?#\s\"'@\\]", window[at + len(value) + 1 :], maxsplit=1)[0]
    return not _RESERVED_HOST.match(host)


def _public_host_ip(value: str, window: str) -> bool:
    address = value.split(":", 1)[0]
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        return False
    if not ip.is_global or ip.is_multicast or address in _WELL_KNOWN_IPS or len(set(address.split("."))) == 1:
        return False
    at = window.find(value)
    return at >= 0 and bool(_HOST_CONTEXT.search(window, max(0, at - _HOST_LOOKBACK), at))


def keep(plugin: str, value: str, window: str, path: str) -> bool:
    """Whether a value reported by ``plugin`` is worth a finding."""
    if plugin == "IPPublicDetector":
        return _public_host_ip(value, window)
    if looks_like_sample(value):
        return False
    if plugin == "KeywordDetector":
        return _keyword_value(value, window)
    if plugin in _ENTROPY_PLUGINS:
        return _entropy_value(value, window)
    if plugin == "BasicAuthDetector":
        return _url_credential(value, window)
    return True
