"""The audit report as one self-contained HTML file: inline styles only, no script, no external resource.

A Content-Security-Policy forbids every load but the inline style, so the file shows the same offline, in a
mail attachment or in a ticket. Narrow screens get cards instead of wide tables; print keeps findings whole.
Every value is HTML-escaped.
"""

from __future__ import annotations

from html import escape

from cavra_safety.audit.document import report_digest
from cavra_safety.audit.html_style import STYLE
from cavra_safety.audit.model import AuditFinding, AuditReport, CategoryRow, Location, Scope, Status, Verdict
from cavra_safety.findings import Skipped


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _c(value: str) -> str:
    return f"<code>{_e(value)}</code>"


def _section_id(report: AuditReport, row: CategoryRow) -> str | None:
    """Where the table links for a category: its open findings, else its accepted and allowed ones."""
    if report.findings_of(row.category, open_only=True):
        return f"open-{row.category.value}"
    if report.findings_of(row.category, open_only=False):
        return f"waved-{row.category.value}"
    return None


def _brief(row: CategoryRow) -> str:
    """The counts in a few words, for the phone layout (its number columns are hidden)."""
    parts = [
        f"{count} {what}"
        for count, what in (
            (row.tree, "in the tree"),
            (row.history_only, "only in history"),
            (row.accepted, "accepted"),
            (row.allowed, "allowed"),
        )
        if count
    ]
    return ", ".join(parts) or "nothing found"


def _category_table(report: AuditReport) -> str:
    rows = []
    for row in report.categories:
        status = '<span class="fail-cell">FAIL</span>' if row.failing else '<span class="pass-cell">pass</span>'
        if row.unexplained:
            status += f' <span class="warn">⚠ {row.unexplained} without a reason</span>'
        target = _section_id(report, row)
        link = f'<a href="#{_e(target)}">{_e(row.title)}</a>' if target else _e(row.title)
        rows.append(
            f'<tr><td>{link} {_c(row.category.value)}<span class="brief">{_e(_brief(row))}</span></td>'
            f'<td>{status}</td><td class="n">{len(row.rules)}</td>'
            f'<td class="n">{row.tree}</td><td class="n">{row.history_only}</td>'
            f'<td class="n">{row.accepted}</td><td class="n">{row.allowed}</td></tr>'
        )
    return (
        '<h2>Categories</h2><div class="wrap"><table class="cats"><thead><tr><th>Must not contain</th><th>Status</th>'
        "<th>Rules</th><th>In the tree</th><th>Only in history</th><th>Accepted (baseline)</th>"
        "<th>Allowed inline</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
    )


def _dl(pairs: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{_e(term)}</dt><dd>{value}</dd>" for term, value in pairs) + "</dl>"


def _identity(report: AuditReport) -> str:
    identity = report.identity
    head = "no commit (empty repository)"
    if identity.head_commit:
        ref = f" ({_c(identity.head_ref)})" if identity.head_ref else " (detached HEAD)"
        head = f"{_c(identity.head_commit)}{ref}, committed {_e(identity.head_date or 'at an unknown date')}"
    tree = "has uncommitted changes or untracked files (the tree scan read them)" if identity.dirty else "matches HEAD"
    packs = "".join(
        f"<tr><td>{_c(p.name)}</td><td>{_e(p.version)}</td><td>{_e(p.visibility)}</td><td>{_c(p.sha256)}</td></tr>"
        for p in identity.packs
    )
    return (
        "<h2>Identity</h2>"
        + _dl(
            [
                ("Repository", _c(identity.repository)),
                ("Audit made", _e(f"{identity.generated_at} (UTC)")),
                ("HEAD", head),
                ("Working tree", _e(tree)),
                ("Tool", _e(f"cavra-safety {identity.tool_version}")),
            ]
        )
        + '<div class="wrap"><table><thead><tr><th>Policy pack</th><th>Version</th><th>Visibility</th>'
        "<th>sha256</th></tr></thead><tbody>" + packs + "</tbody></table></div>"
    )


def _skipped(title: str, items: tuple[Skipped, ...]) -> str:
    if not items:
        return ""
    rows = "".join(f"<tr><td>{_c(item.path)}</td><td>{_e(item.reason)}</td></tr>" for item in items)
    return (
        f'<details><summary>{_e(title)} ({len(items)})</summary><div class="wrap"><table><thead><tr><th>File</th>'
        f"<th>Reason</th></tr></thead><tbody>{rows}</tbody></table></div></details>"
    )


def _scope(scope: Scope) -> str:
    settings = scope.settings
    baseline = "none"
    if settings.baseline_file is not None:
        baseline = f"{_c(settings.baseline_file)}: {settings.baseline_entries} entries, {settings.baseline_stale} stale"
    pairs = [
        (
            "Working tree",
            _e(
                f"{scope.files_scanned} files scanned ({scope.bytes_scanned} bytes), "
                f"{len(scope.files_skipped)} skipped, {scope.allowed_inline} allowed inline"
            ),
        ),
        (
            "History",
            _e(
                f"{scope.commits_scanned} commits on {scope.refs}, {scope.history_files_scanned} file "
                f"changes scanned, {len(scope.history_skipped)} skipped, "
                f"{scope.history_allowed_inline} allowed inline"
            ),
        ),
        ("Excluded", ", ".join(_c(p) for p in settings.exclude) or "none"),
        (".gitignore honoured", "yes" if settings.respect_gitignore else "no"),
        ("Size limit", _e(f"{settings.max_file_size} bytes")),
        ("Baseline", baseline),
    ]
    notes = ""
    if scope.notes:
        notes = (
            f"<h3>Notes ({len(scope.notes)})</h3><ul>"
            + "".join(f"<li>{_c(f'{n.path}:{n.line}')} {_e(n.message)}</li>" for n in scope.notes)
            + "</ul>"
        )
    return (
        "<h2>Scope</h2>"
        + _dl(pairs)
        + _skipped("Skipped in the working tree", scope.files_skipped)
        + _skipped("Skipped in the history", scope.history_skipped)
        + notes
    )


def _finding(finding: AuditFinding) -> str:
    where = "working tree" if finding.location is Location.TREE else "history only"
    state = {
        Status.OPEN: "open",
        Status.ACCEPTED: "accepted in the baseline",
        Status.ALLOWED: "allowed inline" + (f" (comment on line {finding.allow_line})" if finding.allow_line else ""),
    }[finding.status]
    place = _c(f"{finding.path}:{finding.line}")
    pairs = [
        ("Where", f"{place} ({_e(where)})"),
        ("Status", _e(state)),
        ("Evidence", f'{_c(finding.redacted)} <span class="muted">fingerprint {_c(finding.fingerprint[:16])}</span>'),
    ]
    if finding.commit:
        by = f" by {_e(finding.author)}" if finding.author else ""
        pairs.append(("Commit", f"{_c(finding.commit)} {_e(finding.author_date or '')}{by}"))
    if finding.location is Location.HISTORY:
        still = {True: "yes", False: "no", None: "n/a"}[finding.in_head]
        pairs.append(("History", _e(f"added in {finding.occurrences} commit(s); still in HEAD: {still}")))
    if finding.accepted_reason is not None:
        pairs.append(("Accepted because", _e(finding.accepted_reason)))
    if finding.status is Status.ALLOWED:
        reason = _e(finding.allow_reason or "")
        pairs.append(("Allowed because", reason or '<span class="warn">(no reason given) ⚠ needs attention</span>'))
    pairs.append(("Fix", _e(finding.fix)))
    css = "attention" if finding.needs_attention else finding.status.value
    return (
        f'<article class="{css}"><strong>{_c(finding.rule_id)}</strong> '
        f'<span class="muted">{_e(finding.severity.label)}</span>{_dl(pairs)}</article>'
    )


def _findings(report: AuditReport, *, open_only: bool) -> str:
    """The open findings (what fails the verdict), or the accepted and allowed ones, by category."""
    prefix, title = ("open", "Open findings") if open_only else ("waved", "Accepted and allowed findings")
    chosen = [finding for finding in report.findings if (finding.status is Status.OPEN) == open_only]
    if not chosen:
        nothing = "No open findings." if open_only else "Nothing was accepted by the baseline or allowed inline."
        return f'<section id="{prefix}"><h2>{title} (0)</h2><p>{nothing}</p></section>'
    parts = [f'<section id="{prefix}"><h2>{title} ({len(chosen)})</h2>']
    for row in report.categories:
        mine = report.findings_of(row.category, open_only=open_only)
        if mine:
            parts.append(
                f'<section id="{prefix}-{_e(row.category.value)}"><h3>{_e(row.title)} '
                f"{_c(row.category.value)} ({len(mine)})</h3>" + "".join(map(_finding, mine)) + "</section>"
            )
    return "".join(parts) + "</section>"


def _rules(report: AuditReport) -> str:
    parts = ["<h2>Rules per category</h2>"]
    for row in report.categories:
        items = "".join(
            f"<li>{_c(rule.rule_id)} {_e(rule.title)}"
            + (f' <span class="muted">only {", ".join(map(_c, rule.include))}</span>' if rule.include else "")
            + (f' <span class="muted">not {", ".join(map(_c, rule.exclude))}</span>' if rule.exclude else "")
            + "</li>"
            for rule in row.rules
        )
        parts.append(f"<details><summary>{_e(row.title)} ({len(row.rules)})</summary><ul>{items}</ul></details>")
    return "".join(parts)


def _attention(report: AuditReport) -> str:
    """Inline allows without a reason: not a failure, but a reviewer should ask why."""
    items = report.needing_attention
    if not items:
        return ""
    rows = "".join(
        f"<li>{_c(f'{f.path}:{f.line}')}"
        + (f" in commit {_c(f.commit[:12])}" if f.commit else "")
        + f" {_c(f.rule_id)} {_c(f.category.value)} {_c(f.redacted)}</li>"
        for f in items
    )
    count = f"{len(items)} inline allow gives" if len(items) == 1 else f"{len(items)} inline allows give"
    return (
        f'<div class="attention"><strong>⚠ Needs attention:</strong> {_e(count)} '
        f"no reason (not a failure, but nothing says why the value is harmless).<ul>{rows}</ul></div>"
    )


def _made(report: AuditReport) -> str:
    """When the audit was made and of which commit: the line under the title."""
    identity = report.identity
    when = f'<time datetime="{_e(identity.generated_at)}">{_e(identity.generated_at)}</time>'
    if not identity.head_commit:
        return f'<p class="made">Made {when} of an empty repository (no commit).</p>'
    ref = _c(identity.head_ref) if identity.head_ref else "detached HEAD"
    tree = ", with uncommitted changes" if identity.dirty else ""
    return f'<p class="made">Made {when} of commit {_c(identity.head_commit)} ({ref}){_e(tree)}.</p>'


def render_html(report: AuditReport) -> str:
    verdict = report.verdict
    word = "PASS" if verdict is Verdict.PASS else "FAIL"
    title = f"{word} ({report.suppressed_summary})" if report.suppressed_summary else word
    failing = sum(1 for row in report.categories if row.failing)
    summary = (
        "No category has an unaccepted finding."
        if verdict is Verdict.PASS
        else f"{failing} of {len(report.categories)} categories have unaccepted findings "
        f"({len(report.open_findings)} in all)."
    )
    digest = report_digest(report)
    name = report.identity.repository
    # Repeated at the top of every printed page (the frame's thead): what, when, which verdict, which digest.
    running = (
        f"<div>Audit of {_c(name)}: {_e(word)} · made {_e(report.identity.generated_at)} · "
        f'<a href="#evidence-digest">{_c(digest)}</a></div>'
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{_e(f'Audit of {name}: {word}')}</title><style>{STYLE}</style></head><body>\n"
        f'<table class="frame"><thead><tr><td>{running}</td></tr></thead><tbody><tr><td>\n'
        f"<h1>Public-safety audit of {_c(name)}</h1>"
        + _made(report)
        + f'<p class="verdict {verdict.value}">Verdict: {_e(title)}. {_e(summary)}</p>'
        + _attention(report)
        + _findings(report, open_only=True)
        + _category_table(report)
        + _identity(report)
        + _scope(report.scope)
        + _findings(report, open_only=False)
        + _rules(report)
        + f'<h2 id="evidence-digest">Evidence digest</h2><p>{_c(digest)}: the sha256 of the canonical JSON form '
        "of this report (which covers the date above). "
        f"Check the JSON report with {_c(f'cavra-safety audit verify REPORT.json --expect {digest}')}.</p>"
        "\n</td></tr></tbody></table>\n</body></html>\n"
    )
