"""Run an audit: the working tree and the full history (every branch and tag), every rule, one report.

The configuration's rule and category filters are lifted (an audit answers for every must-not-contain item);
its path excludes, size limit and .gitignore setting still apply and are shown in the report's scope.
Only read-only git commands run.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime

from cavra_safety.audit.assemble import Scans, assemble
from cavra_safety.audit.model import AuditReport, Identity, PackRef
from cavra_safety.audit.worktree import work_tree_changed
from cavra_safety.baseline import Baseline
from cavra_safety.config import Config
from cavra_safety.detectors import DETECTORS, DetectorFactory
from cavra_safety.display import printable
from cavra_safety.git import Git
from cavra_safety.pipeline.engine import ProgressCallback
from cavra_safety.pipeline.history import HistoryOptions, history_scan
from cavra_safety.pipeline.scan import scan
from cavra_safety.policy import Policy, load_policy


def audit_config(config: Config) -> Config:
    """``config`` with every rule and category switched on."""
    return replace(config, categories=None, exclude_categories=frozenset(), disabled_rules=frozenset())


def utc_now() -> datetime:
    """The audit's clock: ``SOURCE_DATE_EPOCH`` when set (the reproducible-builds convention, so that two runs
    on one commit can give one digest), else the current time."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC)


def iso_utc(moment: datetime) -> str:
    """``2026-12-03T15:33:09Z``: ISO 8601, UTC, to the second."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _head_ref(git: Git, head: str | None) -> str | None:
    """The full name of the branch HEAD stands on, else (detached) the first tag pointing at HEAD, else None."""
    if not head:
        return None
    ref = git.run("symbolic-ref", "--quiet", "HEAD", check=False).strip()
    if not ref:
        tags = git.run("for-each-ref", "--points-at", head, "--format=%(refname)", "refs/tags/", check=False)
        ref = min(tags.split(), default=b"")
    return printable(ref.decode("utf-8", "replace")) if ref else None


def read_identity(
    git: Git, config: Config, policy: Policy, tool_version: str, clock: Callable[[], datetime] = utc_now
) -> Identity:
    made = iso_utc(clock())
    head = git.head()
    branch = git.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False).strip()
    date = git.run("log", "-1", "--format=%cI", "--end-of-options", head).strip() if head else b""
    # Untracked files count: the tree scan reads them, so the report must say the tree is not the commit.
    # Not ``git status``: it runs the repository's clean filters and fsmonitor (work_tree_changed runs nothing).
    dirty = work_tree_changed(git, config.root)
    packs = tuple(
        sorted(
            (PackRef(printable(p.name), printable(p.version), p.sha256, p.visibility.value) for p in policy.packs),
            key=lambda pack: (pack.name, pack.version, pack.sha256),
        )
    )
    return Identity(
        repository=printable(config.root.name),
        head_commit=head,
        head_branch=printable(branch.decode("utf-8", "replace")) if branch else None,
        head_date=date.decode("ascii", "replace") or None,
        dirty=dirty,
        tool_version=tool_version,
        packs=packs,
        generated_at=made,
        head_ref=_head_ref(git, head),
    )


def run_audit(
    git: Git,
    config: Config,
    baseline: Baseline | None,
    *,
    tool_version: str,
    file_progress: ProgressCallback | None = None,
    commit_progress: ProgressCallback | None = None,
    factories: Mapping[str, DetectorFactory] = DETECTORS,
    clock: Callable[[], datetime] = utc_now,
) -> AuditReport:
    """Scan ``config.root`` (a repository's top level) and its history; the baseline is applied in the report."""
    config = audit_config(config)
    policy = load_policy(config)
    tree = scan(config, policy=policy, progress=file_progress, factories=factories)
    commits = 0

    def on_commit(done: int) -> None:
        nonlocal commits
        commits = done

    history = history_scan(
        git,
        config,
        HistoryOptions(all_refs=True),
        (),
        None,
        factories=factories,
        on_commit=on_commit,
        progress=commit_progress,
    )
    identity = read_identity(git, config, policy, tool_version, clock)
    return assemble(identity, Scans(tree, history, commits), policy, config, baseline)
