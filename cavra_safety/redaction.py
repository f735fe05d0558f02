"""What may be shown of a secret, and which parts of a user's text look like one: the bottom of the layers, so
that findings, errors and every message use the one rule.

An error message names the bad value so the user can find it, but the value may be a secret put in the wrong
place (a key pasted into ``fail-on``, ``--diff``, ``--baseline``): every message quotes user values through
``quoted`` and the CLI passes every error line through ``redact_secrets`` before printing it. Both apply one
rule, ``secret_spans``.

The rule: a value is secret-shaped where it holds

- a known credential shape: a provider prefix followed by a token (Stripe ``sk_live_``, GitHub ``ghp_`` /
  ``github_pat_``, Slack ``xoxb-``, AWS ``AKIA``, Google ``AIza``, OpenAI / Anthropic ``sk-``, GitLab
  ``glpat-``, npm, PyPI, Hugging Face, SendGrid, a JWT, a PEM private-key header);
- the password of a URL (``scheme://user:password@host``);
- a random-looking token: a run of 16 or more letters, digits and ``+/=_-`` (or one ``/``-separated part of
  it, so that a path keeps its other parts) with a character entropy of at least 3 bits, whose letters and
  digits break (at case and digit changes) into words of 2.5 characters or fewer on average
  (``Q7x9Lm2Kp4Zr...``, hex, UUIDs, base64), or of which at least half is not natural words (a natural word
  has three or more letters, a vowel and no six consonants in a row). Names of things
  (``policy/tenant-id-value``, ``test_a_hand_edited_entry_names0``, ``getTenantIdField``, a pytest folder)
  read as words and are shown in clear. Measured on random tokens of 20 characters: base62 and base64 about
  98% caught, hex all, lowercase letters and digits about 85%, base32 about 70%.

A secret-shaped part is replaced as every finding's evidence is (``redact``): at most its first four characters, an
ellipsis and its length (``sk_l…(32 chars)``). Short passwords that look like words cannot be told from words
and are shown; everything a scanner would call a credential is not.
"""

from __future__ import annotations

import math
import re


def redact(secret: str) -> str:
    """At most the first four characters, then an ellipsis and the length; short values show less."""
    shown = secret[: min(4, len(secret) // 4)]
    return f"{shown}…({len(secret)} chars)"


def shannon_entropy(value: str) -> float:
    """Bits per character of ``value``'s character distribution (0 for an empty value)."""
    if not value:
        return 0.0
    counts: dict[str, int] = {}
    for char in value:
        counts[char] = counts.get(char, 0) + 1
    length = len(value)
    return -sum(n / length * math.log2(n / length) for n in counts.values())


_KNOWN_SHAPES = re.compile(
    r"(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{6,}"
    r"|whsec_[0-9A-Za-z+/=]{8,}"
    r"|gh[pousr]_[0-9A-Za-z]{12,}|github_pat_[0-9A-Za-z_]{12,}"
    r"|glpat-[0-9A-Za-z_-]{12,}"
    r"|xox[abposr]-[0-9A-Za-z-]{8,}|xapp-[0-9A-Za-z-]{8,}"
    r"|\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{12,}"
    r"|AIza[0-9A-Za-z_-]{16,}"
    r"|\bsk-(?:proj-|ant-|svcacct-|admin-)?[0-9A-Za-z_-]{12,}"
    r"|\b(?:npm_|hf_|pypi-)[0-9A-Za-z_-]{16,}"
    r"|\bSG\.[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}"
    r"|\beyJ[0-9A-Za-z_-]{6,}\.[0-9A-Za-z_-]{6,}(?:\.[0-9A-Za-z_-]*)?"
    r"|-----BEGIN[A-Z ]*PRIVATE KEY-----[^-]*(?:-----END[A-Z ]*PRIVATE KEY-----)?"
)
_URL_PASSWORD = re.compile(r"(?<=://)[^/\s:@'\"]*:(?P<password>[^/\s@'\"]+)(?=@)")
_RUN = re.compile(r"[A-Za-z0-9+/=_-]{16,}")
_PATH_PART = re.compile(r"[^/]{16,}")
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")
_CONSONANTS = re.compile(r"[^aeiouyAEIOUY]{6,}")
_VOWELS = frozenset("aeiouyAEIOUY")
_MIN_TOKEN = 16
_MAX_AVERAGE_WORD = 2.5
_MIN_ENTROPY = 3.0


def _natural(word: str) -> bool:
    """A word a person would write: letters, a vowel, no long run of consonants."""
    return len(word) >= 3 and word.isalpha() and any(c in _VOWELS for c in word) and not _CONSONANTS.search(word)


def _random_looking(run: str) -> bool:
    """Whether ``run`` reads as random characters rather than words (see the module docstring)."""
    words = _WORDS.findall(run)
    characters = sum(len(word) for word in words)
    if characters < _MIN_TOKEN or shannon_entropy(run) < _MIN_ENTROPY:
        return False
    if characters / len(words) <= _MAX_AVERAGE_WORD:
        return True
    return sum(len(word) for word in words if not _natural(word)) * 2 >= characters


def secret_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every secret-shaped part of ``text``, in order and not overlapping."""
    spans = [match.span() for match in _KNOWN_SHAPES.finditer(text)]
    spans += [match.span("password") for match in _URL_PASSWORD.finditer(text)]
    for match in _RUN.finditer(text):
        # A path's parts first, so that only the part that looks random is hidden; then the whole run
        # (base64 holds slashes too).
        parts = [
            (match.start() + part.start(), match.start() + part.end())
            for part in _PATH_PART.finditer(match.group(0))
            if _random_looking(part.group(0))
        ]
        if not parts and _random_looking(match.group(0)):
            parts = [match.span()]
        spans += parts
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def redact_secrets(text: str) -> str:
    """``text`` with every secret-shaped part redacted; the rest (names, paths, messages) as it was."""
    spans = secret_spans(text)
    if not spans:
        return text
    pieces, position = [], 0
    for start, end in spans:
        pieces += [text[position:start], redact(text[start:end])]
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def quoted(value: object) -> str:
    """How a message quotes a value the user gave (a config value, a flag, a field of a file): ``repr`` for
    what is not text, a quoted string with every secret-shaped part redacted for what is. Long values are cut
    to 80 characters, so one line stays one line."""
    if not isinstance(value, str):
        text = repr(value)
        return redact_secrets(text if len(text) <= 80 else text[:77] + "...")
    shown = redact_secrets(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return repr(shown)
