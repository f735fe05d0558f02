"""What every reporter shares: the render options, the reporter signature and a few pure helpers.

Reporters are pure functions of a ``ScanResult``: sorted, no timestamps, no absolute paths, so that their
output can be compared to golden files byte for byte. They only ever show ``Finding.redacted``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cavra_safety import __version__
from cavra_safety.display import printable
from cavra_safety.findings import Finding, ScanResult, Severity


@dataclass(frozen=True)
class RenderOptions:
    """How to render. ``tool_version`` is an option (not read inside reporters) so that tests can pin it."""

    color: bool = False
    tool_version: str = __version__


Reporter = Callable[[ScanResult, RenderOptions], str]

# Most severe first: the order of every per-severity listing.
SEVERITIES_DESCENDING: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))


def sorted_findings(result: ScanResult) -> list[Finding]:
    return sorted(result.findings, key=Finding.sort_key)


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
