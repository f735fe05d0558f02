"""The parity property of history scans (issue 14, point 1): for every commit C, every finding a tree scan of
C's checkout makes (same rule and fingerprint) is in the history scan, attributed to the first commit whose
tree scan reports it, at one of the places that tree scan reports it.

Histories are random and seeded (``parity_histories``). A few run by default; set CAVRA_PARITY_EXAMPLES (how
many seeds) and CAVRA_PARITY_STEPS (operations per history) for a longer local run, for example
``CAVRA_PARITY_EXAMPLES=200 pytest tests/pipeline/test_history_parity.py -n 2``.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path

import pytest
from git_repo import Repo
from parity_histories import random_history

from cavra_safety.config import Config
from cavra_safety.findings import Finding
from cavra_safety.git import Git
from cavra_safety.pipeline.history import HistoryOptions, history_scan
from cavra_safety.pipeline.scan import scan
from cavra_safety.policy import Policy, load_policy

EXAMPLES = int(os.environ.get("CAVRA_PARITY_EXAMPLES", "3"))
STEPS = int(os.environ.get("CAVRA_PARITY_STEPS", "8"))

Key = tuple[str, str]
Place = tuple[str, int]


def _checkout(repo: Repo, commit: str, into: Path) -> None:
    """The tree of ``commit``, written out as files (``git archive``: no .git, no index)."""
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=repo.path, capture_output=True, check=True)
    into.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")


def _key(finding: Finding) -> Key:
    return (finding.rule_id, finding.fingerprint)


def first_tree_findings(repo: Repo, scratch: Path, policy: Policy) -> dict[Key, tuple[str, set[Place]]]:
    """Per value: the first commit (in the history walk's order) whose tree scan reports it, and its places there."""
    order = repo.git("rev-list", "--reverse", "--topo-order", "HEAD").split()
    first: dict[Key, tuple[str, set[Place]]] = {}
    for number, commit in enumerate(order):
        tree = scratch / f"c{number}"
        _checkout(repo, commit, tree)
        result = scan(Config(root=tree, jobs=1), policy=policy)
        here: dict[Key, set[Place]] = {}
        for finding in result.findings:
            here.setdefault(_key(finding), set()).add((finding.path, finding.line))
        for key, where in here.items():
            first.setdefault(key, (commit, where))
    return first


def assert_parity(repo: Repo, scratch: Path) -> int:
    config = Config(root=repo.path, jobs=1)
    policy = load_policy(config)
    expected = first_tree_findings(repo, scratch, policy)
    history = history_scan(Git(repo.path), config, HistoryOptions(), (), None)
    found = {_key(finding): finding for finding in history.findings}
    problems = []
    for key, (commit, where) in sorted(expected.items()):
        got = found.get(key)
        if got is None:
            problems.append(f"{key[0]} at {sorted(where)} (first in {commit[:8]}): not in the history scan")
        elif got.commit != commit or (got.path, got.line) not in where:
            problems.append(
                f"{key[0]}: history says {got.path}:{got.line} in {(got.commit or '')[:8]}, "
                f"the tree scans first report it at {sorted(where)} in {commit[:8]}"
            )
    assert not problems, "\n".join(problems)
    return len(expected)


@pytest.mark.parametrize("seed", range(EXAMPLES))
def test_history_scan_reports_what_tree_scans_report_where_they_first_report_it(seed: int, tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo")
    random_history(repo, seed, STEPS)
    assert_parity(repo, tmp_path / "trees")
