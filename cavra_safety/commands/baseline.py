"""``cavra-safety baseline create|update|list``: accept today's findings, keep the file current, find stale entries.

Each command scans the way ``scan`` does (the tree, or the history with ``--history``) without subtracting
the baseline, then compares. The file never holds a secret: path, rule id, category, fingerprint, reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from cavra_safety.commands.options import (
    CONFIG_FILE,
    EXCLUDES,
    NO_CACHE,
    NO_DEFAULT_POLICY,
    PATHS,
    POLICY_FILES,
    baseline_file_option,
    options,
    with_options,
)
from cavra_safety.commands.output import WholeSummaryGroup
from cavra_safety.config import Config
from cavra_safety.display import printable
from cavra_safety.errors import UserError
from cavra_safety.findings import ScanResult
from cavra_safety.pipeline.targets import ScanTarget, baseline_path, prepare, run
from cavra_safety.redaction import redact_secrets

if TYPE_CHECKING:
    from cavra_safety.git import Git

CREATE_REASON = "accepted when the baseline was created; review and replace this reason"
UPDATE_REASON = "accepted by baseline update; review and replace this reason"


_scan_options = options(
    PATHS,
    baseline_file_option("The baseline file (default: .cavra-safety-baseline.json beside pyproject.toml)."),
    CONFIG_FILE,
    POLICY_FILES,
    NO_DEFAULT_POLICY,
    NO_CACHE,
    EXCLUDES,
    click.option("--history", is_flag=True, help="Take the findings of a --history scan (accepted old values)."),
    click.option("--all", "all_refs", is_flag=True, help="With --history: every branch and tag."),
)


def _scan(
    paths: tuple[Path, ...],
    baseline_file: Path | None,
    config_file: Path | None,
    policy_files: tuple[Path, ...],
    no_default_policy: bool,
    excludes: tuple[str, ...],
    history: bool,
    all_refs: bool,
) -> _Scan:
    """The scan ``scan`` would run (the baseline file named, not subtracted), not yet run."""
    target = ScanTarget(paths=paths, history=history, all_refs=all_refs)
    config, git = prepare(target, config_file)
    where = baseline_path(config, baseline_file)
    config = with_options(config, policy_files, no_default_policy, excludes).with_overrides(baseline=where)
    return _Scan(target, config, git, where)


@dataclass(frozen=True)
class _Scan:
    target: ScanTarget
    config: Config
    git: Git | None
    where: Path

    def run(self, salt: str | None) -> ScanResult:
        """The findings, their fingerprints published with ``salt`` (the baseline's own)."""
        return run(self.target, self.config.with_overrides(fingerprint_salt=salt), self.git, None)


@click.group(cls=WholeSummaryGroup, short_help="Accepted findings: create, update and list the baseline.")
def baseline() -> None:
    """Accepted findings: .cavra-safety-baseline.json (never the secrets themselves)."""


@baseline.command()
@_scan_options
@click.option("--reason", default=CREATE_REASON, show_default=False, help="Why these findings are accepted.")
@click.option("--force", is_flag=True, help="Overwrite an existing baseline.")
def create(reason: str, force: bool, **scan_args: Any) -> int:
    """Scan and accept every finding into a new baseline."""
    from cavra_safety.baseline import Baseline, new_salt, write_baseline

    _require_reason(reason)
    salt = new_salt()  # the new file's own: its fingerprints are published with it

    planned = _scan(**scan_args)
    config, where = planned.config, planned.where
    if where.exists() and not force:
        raise UserError(f"baseline already exists: {where} (use `baseline update`, or --force to replace it)")
    result = planned.run(salt)
    created = Baseline(where.parent, salt=salt).updated(result.findings, config.root, reason)
    write_baseline(created, where)
    click.echo(f"cavra-safety: wrote {where} with {len(created.entries)} accepted findings", err=True)
    return 0


@baseline.command()
@_scan_options
@click.option("--reason", default=UPDATE_REASON, help="Why the newly accepted findings are accepted.")
@click.option("--keep-stale", is_flag=True, help="Keep entries that no longer match a finding.")
def update(reason: str, keep_stale: bool, **scan_args: Any) -> int:
    """Accept new findings, keep the reasons of existing entries, drop stale entries."""
    from cavra_safety.baseline import load_baseline, new_salt, write_baseline

    _require_reason(reason)
    planned = _scan(**scan_args)
    config, where = planned.config, planned.where
    current = load_baseline(where, required=True)
    assert current is not None
    if current.salt is None:  # a version 1 file: a salt of its own now, and its entries rewritten with it
        current = replace(current, salt=new_salt())
    result = planned.run(current.salt)
    stale = current.stale(result.findings, config.root)
    updated = current.updated(result.findings, config.root, reason, keep_stale=keep_stale)
    write_baseline(updated, where)
    removed = 0 if keep_stale else len(stale)
    # Entries kept are rewritten when an old (version 1) fingerprint is replaced: they are not new.
    added = len(updated.entries) - (len(current.entries) - removed)
    click.echo(
        f"cavra-safety: updated {where}: {added} added, {removed} stale removed, {len(updated.entries)} entries",
        err=True,
    )
    return 0


@baseline.command(name="list")
@_scan_options
@click.option("--stale", "only_stale", is_flag=True, help="Show only stale entries, and exit 1 if there are any.")
def list_entries(only_stale: bool, **scan_args: Any) -> int:
    """Show every entry, marking those no finding matches any more as stale."""
    from cavra_safety.baseline import load_baseline

    planned = _scan(**scan_args)
    config, where = planned.config, planned.where
    current = load_baseline(where, required=True)
    assert current is not None
    result = planned.run(current.salt)
    stale = set(current.stale(result.findings, config.root))
    shown = [entry for entry in current.entries if entry in stale or not only_stale]
    for entry in shown:
        status = "stale" if entry in stale else "ok"
        # Paths and reasons are hand-written text: a pasted key shows redacted, as in every other message.
        line = f"{status:5}  {entry.path}  {entry.rule_id}  [{entry.category.value}]  {entry.reason}"
        click.echo(redact_secrets(printable(line)))
    click.echo(f"cavra-safety: {len(current.entries)} entries in {where}, {len(stale)} stale", err=True)
    return 1 if only_stale and stale else 0


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise UserError("--reason must not be empty: say why these findings are acceptable")
