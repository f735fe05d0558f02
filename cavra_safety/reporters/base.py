"""What every reporter shares: the render options, the reporter signature and a few pure helpers.

Reporters are pure functions of a ``ScanResult``: sorted, no timestamps, no absolute paths, so that their
output can be compared to golden files byte for byte. They only ever show ``Finding.redacted``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from cavra_safety import __version__
from cavra_safety.findings import Finding, ScanResult, Severity


@dataclass(frozen=True)
class RenderOptions:
    """How to render. ``tool_version`` is an option (not read inside reporters) so that tests can pin it."""

    color: bool = False
    tool_version: str = __version__


Reporter = Callable[[ScanResult, RenderOptions], str]

# Most severe first: the order of every per-severity listing.
SEVERITIES_DESCENDING: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))

# Bidirectional controls reorder what a terminal shows ("Trojan Source"); control characters can move the
# cursor or recolour the screen. A file name or message is data, so neither may act on the reader's terminal.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def sorted_findings(result: ScanResult) -> list[Finding]:
    return sorted(result.findings, key=Finding.sort_key)


def printable(value: str) -> str:
    """``value`` safe to print and to encode as UTF-8.

    Lone surrogates (undecodable bytes of a file name that escaped ``sources.display_path``) become ``\\xNN``
    or ``\\udNNN``; control and bidirectional characters become ``\\xNN`` / ``\\uNNNN`` escapes.
    """
    try:
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    if value.isprintable() and value.isascii():
        return value
    return "".join(_escape_char(char) for char in value)


def _escape_char(char: str) -> str:
    if char in _BIDI_CONTROLS:
        return f"\\u{ord(char):04x}"
    if unicodedata.category(char) == "Cc":
        return f"\\x{ord(char):02x}"
    return char


def evidence(finding: Finding) -> str:
    """The redacted value, never the secret; the history commit when there is one, and what a history scan
    knows about it (author date, how many commits added it, whether the tip still holds it)."""
    text = printable(finding.redacted)
    if not finding.commit:
        return text
    text = f"{text} in commit {finding.commit}"
    details = history_details(finding)
    return f"{text} ({details})" if details else text


def history_details(finding: Finding) -> str:
    """``authored 2024-05-01T10:00:00+02:00, added in 3 commits, no longer in HEAD``: the parts that are known."""
    parts = []
    if finding.author_date:
        parts.append(f"authored {printable(finding.author_date)}")
    if finding.occurrences > 1:
        parts.append(f"added in {finding.occurrences} commits")
    if finding.in_head is not None:
        parts.append("still in HEAD" if finding.in_head else "no longer in HEAD")
    return ", ".join(parts)


def sentence(text: str) -> str:
    """``text`` ending in a full stop, so that more text can follow it."""
    text = text.rstrip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."
