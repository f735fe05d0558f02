"""The terminal report: findings grouped by file, then notes, skipped files and a short summary.

Layout (colour only when asked for)::

    config/settings.py
      12:5  critical  secret/stripe-live-key  [billing-secret]
            Stripe live secret key; remove it, rotate it and read it from the environment.
            evidence  sk_l…(32 chars)
            allow     cavra: allow secret/stripe-live-key -- <reason>  (in a comment on line 12, if harmless)

Where no comment can be written (JSON, CSV, a commit of the history), the hint is the baseline command that
accepts the finding instead (``allow_hint``)::

            accept    cavra-safety baseline update --history --reason '<why it is harmless>'  (in a commit: ...)

    notes
      docs/setup.md:4  allow comment without a rule id: ...

    skipped 3 files
      binary: 2 files
        assets/logo.png, assets/banner.png

    2 findings (1 critical, 1 high) in 1 file; 1 suppressed (1 inline)

With ``--show-suppressed``, what allows and the baseline waved through is listed after the findings::

    suppressed 1 finding (1 inline)
      tests/fixtures/billing.py:8:12  critical  secret/stripe-live-key  [billing-secret]
            allowed inline (comment on line 8): fixture for the parser tests
            evidence  sk_l…(32 chars)

The message has a line of its own so that finding lines stay short in a terminal; on a terminal (``width``) a
long message or note wraps with a hanging indent under its first word, while a pipe or a file gets each on one
line, for grep and for golden files. The findings count comes
last, where a terminal leaves the eye; the scope (files scanned and skipped, allowed, seconds) is the CLI's
summary line on stderr, so that it is not printed twice and this output stays comparable to a golden file.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from itertools import groupby

import click

from cavra_safety.display import printable
from cavra_safety.findings import Finding, ScanResult, Severity, Skipped, SuppressionKind
from cavra_safety.reporters.base import (
    NO_REASON,
    SEVERITIES_DESCENDING,
    RenderOptions,
    history_details,
    justification,
    sorted_findings,
    sorted_suppressed,
    suppressed_counts,
    suppressed_kinds,
)

PATHS_PER_SKIP_REASON = 3
SHORT_COMMIT = 12
_SEVERITY_WIDTH = max(len(severity.label) for severity in Severity)
_INDENT = "  "
# However narrow the terminal, a wrapped line holds at least this many characters of the message.
MIN_WRAPPED_TEXT = 30

_SEVERITY_STYLE: dict[Severity, dict[str, object]] = {
    Severity.CRITICAL: {"fg": "red", "bold": True},
    Severity.HIGH: {"fg": "red"},
    Severity.MEDIUM: {"fg": "yellow"},
    Severity.LOW: {"fg": "cyan"},
}

Style = Callable[..., str]


def render_text(result: ScanResult, options: RenderOptions) -> str:
    style: Style = click.style if options.color else _plain
    blocks: list[str] = []
    findings = sorted_findings(result)
    for path, group in groupby(findings, key=lambda finding: finding.path):
        blocks.append(_file_block(path, list(group), style, options))
    if options.show_suppressed and result.suppressed:
        blocks.append(_suppressed_block(result, style, options))
    if result.notes:
        blocks.append(_notes_block(result, style, options.width))
    if result.skipped:
        blocks.append(_skipped_block(result.skipped, style))
    blocks.append(_summary(result, style))
    return "\n\n".join(blocks) + "\n"


def _plain(text: str, **_: object) -> str:
    return text


def wrapped(prefix: str, text: str, width: int | None) -> str:
    """``prefix`` + ``text``, wrapped to ``width`` with every further line indented as far as the text starts
    (``prefix`` holds no styles); one line when ``width`` is None. Words are never cut (a URL, a rule id)."""
    if width is None:
        return prefix + text
    return textwrap.fill(
        text,
        width=max(width, len(prefix) + MIN_WRAPPED_TEXT),
        initial_indent=prefix,
        subsequent_indent=" " * len(prefix),
        break_long_words=False,
        break_on_hyphens=False,
    )


def _file_block(path: str, findings: list[Finding], style: Style, options: RenderOptions) -> str:
    from cavra_safety.reporters.allow_hint import hint_for  # only a report with findings needs it: not a clean hook run

    locations = [f"{finding.line}:{finding.column}" for finding in findings]
    width = max(len(location) for location in locations)
    # The detail lines start under the severity column, so the eye can run down the finding lines alone.
    detail = " " * (len(_INDENT) + width + 2)
    lines = [style(printable(path), bold=True, underline=True)]
    for location, finding in zip(locations, findings, strict=True):
        severity = style(finding.severity.label.ljust(_SEVERITY_WIDTH), **_SEVERITY_STYLE[finding.severity])
        rule = style(printable(finding.rule_id), bold=True)
        lines.append(f"{_INDENT}{location.ljust(width)}  {severity}  {rule}  [{finding.category.value}]")
        lines.append(wrapped(detail, printable(finding.message), options.width))
        lines.append(f"{detail}{style('evidence', dim=True)}  {_shown_evidence(finding, options.show_author)}")
        hint = hint_for(finding, options.baseline_arguments)
        label = style(hint.label.ljust(len("evidence")), dim=True)
        lines.append(f"{detail}{label}  {printable(hint.action)}  {style(hint.where, dim=True)}")
    return "\n".join(lines)


def _shown_evidence(finding: Finding, show_author: bool = False) -> str:
    shown = printable(finding.redacted)
    if finding.commit:
        shown += f"  in commit {printable(finding.commit[:SHORT_COMMIT])}"
        details = history_details(finding)
        if show_author and finding.author:
            details = f"by {printable(finding.author)}" + (f", {details}" if details else "")
        shown += f" ({details})" if details else ""
    return shown


def _suppressed_block(result: ScanResult, style: Style, options: RenderOptions) -> str:
    """Each suppressed finding: place, severity, rule and category; what waved it through and why; evidence."""
    head = f"suppressed {_count(len(result.suppressed), 'finding')} ({suppressed_kinds(result)})"
    lines = [style(head, bold=True)]
    detail = _INDENT * 3
    for item in sorted_suppressed(result):
        finding = item.finding
        place = f"{printable(finding.path)}:{finding.line}:{finding.column}"
        severity = style(finding.severity.label.ljust(_SEVERITY_WIDTH), **_SEVERITY_STYLE[finding.severity])
        lines.append(
            f"{_INDENT}{place}  {severity}  {style(printable(finding.rule_id), bold=True)}  [{finding.category.value}]"
        )
        if item.kind is SuppressionKind.INLINE:
            where = f"allowed inline (comment on line {item.comment_line})" if item.comment_line else "allowed inline"
        else:
            where = "accepted in the baseline"
        reason = justification(item)
        lines.append(f"{detail}{where}: {style(reason, fg='yellow') if reason == NO_REASON else reason}")
        lines.append(f"{detail}{style('evidence', dim=True)}  {_shown_evidence(finding, options.show_author)}")
    return "\n".join(lines)


def _notes_block(result: ScanResult, style: Style, width: int | None) -> str:
    lines = [style("notes", bold=True)]
    for note in sorted(result.notes):
        place = printable(note.path) + (f":{note.line}" if note.line > 0 else "")
        lines.append(wrapped(f"{_INDENT}{place}  ", printable(note.message), width))
    return "\n".join(lines)


def _skipped_block(skipped: tuple[Skipped, ...], style: Style) -> str:
    lines = [style(f"skipped {_count(len(skipped), 'file')}", bold=True)]
    by_reason: dict[str, list[str]] = {}
    for item in sorted(skipped):
        by_reason.setdefault(item.kind, []).append(item.path)
    # Most frequent reason first; ties in name order, so the layout is deterministic.
    for reason, paths in sorted(by_reason.items(), key=lambda entry: (-len(entry[1]), entry[0])):
        lines.append(f"{_INDENT}{printable(reason)}: {_count(len(paths), 'file')}")
        shown = ", ".join(printable(path) for path in paths[:PATHS_PER_SKIP_REASON])
        more = len(paths) - PATHS_PER_SKIP_REASON
        lines.append(f"{_INDENT * 2}{shown}" + (f", … and {more} more" if more > 0 else ""))
    return "\n".join(lines)


def _summary(result: ScanResult, style: Style) -> str:
    findings = result.findings
    if findings:
        by_severity = [
            f"{count} {severity.label}"
            for severity in SEVERITIES_DESCENDING
            if (count := sum(1 for finding in findings if finding.severity is severity))
        ]
        files = len({finding.path for finding in findings})
        head = f"{_count(len(findings), 'finding')} ({', '.join(by_severity)}) in {_count(files, 'file')}"
        head = style(head, fg="red", bold=True)
    else:
        head = style("no findings", fg="green", bold=True)
    if result.suppressed:
        # Never silent: what was waved through is counted, and listed on request.
        head += f"; {suppressed_counts(result)}"
    return head


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
