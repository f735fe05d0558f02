"""Values that are not literal secrets: the placeholder filter every policy rule gets for free.

The engine applies this to the value a rule captured (the ``secret`` group, a record's identifier, ...), so that
rules need not repeat it. A value is ignored when:

- it is empty or only whitespace;
- the whole value is a template or placeholder shape: ``<tenant-id>``, ``${TENANT_ID}``, ``$TENANT_ID``,
  ``%TENANT_ID%``, ``{{ tenant_id }}``, ``{tenant}``, ``[tenant id]``;
- it *contains* a template expression that cannot be part of a real value: ``${...}``, ``{{ ... }}``,
  ``<name>`` or ``{name}`` (e.g. ``https://<tenant>.okta.com`` or ``postgres://app:${DB_PASSWORD}@db``);
- it is one repeated character once separators are ignored (``xxxxxxxx``, ``********``, ``0000-0000-0000``)
  or holds a mask run of six or more ``x``/``X``/``*``/``•`` (``sk_live_xxxxxxxxxxxx``);
- it contains (case-insensitively) a placeholder marker: ``your_``, ``your-``, ``example``, ``placeholder``,
  ``changeme``, ``redacted`` and a few spellings of the same (see ``MARKERS``);
- it is a word that stands for "no value" or a type name: ``None``, ``null``, ``undefined``, ``str`` ...;
- it is trivial test data: a filler word with an optional filler prefix and a short number (``token1``,
  ``secret``, ``mysecret``, ``test-password``, ``fake_key_2``; see ``TRIVIAL_WORDS``), a well-known default
  password (``changeit``, ``letmein``), a run of consecutive characters (``12345678``, ``abcdef``,
  ``abcd1234``) or a short unit repeated (``121212``, ``abcabcabc``);
- it is a provider's own documented example key (Stripe's test keys in its API reference, the Azurite
  storage key, the jwt.io token ...), recognised by digest (see ``DOCUMENTED_EXAMPLE_DIGESTS``);
- it starts like an environment or settings look-up: ``os.environ[...]``, ``os.getenv(``, ``getenv(``,
  ``process.env.X``, ``import.meta.env``, ``ENV[``, ``settings.X`` ... Rules should capture quoted or unquoted
  *literal* values only, so such expressions rarely reach this filter; it is the safety net for rules that
  capture unquoted values (``.env`` and YAML files).

The lists below are data: extend them here, not in the code.
"""

from __future__ import annotations

import hashlib
import re

# The one placeholder vocabulary: words that say a value stands in for a real one, and fragments of templates,
# format fields and elisions that no real value holds. Both the policy rules' value filter (``is_placeholder``)
# and the secrets detector's ``placeholder`` precision filter read these two tables (``says_placeholder``), so
# that the two detectors agree on what a placeholder is; extend them here.
MARKERS: tuple[str, ...] = (
    "your_",
    "your-",
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "redacted",
    "replace",  # replace_me, replace-with-your-key, REPLACE_THIS
    "sample",
    "dummy",
)
TEMPLATE_FRAGMENTS: tuple[str, ...] = (
    r"\$\{",  # ${NAME} (or a template cut short)
    r"\{\{",  # {{ name }}
    r"<[^<>]*>",  # <tenant-id>, https://<tenant>.okta.com
    r"%\(",  # %(name)s (Python, configparser interpolation)
    r"%s",  # printf field
    r"\.\.\.",  # sk_live_... (elided)
    "\u2026",  # the ellipsis character
)

NOT_A_VALUE: frozenset[str] = frozenset(
    "none null nil undefined true false n/a tbd todo str string int integer number bool boolean any object".split()
)

WHOLE_VALUE_SHAPES: tuple[str, ...] = (
    r"<[^<>]*>",  # <tenant-id>
    r"\$\{[^{}]*\}",  # ${TENANT_ID}
    r"\$[A-Za-z_][A-Za-z0-9_]*",  # $TENANT_ID
    r"%[A-Za-z_][A-Za-z0-9_]*%",  # %TENANT_ID%
    r"\{\{.*\}\}",  # {{ tenant_id }}
    r"\{[^{}]*\}",  # {tenant}
    r"\[[^\[\]]*\]",  # [tenant id]
)

# Shapes beside the template fragments that only the policy filter reads (its values are whole captures).
EMBEDDED_SHAPES: tuple[str, ...] = (
    r"\{[A-Za-z_][A-Za-z0-9_.-]*\}",  # https://{tenant}.okta.com
    r"[xX*•]{6,}",  # sk_live_xxxxxxxxxxxxxxxx
)

LOOKUP_PREFIXES: tuple[str, ...] = (
    r"os\.environ",
    r"os\.getenv",
    r"getenv\s*\(",
    r"process\.env\b",
    r"import\.meta\.env\b",
    r"ENV\s*\[",
    r"env\s*\(",
    r"System\.getenv",
    r"Environment\.GetEnvironmentVariable",
    r"settings\.[A-Z_]",
    r"config\s*\[",
    r"Deno\.env\b",
)

# Trivial test data: an optional filler prefix, then a filler word, then at most three digits, separators
# anywhere between (``token1``, ``mysecret``, ``test-password``, ``fake_key_2``, ``dummy_token``).
TRIVIAL_PREFIXES: tuple[str, ...] = (
    "my", "test", "testing", "fake", "dummy", "mock", "some", "super", "sample", "demo", "bad", "wrong",
    "invalid", "other", "another", "new", "old", "dev", "local", "foo", "bar",
)  # fmt: skip
TRIVIAL_WORDS: tuple[str, ...] = (
    "token", "secret", "password", "passwd", "pass", "pwd", "pw", "key", "apikey", "api_key", "api-key",
    "access_token", "auth", "test", "testing", "fake", "dummy", "mock", "foo", "bar", "baz", "qux", "foobar",
    "admin", "root", "user", "guest", "demo", "sample", "value", "string", "hello", "world", "s3cr3t",
    "passw0rd", "p@ssw0rd", "p@ssword", "pa55word", "p4ssword",
)  # fmt: skip
# Default and proverbial passwords that no one keeps a secret (Java's keystore default, the classics).
DEFAULT_PASSWORDS: frozenset[str] = frozenset(
    "changeit letmein hunter2 qwerty qwertyuiop iloveyou trustno1 welcome welcome1 opensesame".split()
)
# Runs of consecutive characters: a value made of one run of six or more (123456, abcdef), or of two runs of
# four or more each (abcd1234); shorter compositions (abc123) are left to the rules' own word lists.
SEQUENCES: tuple[str, ...] = ("01234567890", "abcdefghijklmnopqrstuvwxyz", "09876543210", "zyxwvutsrqponmlkjihgfedcba")
MIN_SEQUENCE = 6
MIN_SEQUENCE_PART = 4
MIN_REPEATED = 6  # a short unit repeated: 121212, abcabc
MAX_REPEATED_UNIT = 3

# sha256 of example keys that providers print in their own documentation, and that tutorials copy verbatim.
# Digests rather than the text, so that this file is not itself a hit for other scanners (push protection).
DOCUMENTED_EXAMPLE_DIGESTS: frozenset[str] = frozenset(
    {
        # Stripe API reference test keys (sk_test_4eC3..., pk_test_TYoo...) and their older versions
        "2cafc0970149a84f3b9e62eaf169f36f59907a3b3e31f7b82e68c69cd27f7326",
        "b1471f544ceeea31333bde7e1ecbaad6eac0d4a749412ad29bd66ef895b81c6b",
        "f2d6ca16515033e5dce14eba840b979d27b5cbae24bb3e5bf484339667f86397",
        "5895b89c8fb33402a5bfc23aad5aaf863fbb438a51e1a0bb02b0ce618c8fdf9d",
        # Azurite / Azure Storage Emulator account key of devstoreaccount1 (public, fixed)
        "0011cc25eb4320717494d2703e8cba85743e71b500283c21c8b88147992f9059",
        # the jwt.io example token (HS256, "John Doe")
        "7f75367e7881255134e1375e723d1dea8ad5f6a4fdb79d938df1f1754a830606",
        # GitHub Docs example tokens (ghp_16C7..., gho_16C7...)
        "3543c50b0cb9cea8e55eb1f529b79f043cb250d485fde7b66cabbb5183add7da",
        "bc3ae723f57c6b9e3fd80b699fcc420f6074b0b1718039669d22631d508ac0a7",
        # Slack API docs example bot token (xoxb-17653672481-...)
        "2ddc147f3a3b5a1722b8ed6be3c45c49a7156b17fca5d11410137a6d04def6eb",
        # Telegram Bot API docs example bot token (110201543:AAHdqTcv...)
        "0b5dd075ccdd03c42f4edda8e299e6838e2a75d3486a2a8d86940ed1541e9178",
    }
)

SEPARATORS = "-_.:/ "

_WHOLE = re.compile("|".join(f"(?:{shape})" for shape in WHOLE_VALUE_SHAPES))
_EMBEDDED = re.compile("|".join(f"(?:{shape})" for shape in EMBEDDED_SHAPES))
_LOOKUP = re.compile("|".join(f"(?:{prefix})" for prefix in LOOKUP_PREFIXES))
_MARKER = re.compile(
    "|".join([*(re.escape(marker) for marker in MARKERS), *TEMPLATE_FRAGMENTS]),
    re.IGNORECASE,
)
_SEPARATOR_TABLE = str.maketrans("", "", SEPARATORS)
_SEPARATOR = "[-_. ]?"
_TRIVIAL = re.compile(
    f"(?:(?:{'|'.join(map(re.escape, TRIVIAL_PREFIXES))}){_SEPARATOR})?"
    f"(?:{'|'.join(map(re.escape, TRIVIAL_WORDS))}){_SEPARATOR}[0-9]{{0,3}}",
    re.IGNORECASE,
)
_RUNS = re.compile("[a-z]+|[0-9]+")


def is_placeholder(value: str) -> bool:
    """Whether ``value`` is a placeholder, template, mask or look-up rather than a literal worth reporting."""
    stripped = value.strip()
    if not stripped:
        return True
    if stripped.lower() in NOT_A_VALUE:
        return True
    if _WHOLE.fullmatch(stripped) or _EMBEDDED.search(stripped) or _LOOKUP.match(stripped):
        return True
    if says_placeholder(stripped):
        return True
    significant = stripped.translate(_SEPARATOR_TABLE)
    if len(set(significant)) <= 1:
        return True
    return is_trivial(stripped) or is_documented_example(stripped)


def says_placeholder(value: str) -> bool:
    """The value holds a word of ``MARKERS`` or a ``TEMPLATE_FRAGMENTS`` fragment: the one vocabulary both
    detectors read."""
    return _MARKER.search(value) is not None


def is_trivial(value: str) -> bool:
    """Test data no one would keep secret: ``token1``, ``mysecret``, ``changeit``, ``12345678``, ``abcd1234``."""
    if _TRIVIAL.fullmatch(value) or value.lower() in DEFAULT_PASSWORDS:
        return True
    significant = value.translate(_SEPARATOR_TABLE).lower()
    return _is_sequence(significant) or _is_repeated(significant)


def is_documented_example(value: str) -> bool:
    """A provider's own documentation example (by digest; see ``DOCUMENTED_EXAMPLE_DIGESTS``)."""
    return hashlib.sha256(value.encode()).hexdigest() in DOCUMENTED_EXAMPLE_DIGESTS


def _is_sequence(text: str) -> bool:
    """One or two runs of consecutive characters covering the whole text (``123456``, ``abcd1234``)."""
    runs = _RUNS.findall(text)
    if not 1 <= len(runs) <= 2 or sum(map(len, runs)) != len(text) or len(text) < MIN_SEQUENCE:
        return False
    shortest = MIN_SEQUENCE if len(runs) == 1 else MIN_SEQUENCE_PART
    return all(len(run) >= shortest and any(run in sequence for sequence in SEQUENCES) for run in runs)


def _is_repeated(text: str) -> bool:
    """A unit of one to three characters repeated to fill the text (``121212``, ``abcabcabc``)."""
    if len(text) < MIN_REPEATED:
        return False
    return any(
        len(text) % size == 0 and text == text[:size] * (len(text) // size) for size in range(1, MAX_REPEATED_UNIT + 1)
    )
