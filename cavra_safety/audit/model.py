"""The audit report model: one frozen value that the JSON, Markdown and HTML renderers all read.

It holds no secret: findings carry the redacted preview and the fingerprint of ``findings.Finding`` only,
and every text that came from a file, a path, an allow comment or a baseline reason has already been made
printable.

Every suppression stays visible: a finding the baseline accepts is ``accepted`` (with the entry's reason), one an
inline allow covers is ``allowed`` (with the comment's reason and line). Neither fails the verdict; an allow that
gives no reason is flagged as needing attention.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from cavra_safety.findings import Category, Note, Severity, Skipped, SuppressionKind

REPORT_KIND = "cavra-safety-audit"
REPORT_VERSION = 1


class Verdict(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"


class Location(enum.StrEnum):
    """Where a finding stands: in the working tree, or only in the history (no longer in the tree)."""

    TREE = "tree"
    HISTORY = "history"


class Status(enum.StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"  # the baseline accepts it
    ALLOWED = "allowed"  # an inline allow comment covers it


# Open findings first in every listing: they are what fails the verdict.
_STATUS_ORDER = {Status.OPEN: 0, Status.ACCEPTED: 1, Status.ALLOWED: 2}


@dataclass(frozen=True)
class PackRef:
    name: str
    version: str
    sha256: str
    visibility: str


@dataclass(frozen=True)
class Identity:
    """What was audited, by what, and when. No absolute path. ``generated_at`` is when the audit ran (UTC,
    ISO 8601, to the second): a report filed as evidence must say when it was made, and the digest covers it.
    ``head_ref`` is the full name of the ref HEAD stands on (``refs/heads/main``), or when HEAD is detached the
    first tag pointing at it (``refs/tags/v1.2.0``), else None."""

    repository: str
    head_commit: str | None
    head_branch: str | None
    head_date: str | None
    dirty: bool
    tool_version: str
    packs: tuple[PackRef, ...]
    generated_at: str
    head_ref: str | None = None


@dataclass(frozen=True)
class Settings:
    """The configuration that shaped the scope (a reviewer must see what was left out, and why)."""

    exclude: tuple[str, ...]
    respect_gitignore: bool
    max_file_size: int
    baseline_file: str | None
    baseline_entries: int
    baseline_stale: int


@dataclass(frozen=True)
class Scope:
    files_scanned: int
    bytes_scanned: int
    files_skipped: tuple[Skipped, ...]
    allowed_inline: int
    refs: str
    commits_scanned: int
    history_files_scanned: int
    history_skipped: tuple[Skipped, ...]
    history_allowed_inline: int
    notes: tuple[Note, ...]
    settings: Settings


@dataclass(frozen=True)
class RuleRef:
    """A rule that ran, and the files it applies to (empty include: every scanned file its detector reads)."""

    rule_id: str
    title: str
    severity: Severity
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditFinding:
    category: Category
    rule_id: str
    severity: Severity
    location: Location
    status: Status
    path: str
    line: int
    end_line: int
    column: int
    # History findings: the commit that introduced the value. Tree findings: the same, when history has it.
    commit: str | None
    author_date: str | None
    in_head: bool | None
    occurrences: int
    redacted: str
    fingerprint: str
    message: str
    fix: str
    accepted_reason: str | None = None
    # Allowed findings: the allow comment's reason ("" when it gives none) and the comment's line.
    allow_reason: str | None = None
    allow_line: int | None = None
    # Who made the commit that introduced the value (git's author name), when history has it.
    author: str | None = None

    @property
    def suppression_kind(self) -> SuppressionKind | None:
        """What waved it through: ``inline`` (an allow comment), ``baseline``, or None for an open finding."""
        return {Status.ACCEPTED: SuppressionKind.BASELINE, Status.ALLOWED: SuppressionKind.INLINE}.get(self.status)

    @property
    def justification(self) -> str | None:
        """The allow's or the baseline entry's reason ("" when the allow gives none); None when open."""
        return self.allow_reason if self.status is Status.ALLOWED else self.accepted_reason

    @property
    def needs_attention(self) -> bool:
        """An inline allow that gives no reason: it does not fail the verdict, but a reviewer should ask why."""
        return self.status is Status.ALLOWED and not (self.allow_reason or "").strip()

    def sort_key(self) -> tuple[int, int, str, str, int, int, str, str, str]:
        """Open findings first, whatever their category: they are what a reader must act on."""
        return (
            _STATUS_ORDER[self.status],
            _CATEGORY_ORDER[self.category],
            self.location.value,
            self.path,
            self.line,
            self.column,
            self.rule_id,
            self.commit or "",
            self.fingerprint,
        )


_CATEGORY_ORDER = {category: index for index, category in enumerate(Category)}


@dataclass(frozen=True)
class CategoryRow:
    """One must-not-contain item: the rules that cover it and what they found. ``tree`` and ``history_only``
    count open (unaccepted) findings; ``accepted`` counts the baseline's and ``allowed`` the inline allows',
    wherever they stand; ``unexplained`` counts the allows among them that give no reason."""

    category: Category
    title: str
    rules: tuple[RuleRef, ...]
    tree: int
    history_only: int
    accepted: int
    allowed: int = 0
    unexplained: int = 0

    @property
    def failing(self) -> bool:
        return self.tree + self.history_only > 0

    @property
    def verdict(self) -> Verdict:
        return Verdict.FAIL if self.failing else Verdict.PASS


@dataclass(frozen=True)
class AuditReport:
    identity: Identity
    scope: Scope
    categories: tuple[CategoryRow, ...]
    findings: tuple[AuditFinding, ...]

    @property
    def verdict(self) -> Verdict:
        """PASS only when no category has an unaccepted finding."""
        return Verdict.FAIL if any(row.failing for row in self.categories) else Verdict.PASS

    @property
    def open_findings(self) -> tuple[AuditFinding, ...]:
        return tuple(finding for finding in self.findings if finding.status is Status.OPEN)

    def with_status(self, status: Status) -> tuple[AuditFinding, ...]:
        return tuple(finding for finding in self.findings if finding.status is status)

    @property
    def needing_attention(self) -> tuple[AuditFinding, ...]:
        """Inline allows that give no reason."""
        return tuple(finding for finding in self.findings if finding.needs_attention)

    @property
    def suppressed_summary(self) -> str:
        """``3 suppressed: 2 inline, 1 baseline`` ("" when nothing was), for the verdict lines of every format."""
        allowed, accepted = len(self.with_status(Status.ALLOWED)), len(self.with_status(Status.ACCEPTED))
        if not allowed + accepted:
            return ""
        parts = [f"{n} {kind}" for n, kind in ((allowed, "inline"), (accepted, "baseline")) if n]
        return f"{allowed + accepted} suppressed: {', '.join(parts)}"

    def findings_of(self, category: Category, *, open_only: bool | None = None) -> tuple[AuditFinding, ...]:
        """The category's findings; ``open_only`` True: the open ones, False: the accepted and allowed ones."""
        return tuple(
            finding
            for finding in self.findings
            if finding.category is category and (open_only is None or (finding.status is Status.OPEN) == open_only)
        )
