"""The JSON report: a stable, documented contract (docs/json-report.md) for scripts and dashboards.

Key order is fixed by construction, ``indent=2`` and a trailing newline; no timestamps and no seconds, so
two scans of the same tree give the same bytes. ``version`` changes only when a field is removed, renamed
or changes meaning; new fields are added without a bump.
"""

from __future__ import annotations

import json

from cavra_safety import TOOL_NAME
from cavra_safety.display import printable
from cavra_safety.findings import Finding, ScanResult, Suppressed
from cavra_safety.reporters.base import SEVERITIES_DESCENDING, RenderOptions, sorted_findings, sorted_suppressed

JSON_REPORT_VERSION = 1

JsonValue = str | int | bool | None | dict[str, "JsonValue"] | list["JsonValue"]


def render_json(result: ScanResult, options: RenderOptions) -> str:
    document: dict[str, JsonValue] = {
        "version": JSON_REPORT_VERSION,
        "tool": {"name": TOOL_NAME, "version": options.tool_version},
        "findings": [_finding(finding) for finding in sorted_findings(result)],
        "suppressed": [_suppressed(item) for item in sorted_suppressed(result)],
        "skipped": [{"path": printable(s.path), "reason": printable(s.reason)} for s in sorted(result.skipped)],
        "notes": [
            {"path": printable(note.path), "line": note.line, "message": printable(note.message)}
            for note in sorted(result.notes)
        ],
        "summary": _summary(result),
    }
    # ensure_ascii=False keeps non-ASCII file names readable; printable() has already removed the lone
    # surrogates that would make the text unencodable.
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _finding(finding: Finding) -> dict[str, JsonValue]:
    return {
        "rule_id": finding.rule_id,
        "category": finding.category.value,
        "severity": finding.severity.label,
        "path": printable(finding.path),
        "line": finding.line,
        "end_line": finding.end_line,
        "column": finding.column,
        "end_column": finding.end_column,
        "commit": finding.commit,
        "author_date": finding.author_date,
        "author": printable(finding.author) if finding.author is not None else None,
        "in_head": finding.in_head,
        "occurrences": finding.occurrences,
        "message": printable(finding.message),
        "fingerprint": finding.fingerprint,
        "redacted": printable(finding.redacted),
    }


def _suppressed(item: Suppressed) -> dict[str, JsonValue]:
    return {
        **_finding(item.finding),
        "kind": item.kind.value,
        "justification": printable(item.justification),
        "comment_line": item.comment_line,
    }


def _summary(result: ScanResult) -> dict[str, JsonValue]:
    # Every category id is present, zeros included, in the order of the policy table.
    by_category: dict[str, JsonValue] = {
        category.value: count for category, count in result.counts_by_category().items()
    }
    by_severity: dict[str, JsonValue] = {
        severity.label: sum(1 for finding in result.findings if finding.severity is severity)
        for severity in SEVERITIES_DESCENDING
    }
    return {
        "files_scanned": result.files_scanned,
        "files_skipped": len(result.skipped),
        "findings": len(result.findings),
        "by_category": by_category,
        "by_severity": by_severity,
        "suppressed": {"inline": result.suppressed_inline, "baseline": result.suppressed_baseline},
    }
