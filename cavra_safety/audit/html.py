"""The audit report as one self-contained HTML file: inline styles only, no script, no external resource.

A Content-Security-Policy forbids every load but the inline style, so the file shows the same offline, in a
mail attachment or in a ticket. Narrow screens get cards instead of wide tables; print keeps findings whole.
Every value is HTML-escaped.
"""

from __future__ import annotations

from html import escape

from cavra_safety.audit.document import report_digest
from cavra_safety.audit.model import AuditFinding, AuditReport, Location, Scope, Status, Verdict
from cavra_safety.findings import Skipped

_STYLE = """
:root{--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--bad:#b42318;--good:#1a7f37;--bg-bad:#fdecea;--bg-good:#e9f6ec;
--warn:#9a6700;--bg-warn:#fff8c5}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);
margin:0 auto;padding:1rem;max-width:72rem}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
h1{font-size:1.5rem;margin:.2rem 0 1rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin-top:1.5rem}
.verdict{padding:.75rem 1rem;border-radius:6px;font-weight:600;border:2px solid}
.verdict.pass{background:var(--bg-good);border-color:var(--good)}.verdict.fail{background:var(--bg-bad);border-color:var(--bad)}
.wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.fail-cell{color:var(--bad);font-weight:700}.pass-cell{color:var(--good)}
article{border:1px solid var(--line);border-left:4px solid var(--bad);border-radius:4px;padding:.5rem .75rem;
margin:.75rem 0;break-inside:avoid}
article.accepted,article.allowed{border-left-color:var(--muted)}
article.attention{border-left-color:var(--warn)}
.warn{color:var(--warn);font-weight:600}
div.attention{background:var(--bg-warn);border:1px solid var(--warn);border-radius:6px;padding:.5rem 1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem .75rem;margin:.25rem 0}dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
.muted{color:var(--muted)}
@media (max-width:40rem){
 table.cats thead{display:none}table.cats tr{display:block;border:1px solid var(--line);margin:.5rem 0}
 table.cats td{display:flex;justify-content:space-between;border:0;border-bottom:1px solid var(--line)}
 table.cats td::before{content:attr(data-label);color:var(--muted);margin-right:1rem}
 dl{grid-template-columns:1fr}dt{margin-top:.3rem}
}
@media print{body{max-width:none;font-size:11pt}.verdict{border-width:1px}a{color:inherit}
 h2,h3{break-after:avoid}tr{break-inside:avoid}}
"""


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _c(value: str) -> str:
    return f"<code>{_e(value)}</code>"


def _category_table(report: AuditReport) -> str:
    rows = []
    for row in report.categories:
        status = '<span class="fail-cell">FAIL</span>' if row.failing else '<span class="pass-cell">pass</span>'
        if row.unexplained:
            status += f' <span class="warn">⚠ {row.unexplained} without a reason</span>'
        link = (
            f'<a href="#cat-{_e(row.category.value)}">{_e(row.title)}</a>'
            if report.findings_of(row.category)
            else _e(row.title)
        )
        rows.append(
            f'<tr><td data-label="Must not contain">{link} {_c(row.category.value)}</td>'
            f'<td data-label="Status">{status}</td><td class="n" data-label="Rules">{len(row.rules)}</td>'
            f'<td class="n" data-label="In the tree">{row.tree}</td>'
            f'<td class="n" data-label="Only in history">{row.history_only}</td>'
            f'<td class="n" data-label="Accepted (baseline)">{row.accepted}</td>'
            f'<td class="n" data-label="Allowed inline">{row.allowed}</td></tr>'
        )
    return (
        '<div class="wrap"><table class="cats"><thead><tr><th>Must not contain</th><th>Status</th>'
        "<th>Rules</th><th>In the tree</th><th>Only in history</th><th>Accepted (baseline)</th>"
        "<th>Allowed inline</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table></div>"
    )


def _dl(pairs: list[tuple[str, str]]) -> str:
    return "<dl>" + "".join(f"<dt>{_e(term)}</dt><dd>{value}</dd>" for term, value in pairs) + "</dl>"


def _identity(report: AuditReport) -> str:
    identity = report.identity
    head = "no commit (empty repository)"
    if identity.head_commit:
        branch = f" on {_c(identity.head_branch)}" if identity.head_branch else " (detached HEAD)"
        head = f"{_c(identity.head_commit)}{branch}, {_e(identity.head_date or 'date unknown')}"
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
        f'<h3>{_e(title)} ({len(items)})</h3><div class="wrap"><table><thead><tr><th>File</th>'
        f"<th>Reason</th></tr></thead><tbody>{rows}</tbody></table></div>"
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
        pairs.append(("Commit", f"{_c(finding.commit)} {_e(finding.author_date or '')}"))
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


def _findings(report: AuditReport) -> str:
    if not report.findings:
        return "<h2>Findings by category</h2><p>No findings in the working tree or the history.</p>"
    parts = ["<h2>Findings by category</h2>"]
    for row in report.categories:
        mine = report.findings_of(row.category)
        if mine:
            parts.append(
                f'<section id="cat-{_e(row.category.value)}"><h3>{_e(row.title)} '
                f"{_c(row.category.value)} ({len(mine)})</h3>" + "".join(map(_finding, mine)) + "</section>"
            )
    return "".join(parts)


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
        parts.append(f"<h3>{_e(row.title)} ({len(row.rules)})</h3><ul>{items}</ul>")
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
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{_e(f'Audit of {name}: {word}')}</title><style>{_STYLE}</style></head><body>\n"
        f"<h1>Public-safety audit of {_c(name)}</h1>"
        f'<p class="verdict {verdict.value}">Verdict: {_e(title)}. {_e(summary)}</p>'
        + _attention(report)
        + _category_table(report)
        + _identity(report)
        + _scope(report.scope)
        + _findings(report)
        + _rules(report)
        + f"<h2>Evidence digest</h2><p>{_c(digest)}: the sha256 of the canonical JSON form of this report. "
        f"Check the JSON report with {_c(f'cavra-safety audit verify REPORT.json --expect {digest}')}.</p>"
        "\n</body></html>\n"
    )
