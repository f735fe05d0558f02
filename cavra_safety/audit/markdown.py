"""The audit report as GitHub-flavoured Markdown: when and of which commit, the verdict, the open findings and
the category table first, then the evidence (the accepted and allowed findings among it).

Every value from the repository (paths, messages, baseline reasons) is escaped, so that a file name cannot
break a table or inject markup into the rendered page.
"""

from __future__ import annotations

import re

from cavra_safety.audit.document import report_digest
from cavra_safety.audit.model import AuditFinding, AuditReport, CategoryRow, Location, Scope, Status, Verdict
from cavra_safety.findings import Skipped

_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")


def text(value: str) -> str:
    """Plain text safe in a paragraph or a table cell."""
    return _SPECIAL.sub(r"\\\1", " ".join(value.split()))


def code(value: str, *, cell: bool = False) -> str:
    """An inline code span that survives backticks in ``value``; in a table ``cell``, pipes too (GitHub's table
    parser honours ``\\|`` inside a code span, while elsewhere the backslash would show)."""
    value = " ".join(value.split())
    if cell:
        value = value.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def verdict_word(verdict: Verdict) -> str:
    return "PASS" if verdict is Verdict.PASS else "FAIL"


def _status(row: CategoryRow) -> str:
    status = "✅ pass" if not row.failing else "❌ **fail**"
    if row.unexplained:
        status += f" ⚠️ {_allows(row.unexplained)} without a reason"
    return status


def _allows(count: int) -> str:
    return f"{count} allow" if count == 1 else f"{count} allows"


def verdict_title(report: AuditReport) -> str:
    """``PASS`` or ``FAIL``, with what was waved through: ``PASS (3 suppressed: 2 inline, 1 baseline)``."""
    word = verdict_word(report.verdict)
    return f"{word} ({report.suppressed_summary})" if report.suppressed_summary else word


def _place(finding: AuditFinding) -> str:
    place = f"{finding.path}:{finding.line}"
    return code(place) + (f" in commit {code(finding.commit[:12])}" if finding.commit else "")


def _category_table(report: AuditReport) -> list[str]:
    lines = [
        "| Must not contain | Status | Rules | In the tree | Only in history | Accepted (baseline) | Allowed inline |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in report.categories:
        lines.append(
            f"| {text(row.title)} ({code(row.category.value, cell=True)}) | {_status(row)} | {len(row.rules)} "
            f"| {row.tree} | {row.history_only} | {row.accepted} | {row.allowed} |"
        )
    return lines


def _attention(report: AuditReport) -> list[str]:
    """Inline allows without a reason: they do not fail the verdict, but a reviewer should ask why."""
    items = report.needing_attention
    if not items:
        return []
    lines = [
        "",
        f"⚠️ **Needs attention**: {_allows(len(items))} {'gives' if len(items) == 1 else 'give'} no reason "
        "(not a failure, but nothing says why the value is harmless):",
        "",
    ]
    lines += [f"- {_place(f)}: {code(f.rule_id)} ({code(f.category.value)}), {code(f.redacted)}" for f in items]
    return lines


def _identity(report: AuditReport) -> list[str]:
    identity = report.identity
    head = "no commit (empty repository)"
    if identity.head_commit:
        ref = f" ({code(identity.head_ref)})" if identity.head_ref else " (detached HEAD)"
        head = f"{code(identity.head_commit)}{ref}, committed {identity.head_date or 'at an unknown date'}"
    tree = (
        "the working tree has uncommitted changes or untracked files (the tree scan read them)"
        if identity.dirty
        else "the working tree matches HEAD"
    )
    lines = [
        "## Identity",
        "",
        f"- Repository: {code(identity.repository)}",
        f"- Audit made: {identity.generated_at} (UTC)",
        f"- HEAD: {head}",
        f"- Working tree: {tree}",
        f"- Tool: cavra-safety {text(identity.tool_version)}",
        "",
        "| Policy pack | Version | Visibility | sha256 |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {code(p.name, cell=True)} | {text(p.version)} | {p.visibility} | {code(p.sha256, cell=True)} |"
        for p in identity.packs
    ]
    return lines


def _skipped_block(title: str, items: tuple[Skipped, ...]) -> list[str]:
    if not items:
        return []
    lines = ["", f"<details><summary>{title} ({len(items)})</summary>", "", "| File | Reason |", "|---|---|"]
    lines += [f"| {code(item.path, cell=True)} | {text(item.reason)} |" for item in items]
    return [*lines, "", "</details>"]


def _scope(scope: Scope) -> list[str]:
    settings = scope.settings
    excludes = ", ".join(code(p) for p in settings.exclude) or "none"
    baseline = "none"
    if settings.baseline_file is not None:
        baseline = (
            f"{code(settings.baseline_file)}: {settings.baseline_entries} entries, "
            f"{settings.baseline_stale} stale (matching no finding)"
        )
    lines = [
        "## Scope",
        "",
        f"- Working tree: {scope.files_scanned} files scanned ({scope.bytes_scanned} bytes), "
        f"{len(scope.files_skipped)} skipped, {scope.allowed_inline} findings allowed inline",
        f"- History: {scope.commits_scanned} commits on {scope.refs}, {scope.history_files_scanned} file "
        f"changes scanned, {len(scope.history_skipped)} files skipped, {scope.history_allowed_inline} findings "
        "allowed inline",
        f"- Excluded by configuration: {excludes}; .gitignore honoured in the tree: "
        f"{'yes' if settings.respect_gitignore else 'no'}; files over {settings.max_file_size} bytes skipped",
        f"- Baseline: {baseline}",
    ]
    lines += _skipped_block("Files skipped in the working tree", scope.files_skipped)
    lines += _skipped_block("Files skipped in the history", scope.history_skipped)
    if scope.notes:
        lines += ["", f"<details><summary>Notes ({len(scope.notes)})</summary>", ""]
        lines += [f"- {code(f'{note.path}:{note.line}')}: {text(note.message)}" for note in scope.notes]
        lines += ["", "</details>"]
    return lines


def _finding(number: int, finding: AuditFinding) -> list[str]:
    where = "in the working tree" if finding.location is Location.TREE else "only in the history"
    state = {
        Status.OPEN: "open",
        Status.ACCEPTED: "accepted in the baseline",
        Status.ALLOWED: "allowed inline" + (f" (comment on line {finding.allow_line})" if finding.allow_line else ""),
    }[finding.status]
    lines = [
        f"{number}. **{code(finding.rule_id)}** ({finding.severity.label}) at {_place(finding)}: {where}, {state}",
        f"   - Evidence: {code(finding.redacted)}, fingerprint {code(finding.fingerprint[:16])}",
    ]
    if finding.location is Location.HISTORY:
        still = {True: "yes", False: "no", None: "n/a"}[finding.in_head]
        lines.append(
            f"   - Added on {finding.author_date or 'an unknown date'}"
            + (f" by {text(finding.author)}" if finding.author else "")
            + f", in {finding.occurrences} "
            f"commit(s); still in HEAD: {still}"
        )
    if finding.accepted_reason is not None:
        lines.append(f"   - Accepted because: {text(finding.accepted_reason)}")
    if finding.status is Status.ALLOWED:
        reason = text(finding.allow_reason or "") or "(no reason given) ⚠️ needs attention"
        lines.append(f"   - Allowed because: {reason}")
    lines.append(f"   - Fix: {text(finding.fix)}")
    return lines


def _findings(report: AuditReport, *, open_only: bool) -> list[str]:
    """The open findings (what fails the verdict), or the accepted and allowed ones, by category."""
    title = "Open findings" if open_only else "Accepted and allowed findings"
    chosen = [finding for finding in report.findings if (finding.status is Status.OPEN) == open_only]
    lines = [f"## {title} ({len(chosen)})"]
    if not chosen:
        nothing = "No open findings." if open_only else "Nothing was accepted by the baseline or allowed inline."
        return [*lines, "", nothing]
    for row in report.categories:
        mine = report.findings_of(row.category, open_only=open_only)
        if not mine:
            continue
        lines += ["", f"### {text(row.title)} ({code(row.category.value)})", ""]
        for number, finding in enumerate(mine, start=1):
            lines += _finding(number, finding)
    return lines


def _rules_count(count: int) -> str:
    return f"{count} rule" if count == 1 else f"{count} rules"


def _rules(report: AuditReport) -> list[str]:
    lines = ["## Rules per category", ""]
    for row in report.categories:
        lines.append(f"<details><summary>{text(row.title)}: {_rules_count(len(row.rules))}</summary>")
        lines.append("")
        for rule in row.rules:
            paths = ""
            if rule.include:
                paths += " (only " + ", ".join(code(p) for p in rule.include) + ")"
            if rule.exclude:
                paths += " (not " + ", ".join(code(p) for p in rule.exclude) + ")"
            lines.append(f"- {code(rule.rule_id)}: {text(rule.title)}{paths}")
        lines += ["", "</details>", ""]
    return lines


def made_line(report: AuditReport) -> str:
    """When the audit was made and of which commit, for the line under the title."""
    identity = report.identity
    if not identity.head_commit:
        return f"Made {identity.generated_at} of an empty repository (no commit)."
    ref = code(identity.head_ref) if identity.head_ref else "detached HEAD"
    tree = ", with uncommitted changes" if identity.dirty else ""
    return f"Made {identity.generated_at} of commit {code(identity.head_commit)} ({ref}){tree}."


def render_markdown(report: AuditReport) -> str:
    verdict = report.verdict
    failing = [row for row in report.categories if row.failing]
    summary = (
        "no category has an unaccepted finding"
        if verdict is Verdict.PASS
        else f"{len(failing)} of {len(report.categories)} categories have unaccepted findings "
        f"({len(report.open_findings)} in all)"
    )
    digest = report_digest(report)
    lines = [
        f"# Public-safety audit of {code(report.identity.repository)}: {verdict_word(verdict)}",
        "",
        made_line(report),
        "",
        f"**Verdict: {verdict_title(report)}**: {summary}. Evidence digest: {code(digest)}.",
        *_attention(report),
        "",
        *_findings(report, open_only=True),
        "",
        "## Categories",
        "",
        *_category_table(report),
        "",
        *_identity(report),
        "",
        *_scope(report.scope),
        "",
        *_findings(report, open_only=False),
        "",
        *_rules(report),
        "## Evidence digest",
        "",
        f"{code(digest)} is the sha256 of the canonical JSON form of this report. Check the JSON report with "
        "`cavra-safety audit verify REPORT.json --expect " + digest + "`.",
    ]
    return "\n".join(lines) + "\n"
