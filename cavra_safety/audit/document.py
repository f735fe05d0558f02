"""The JSON form of an audit report (documented in docs/audit.md), and its evidence digest.

The digest is the sha256 of the canonical JSON of the report without its ``digest`` key: keys sorted,
no insignificant whitespace, UTF-8, no ASCII escaping. The digest covers ``generated_at``, so that the date
of a filed report cannot be changed unseen; the report carries no absolute path, so auditing the same commit
with the same tool and packs at the same ``SOURCE_DATE_EPOCH`` gives the same digest.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from cavra_safety import TOOL_NAME
from cavra_safety.audit.model import (
    REPORT_KIND,
    REPORT_VERSION,
    AuditFinding,
    AuditReport,
    CategoryRow,
    RuleRef,
    Scope,
    Status,
)
from cavra_safety.findings import Note, Skipped

DIGEST_PREFIX = "sha256:"

Document = dict[str, Any]


def canonical_bytes(document: Document) -> bytes:
    """The bytes the digest covers: ``document`` without ``digest``, in canonical JSON."""
    body = {key: value for key, value in document.items() if key != "digest"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8", "surrogatepass")


def compute_digest(document: Document) -> str:
    return DIGEST_PREFIX + hashlib.sha256(canonical_bytes(document)).hexdigest()


def to_document(report: AuditReport) -> Document:
    """The report as JSON values, ``digest`` included (last)."""
    identity = report.identity
    document: Document = {
        "report": REPORT_KIND,
        "version": REPORT_VERSION,
        "verdict": report.verdict.value,
        "generated_at": identity.generated_at,
        "repository": {
            "name": identity.repository,
            "head": {
                "commit": identity.head_commit,
                "ref": identity.head_ref,
                "branch": identity.head_branch,
                "date": identity.head_date,
            },
            "uncommitted_changes": identity.dirty,
        },
        "tool": {"name": TOOL_NAME, "version": identity.tool_version},
        "policy_packs": [
            {"name": p.name, "version": p.version, "sha256": p.sha256, "visibility": p.visibility}
            for p in identity.packs
        ],
        "scope": _scope(report.scope),
        "categories": [_category(row, report) for row in report.categories],
        "findings": [_finding(finding) for finding in report.findings],
        "summary": {
            "categories_failing": sum(1 for row in report.categories if row.failing),
            "open": len(report.open_findings),
            "accepted": len(report.with_status(Status.ACCEPTED)),
            "allowed": len(report.with_status(Status.ALLOWED)),
            "allowed_without_reason": len(report.needing_attention),
        },
    }
    document["digest"] = compute_digest(document)
    return document


def render_json(report: AuditReport) -> str:
    return json.dumps(to_document(report), indent=2, ensure_ascii=False) + "\n"


def report_digest(report: AuditReport) -> str:
    return str(to_document(report)["digest"])


def _skipped(items: tuple[Skipped, ...]) -> list[dict[str, str]]:
    return [{"path": item.path, "reason": item.reason} for item in items]


def _notes(items: tuple[Note, ...]) -> list[dict[str, Any]]:
    return [{"path": note.path, "line": note.line, "message": note.message} for note in items]


def _scope(scope: Scope) -> Document:
    settings = scope.settings
    return {
        "tree": {
            "files_scanned": scope.files_scanned,
            "bytes_scanned": scope.bytes_scanned,
            "files_skipped": _skipped(scope.files_skipped),
            "allowed_inline": scope.allowed_inline,
        },
        "history": {
            "refs": scope.refs,
            "commits_scanned": scope.commits_scanned,
            "file_changes_scanned": scope.history_files_scanned,
            "files_skipped": _skipped(scope.history_skipped),
            "allowed_inline": scope.history_allowed_inline,
        },
        "settings": {
            "exclude": list(settings.exclude),
            "respect_gitignore": settings.respect_gitignore,
            "max_file_size": settings.max_file_size,
        },
        "baseline": {
            "file": settings.baseline_file,
            "entries": settings.baseline_entries,
            "stale_entries": settings.baseline_stale,
        },
        "notes": _notes(scope.notes),
    }


def _rule(rule: RuleRef) -> Document:
    return {
        "rule_id": rule.rule_id,
        "title": rule.title,
        "severity": rule.severity.label,
        "paths": {"include": list(rule.include), "exclude": list(rule.exclude)},
    }


def _category(row: CategoryRow, report: AuditReport) -> Document:
    mine = report.findings_of(row.category)
    accepted = [f for f in mine if f.status is Status.ACCEPTED]
    allowed = [f for f in mine if f.status is Status.ALLOWED]
    return {
        "id": row.category.value,
        "title": row.title,
        "verdict": row.verdict.value,
        "rules": [_rule(rule) for rule in row.rules],
        "counts": {
            "tree": row.tree,
            "history_only": row.history_only,
            "accepted": row.accepted,
            "allowed": row.allowed,
            "allowed_without_reason": row.unexplained,
        },
        "accepted": [
            {
                "rule_id": f.rule_id,
                "path": f.path,
                "location": f.location.value,
                "fingerprint": f.fingerprint,
                "reason": f.accepted_reason,
            }
            for f in accepted
        ],
        "allowed": [
            {
                "rule_id": f.rule_id,
                "path": f.path,
                "line": f.line,
                "location": f.location.value,
                "commit": f.commit,
                "fingerprint": f.fingerprint,
                "reason": f.allow_reason,
                "comment_line": f.allow_line,
            }
            for f in allowed
        ],
    }


def _finding(finding: AuditFinding) -> Document:
    return {
        "category": finding.category.value,
        "rule_id": finding.rule_id,
        "severity": finding.severity.label,
        "location": finding.location.value,
        "status": finding.status.value,
        "path": finding.path,
        "line": finding.line,
        "end_line": finding.end_line,
        "column": finding.column,
        "commit": finding.commit,
        "author_date": finding.author_date,
        "author": finding.author,
        "in_head": finding.in_head,
        "occurrences": finding.occurrences,
        "redacted": finding.redacted,
        "fingerprint": finding.fingerprint,
        "message": finding.message,
        "fix": finding.fix,
        "accepted_reason": finding.accepted_reason,
        "allow_reason": finding.allow_reason,
        "allow_line": finding.allow_line,
    }
