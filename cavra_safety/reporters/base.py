"""What every reporter shares: the render options, the reporter signature and a few pure helpers.

Reporters are pure functions of a ``ScanResult``: sorted, no timestamps, no absolute paths, so that their
output can be compared to golden files byte for byte. They only ever show ``Finding.redacted``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cavra_safety import __version__
from cavra_safety.display import printable
from cavra_safety.findings import Finding, ScanResult, Severity, Suppressed


@dataclass(frozen=True)
class RenderOptions:
    """How to render. ``tool_version`` is an option (not read inside reporters) so that tests can pin it;
    ``show_suppressed`` lists what allows and the baseline waved through in the text report (the machine
    formats always carry them); ``show_author`` names a history finding's author in the text report (JSON and
    SARIF always do); ``width``: the terminal's columns, to wrap long text reports' messages to (None: no wrap,
    for a pipe or a file)."""

    color: bool = False
    tool_version: str = __version__
    show_suppressed: bool = False
    show_author: bool = False
    width: int | None = None
    # The arguments of ``cavra-safety baseline`` that accept this scan's findings (``allow_hint``), for the
    # text report's hint where an allow comment cannot be written; None: a plain ``baseline update``.
    baseline_arguments: tuple[str, ...] | None = None


Reporter = Callable[[ScanResult, RenderOptions], str]

# Most severe first: the order of every per-severity listing.
SEVERITIES_DESCENDING: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))


def sorted_findings(result: ScanResult) -> list[Finding]:
    return sorted(result.findings, key=Finding.sort_key)


def sorted_suppressed(result: ScanResult) -> list[Suppressed]:
    return sorted(result.suppressed, key=Suppressed.sort_key)


NO_REASON = "(no reason given)"


def justification(item: Suppressed) -> str:
    """Why it was waved through, printable; ``(no reason given)`` for an allow without ``-- reason``."""
    return printable(item.justification) if item.justification.strip() else NO_REASON


def suppressed_kinds(result: ScanResult) -> str:
    """``2 inline, 1 baseline``: the kinds that are not zero."""
    counts = ((result.suppressed_inline, "inline"), (result.suppressed_baseline, "baseline"))
    return ", ".join(f"{n} {kind}" for n, kind in counts if n)


def suppressed_counts(result: ScanResult) -> str:
    """``3 suppressed (2 inline, 1 baseline)``."""
    return f"{len(result.suppressed)} suppressed ({suppressed_kinds(result)})"


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
