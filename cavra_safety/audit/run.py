"""Run an audit: the working tree and the full history (every branch and tag), every rule, one report.

The configuration's rule and category filters are lifted (an audit answers for every must-not-contain item);
its path excludes, size limit and .gitignore setting still apply and are shown in the report's scope.
Only read-only git commands run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

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


def read_identity(git: Git, config: Config, policy: Policy, tool_version: str) -> Identity:
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
    identity = read_identity(git, config, policy, tool_version)
    return assemble(identity, Scans(tree, history, commits), policy, config, baseline)
