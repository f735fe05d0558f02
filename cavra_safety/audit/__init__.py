"""The reviewer's audit: the working tree and the full history, every rule, one report per category, a verdict
and an evidence digest. One report model (``model``), three renderers from it (``FORMATS``)."""

from __future__ import annotations

from collections.abc import Callable

from cavra_safety.audit.document import compute_digest, render_json, report_digest, to_document
from cavra_safety.audit.html import render_html
from cavra_safety.audit.markdown import render_markdown
from cavra_safety.audit.model import AuditReport, Verdict
from cavra_safety.audit.run import run_audit
from cavra_safety.audit.verify import Verification, load_report, verify_document

AuditRenderer = Callable[[AuditReport], str]

FORMATS: dict[str, AuditRenderer] = {
    "markdown": render_markdown,
    "html": render_html,
    "json": render_json,
}

__all__ = [
    "FORMATS",
    "AuditRenderer",
    "AuditReport",
    "Verdict",
    "Verification",
    "compute_digest",
    "load_report",
    "render_json",
    "report_digest",
    "run_audit",
    "to_document",
    "verify_document",
]
