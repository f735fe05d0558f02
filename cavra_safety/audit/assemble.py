"""From two scans (the working tree, the full history) and the baseline to an ``AuditReport``. Pure.

A value (rule id and fingerprint) the tree holds is a tree finding, dated by the commit that introduced it when
the history has it; a value only the history holds is a history finding. The baseline is applied here rather
than in the scans, because the report shows what it accepted and why. What inline allows suppressed in either
scan is listed too (status ``allowed``, with the comment's reason), on the same terms: a value the tree holds,
allowed or not, is a tree item.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from cavra_safety.audit.model import (
    AuditFinding,
    AuditReport,
    CategoryRow,
    Identity,
    Location,
    RuleRef,
    Scope,
    Settings,
    Status,
)
from cavra_safety.audit.remedies import history_fix, tree_fix
from cavra_safety.baseline import Baseline
from cavra_safety.config import Config
from cavra_safety.display import printable
from cavra_safety.findings import Category, Finding, Note, RuleInfo, ScanResult, Skipped, Suppressed, SuppressionKind
from cavra_safety.policy import Policy, RecordRule, RegexRule

Key = tuple[str, str]  # Finding.value_key: the same value, wherever it stands
ALL_REFS = "all branches and tags"

# Used only when no loaded pack gives a category a title (the default packs title all ten).
FALLBACK_TITLES: Mapping[Category, str] = {
    Category.TENANT_RECORD: "Tenant records",
    Category.TENANT_ID: "Production tenant IDs",
    Category.BILLING_SECRET: "Billing secrets",
    Category.LICENSE_KEY: "License keys",
    Category.PRIVATE_POLICY_PACK: "Private policy packs",
    Category.CONNECTOR_CREDENTIAL: "Connector credentials",
    Category.PROVIDER_URL: "Provider URLs",
    Category.WEBHOOK_SECRET: "Webhook secrets",
    Category.SAAS_BACKEND_SOURCE: "SaaS back-end source",
    Category.ENTERPRISE_IMPLEMENTATION: "Enterprise implementation details",
}


@dataclass(frozen=True)
class Scans:
    tree: ScanResult
    history: ScanResult
    commits: int


def _key(finding: Finding) -> Key:
    return finding.value_key


def _allowed(result: ScanResult) -> list[Suppressed]:
    return [item for item in result.suppressed if item.kind is SuppressionKind.INLINE]


def assemble(
    identity: Identity, scans: Scans, policy: Policy, config: Config, baseline: Baseline | None
) -> AuditReport:
    accepted = _acceptance(baseline, config.root)
    tree_allowed, history_allowed = _allowed(scans.tree), _allowed(scans.history)
    # Where the history first met a value: an unallowed addition before an allowed one.
    introduced = {_key(item.finding): item.finding for item in history_allowed}
    introduced.update({_key(f): f for f in scans.history.findings})
    in_tree = {_key(f) for f in scans.tree.findings} | {_key(item.finding) for item in tree_allowed}
    findings = [_tree_finding(f, introduced.get(_key(f)), accepted(f)) for f in scans.tree.findings]
    findings += [_tree_finding(i.finding, introduced.get(_key(i.finding)), None, i) for i in tree_allowed]
    findings += [_history_finding(f, accepted(f)) for f in scans.history.findings if _key(f) not in in_tree]
    findings += [_history_finding(i.finding, None, i) for i in history_allowed if _key(i.finding) not in in_tree]
    findings.sort(key=AuditFinding.sort_key)
    # An entry whose value an inline allow now covers still matches a value: it is not stale.
    every = [*scans.tree.findings, *scans.history.findings, *(i.finding for i in tree_allowed + history_allowed)]
    stale = len(baseline.stale(every, config.root)) if baseline is not None else 0
    rows = tuple(_row(category, scans.tree.rules, policy, findings) for category in Category)
    return AuditReport(
        identity=identity, scope=_scope(scans, config, baseline, stale), categories=rows, findings=tuple(findings)
    )


def _acceptance(baseline: Baseline | None, root: Path) -> Callable[[Finding], str | None]:
    """The baseline reason that accepts a finding, or None."""
    if baseline is None:
        return lambda _finding: None
    match = baseline.matcher(root)

    def reason(finding: Finding) -> str | None:
        entry = match(finding)
        return entry.reason if entry is not None else None

    return reason


def _status(reason: str | None, allowed: Suppressed | None) -> Status:
    if allowed is not None:
        return Status.ALLOWED
    return Status.OPEN if reason is None else Status.ACCEPTED


def _tree_finding(
    finding: Finding, first: Finding | None, reason: str | None, allowed: Suppressed | None = None
) -> AuditFinding:
    commit = first.commit if first is not None else None
    return AuditFinding(
        category=finding.category,
        rule_id=finding.rule_id,
        severity=finding.severity,
        location=Location.TREE,
        status=_status(reason, allowed),
        path=printable(finding.path),
        line=finding.line,
        end_line=finding.end_line,
        column=finding.column,
        commit=commit,
        author_date=first.author_date if first is not None else None,
        in_head=None,
        occurrences=first.occurrences if first is not None else 0,
        redacted=printable(finding.redacted),
        fingerprint=finding.fingerprint,
        message=printable(finding.message),
        fix=printable(tree_fix(finding.category, finding.message, commit)),
        accepted_reason=printable(reason) if reason is not None else None,
        allow_reason=printable(allowed.justification.strip()) if allowed is not None else None,
        allow_line=allowed.comment_line if allowed is not None else None,
        author=printable(first.author) if first is not None and first.author else None,
    )


def _history_finding(finding: Finding, reason: str | None, allowed: Suppressed | None = None) -> AuditFinding:
    return AuditFinding(
        category=finding.category,
        rule_id=finding.rule_id,
        severity=finding.severity,
        location=Location.HISTORY,
        status=_status(reason, allowed),
        path=printable(finding.path),
        line=finding.line,
        end_line=finding.end_line,
        column=finding.column,
        commit=finding.commit,
        author_date=finding.author_date,
        in_head=finding.in_head,
        occurrences=finding.occurrences,
        redacted=printable(finding.redacted),
        fingerprint=finding.fingerprint,
        message=printable(finding.message),
        fix=history_fix(finding.category, finding.commit),
        accepted_reason=printable(reason) if reason is not None else None,
        allow_reason=printable(allowed.justification.strip()) if allowed is not None else None,
        allow_line=allowed.comment_line if allowed is not None else None,
        author=printable(finding.author) if finding.author else None,
    )


def _rule_ref(rule: RuleInfo, policy: Policy) -> RuleRef:
    found = policy.find_rule(rule.rule_id) if rule.rule_id.startswith("policy/") else None
    paths = found.paths if isinstance(found, RegexRule | RecordRule) else None
    return RuleRef(
        rule_id=rule.rule_id,
        title=printable(rule.title),
        severity=rule.severity,
        include=paths.include if paths is not None else (),
        exclude=paths.exclude if paths is not None else (),
    )


def _row(category: Category, rules: Iterable[RuleInfo], policy: Policy, findings: list[AuditFinding]) -> CategoryRow:
    info = policy.categories.get(category)
    mine = [f for f in findings if f.category is category]
    return CategoryRow(
        category=category,
        title=printable(info.title) if info is not None else FALLBACK_TITLES[category],
        rules=tuple(
            _rule_ref(rule, policy) for rule in sorted(rules, key=lambda r: r.rule_id) if rule.category is category
        ),
        tree=sum(1 for f in mine if f.status is Status.OPEN and f.location is Location.TREE),
        history_only=sum(1 for f in mine if f.status is Status.OPEN and f.location is Location.HISTORY),
        accepted=sum(1 for f in mine if f.status is Status.ACCEPTED),
        allowed=sum(1 for f in mine if f.status is Status.ALLOWED),
        unexplained=sum(1 for f in mine if f.needs_attention),
    )


def _skipped(items: Iterable[Skipped]) -> tuple[Skipped, ...]:
    return tuple(sorted({Skipped(printable(s.path), printable(s.reason)) for s in items}))


def _notes(items: Iterable[Note]) -> tuple[Note, ...]:
    return tuple(sorted({Note(printable(n.path), n.line, printable(n.message)) for n in items}))


def _relative(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    relative = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    shown = os.path.basename(path) if relative.startswith("..") else relative
    return printable(shown.replace(os.sep, "/"))


def _scope(scans: Scans, config: Config, baseline: Baseline | None, stale: int) -> Scope:
    tree, history = scans.tree, scans.history
    settings = Settings(
        exclude=tuple(printable(p) for p in config.exclude),
        respect_gitignore=config.respect_gitignore,
        max_file_size=config.max_file_size,
        baseline_file=_relative(config.baseline, config.root) if baseline is not None else None,
        baseline_entries=len(baseline.entries) if baseline is not None else 0,
        baseline_stale=stale,
    )
    return Scope(
        files_scanned=tree.files_scanned,
        bytes_scanned=tree.bytes_scanned,
        files_skipped=_skipped(tree.skipped),
        allowed_inline=tree.suppressed_inline,
        refs=ALL_REFS,
        commits_scanned=scans.commits,
        history_files_scanned=history.files_scanned,
        history_skipped=_skipped(history.skipped),
        history_allowed_inline=history.suppressed_inline,
        notes=_notes([*tree.notes, *history.notes]),
        settings=settings,
    )
