"""``scan --history`` made fast without changing what it reports: a pool of workers for long histories, and
identical sources scanned once. The thresholds are lowered so that a small repository takes the pool path."""

from __future__ import annotations

import json
import os
import time
from dataclasses import replace
from typing import Any

import pytest
from git_repo import STRIPE_RULE, Cli, Repo, record_history_pools, secret_line, tenant_line

import cavra_safety.pipeline.history as history_scan
from cavra_safety.sources import Origin, Source


@pytest.fixture
def small_thresholds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Lowers the thresholds; the returned list records the size of every pool started."""
    return record_history_pools(monkeypatch, min_files=4, batch_files=3)


def _history(repo: Repo) -> None:
    """Thirty commits: secrets added, copied, removed and re-added, a tenant id, an allowed value, noise."""
    repo.commit("init", {"app.py": "x = 1\n"})
    for number in range(24):
        files: dict[str, str | None] = {f"pkg/mod_{number:02d}.py": f"value = {number}\n" * (number + 1)}
        if number % 6 == 2:
            files[f"pkg/conf_{number:02d}.py"] = "import os\n" + secret_line(f"key-{number}")
        if number == 9:
            files["pkg/conf_02.py"] = None  # removed ...
        if number == 15:
            files["pkg/conf_02.py"] = "import os\n" + secret_line("key-2")  # ... and re-added, identical
        if number == 11:
            files["tenants.py"] = tenant_line("4410")
        if number == 13:
            files["allowed.py"] = secret_line("allowed").rstrip("\n") + f"  # cavra: allow {STRIPE_RULE} -- fixture\n"
        repo.commit(f"change {number}", files)


def _scan(cli: Cli, repo: Repo, jobs: str) -> dict[str, Any]:
    code, out, err = cli(repo.path, "scan", "--history", "-j", jobs, "--format", "json", "--quiet")
    assert code == 1, err
    report: dict[str, Any] = json.loads(out)
    return report


@pytest.mark.parametrize(("jobs", "workers"), [("2", 1), ("3", 2)])
def test_a_pool_reports_exactly_what_one_process_reports(
    repo: Repo, cli: Cli, small_thresholds: list[int], jobs: str, workers: int
) -> None:
    _history(repo)
    alone = _scan(cli, repo, "1")
    assert small_thresholds == []
    pooled = _scan(cli, repo, jobs)
    assert small_thresholds == [workers]  # this process scans too: one worker fewer than jobs
    assert pooled["findings"] == alone["findings"]
    assert pooled["summary"] == alone["summary"]
    assert pooled["suppressed"] == alone["suppressed"]  # carried back from the workers, first occurrence kept
    assert [(s["path"], s["kind"], s["justification"]) for s in alone["suppressed"]] == [
        ("allowed.py", "inline", "fixture")
    ]
    categories = sorted(finding["category"] for finding in alone["findings"])
    assert categories == ["billing-secret"] * 4 + ["tenant-id"]
    assert alone["summary"]["suppressed"]["inline"] == 1


def test_this_process_scans_the_groups_the_busy_workers_cannot_take_and_reports_the_same(
    repo: Repo, cli: Cli, small_thresholds: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _history(repo)
    alone = _scan(cli, repo, "1")
    here: list[int] = []  # groups scanned in this process once the pool runs (the workers' own lists are copies)
    real_group, real_raw = history_scan._scan_group, history_scan._scan_raw
    main = os.getpid()

    def recording_group(*args: Any) -> Any:
        if os.getpid() == main and small_thresholds:
            here.append(len(args[1]))
        return real_group(*args)

    def slow_raw(*args: Any) -> Any:  # a worker that lags behind: this process takes up the groups
        time.sleep(0.3)
        return real_raw(*args)

    # Sent to the forked worker by name, as the function it replaces (which the worker's copy of the module holds).
    slow_raw.__module__, slow_raw.__qualname__ = real_raw.__module__, real_raw.__qualname__
    monkeypatch.setattr(history_scan, "_scan_group", recording_group)
    monkeypatch.setattr(history_scan, "_scan_raw", slow_raw)
    pooled = _scan(cli, repo, "2")
    assert small_thresholds == [1]
    assert here, "no group was scanned in this process while the pool ran"
    assert (pooled["findings"], pooled["summary"], pooled["suppressed"]) == (
        alone["findings"],
        alone["summary"],
        alone["suppressed"],
    )


def test_an_identical_source_counts_at_every_commit_but_is_first_met_where_it_was_added(
    repo: Repo, cli: Cli, small_thresholds: list[int]
) -> None:
    _history(repo)
    added = repo.git("log", "--format=%H", "--grep=^change 2$").strip()
    re_added = repo.git("log", "--format=%H", "--grep=^change 15$").strip()
    for jobs in ("1", "2"):
        findings = _scan(cli, repo, jobs)["findings"]
        (conf,) = [finding for finding in findings if finding["path"] == "pkg/conf_02.py"]
        assert conf["commit"] == added and conf["commit"] != re_added
        assert conf["occurrences"] == 2
        assert conf["in_head"] is True


def test_files_scanned_counts_replayed_sources(repo: Repo, cli: Cli, small_thresholds: list[int]) -> None:
    repo.commit("add", {"a.py": "x = 1\n"})
    repo.commit("remove", {"a.py": None})
    repo.commit("add again", {"a.py": "x = 1\n"})
    code, out, _ = cli(repo.path, "scan", "--history", "-j", "1", "--format", "json", "--quiet")
    assert code == 0
    # three commit messages and the two identical additions of a.py (the second replayed, still counted)
    assert json.loads(out)["summary"]["files_scanned"] == 5


_SOURCE = Source("a.py", "x = 1\n\x00y = 2", Origin.COMMIT, "a" * 40, frozenset({1, 3}))


@pytest.mark.parametrize(
    ("other", "same"),
    [
        (_SOURCE, True),
        (replace(_SOURCE, commit="b" * 40), True),  # another commit, the same scan
        (replace(_SOURCE, path="b.py"), False),
        (replace(_SOURCE, text="x = 1\n\x00y = 3"), False),
        (replace(_SOURCE, text="x = 1\n"), False),
        (replace(_SOURCE, added_lines=frozenset({1})), False),
        (replace(_SOURCE, added_lines=frozenset({1, 2})), False),
    ],
)
def test_sources_are_scanned_once_only_when_path_text_and_counted_lines_are_all_the_same(
    other: Source, same: bool
) -> None:
    assert (history_scan._digest(_SOURCE) == history_scan._digest(other)) is same
