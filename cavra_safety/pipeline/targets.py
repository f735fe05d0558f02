"""The one entry into every scan: what it reads (the tree, the index, a commit range or the history), its
root and configuration, and ``run`` - used by ``scan``, ``baseline`` and ``audit``.

Git machinery is imported only when a git flag is used, so that the pre-commit hook (explicit files) starts
without it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cavra_safety.config import DEFAULT_BASELINE, Config, load_config
from cavra_safety.errors import UserError
from cavra_safety.findings import ScanResult

if TYPE_CHECKING:
    from cavra_safety.baseline import Baseline
    from cavra_safety.git import Git
    from cavra_safety.pipeline.engine import ProgressCallback


@dataclass(frozen=True)
class ScanTarget:
    paths: tuple[Path, ...] = ()
    staged: bool = False
    diff: str | None = None
    history: bool = False
    since: str | None = None
    branches: tuple[str, ...] = ()
    all_refs: bool = False

    @property
    def git_flag(self) -> str | None:
        """The git flag in use (for messages), or None for a plain file scan."""
        if self.staged:
            return "--staged"
        if self.diff is not None:
            return "--diff"
        return "--history" if self.history else None

    def check(self) -> None:
        modes = [
            flag
            for flag, used in (
                ("--staged", self.staged),
                ("--diff", self.diff is not None),
                ("--history", self.history),
            )
            if used
        ]
        if len(modes) > 1:
            raise UserError(f"{' and '.join(modes)} cannot be combined: choose one")
        for flag, used in (
            ("--since", self.since is not None),
            ("--branch", bool(self.branches)),
            ("--all", self.all_refs),
        ):
            if used and not self.history:
                raise UserError(f"{flag} only applies to --history")
        if self.all_refs and self.branches:
            raise UserError("--all and --branch cannot be combined: --all already walks every branch")


def plain_config(paths: tuple[Path, ...], config_file: Path | None) -> Config:
    """The scan root is the one folder given, else the current directory; paths are reported relative to it."""
    for path in paths:
        if not os.path.lexists(path):
            raise UserError(f"path does not exist: {path}")
    single_folder = len(paths) == 1 and paths[0].is_dir()
    root = paths[0] if single_folder else Path.cwd()
    config = load_config(root, config_file, defer_problems=True)
    return config.with_overrides(root=root, paths=paths or (root,))


def prepare(target: ScanTarget, config_file: Path | None) -> tuple[Config, Git | None]:
    """The configuration (and, for git scans, the git runner): a git scan is rooted at the repository's top."""
    target.check()
    flag = target.git_flag
    if flag is None:
        return plain_config(target.paths, config_file), None
    from cavra_safety.git import Git

    git = Git(Path.cwd(), purpose=flag)
    root = git.toplevel()
    return load_config(root, config_file, defer_problems=True).with_overrides(root=root, paths=(root,)), git


def baseline_path(config: Config, explicit: Path | None = None) -> Path:
    """``--baseline``, else the ``baseline`` key, else ``.cavra-safety-baseline.json`` beside the config file
    (or in the scan root when there is none)."""
    if explicit is not None:
        return explicit
    if config.baseline is not None:
        return config.baseline
    folder = config.config_file.parent if config.config_file is not None else Path(config.root)
    return folder / DEFAULT_BASELINE


def run(
    target: ScanTarget,
    config: Config,
    git: Git | None,
    baseline: Baseline | None,
    progress: ProgressCallback | None = None,
) -> ScanResult:
    """Scan ``target`` (as ``prepare`` configured it) and return its result, less what ``baseline`` accepts."""
    from cavra_safety.pipeline.scan import scan

    if git is None:
        return scan(config, progress=progress, baseline=baseline)
    pathspecs = tuple(os.fspath(path) for path in target.paths)
    if target.history:
        from cavra_safety.pipeline.history import HistoryOptions, history_scan

        options = HistoryOptions(since=target.since, branches=target.branches, all_refs=target.all_refs)
        return history_scan(git, config, options, pathspecs, baseline, progress=progress)
    if target.staged:
        from cavra_safety.sources.staged import staged_sources

        found = staged_sources(git, config, config.root, pathspecs)
    else:
        from cavra_safety.sources.diff import diff_sources

        assert target.diff is not None
        from cavra_safety.pipeline.whole_files import widen_diff

        found = diff_sources(git, config, config.root, target.diff, pathspecs)
        found.sources = widen_diff(config, git, found)
    return scan(config, sources=found.sources, skipped=found.skipped, baseline=baseline, progress=progress)
