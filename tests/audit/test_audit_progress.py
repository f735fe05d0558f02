"""Progress for long audits: drawn on a terminal only, never with --quiet or when stderr is not a terminal."""

from __future__ import annotations

import io

import pytest
from audit_repo import Cli, Repo, stripe_line

from cavra_safety.commands.output import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("enabled", "drawn"), [(True, True), (False, False)])
def test_the_bar_draws_only_when_enabled(enabled: bool, drawn: bool) -> None:
    screen = _Terminal()
    bar = Progress("Scanning commits", enabled, stream=screen, delay=0)
    for done in range(1, 4):
        bar(done, 3)
    bar.close()
    assert ("Scanning commits" in screen.getvalue()) is drawn


def test_the_bar_waits_for_a_long_run() -> None:
    screen = _Terminal()
    bar = Progress("Scanning files", True, stream=screen, delay=3600)
    bar(1, 2)
    bar.close()
    assert screen.getvalue() == ""


def test_the_audit_feeds_both_bars(repo: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit("one", {"a.py": "x = 1\n"})
    repo.commit("two", {"b.py": stripe_line("progress")})
    calls: list[tuple[str, int, int]] = []

    def record(self: Progress, done: int, total: int) -> None:
        calls.append((self.label, done, total))

    monkeypatch.setattr(Progress, "__call__", record)
    monkeypatch.setattr("cavra_safety.commands.audit.stderr_is_terminal", lambda: True)
    code, _, _ = cli(repo.path, "audit", "--format", "json")
    assert code == 1
    assert ("Scanning files", 2, 2) in calls
    commits = [(done, total) for label, done, total in calls if label == "Scanning commits"]
    assert commits[-1] == (2, 2)  # the history scan may report per commit or per batch of commits
    assert [done for done, _ in commits] == sorted(done for done, _ in commits)


@pytest.mark.parametrize(
    ("terminal", "quiet", "fed"), [(False, False, False), (True, True, False), (True, False, True)]
)
def test_no_progress_when_quiet_or_not_a_terminal(
    repo: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch, terminal: bool, quiet: bool, fed: bool
) -> None:
    repo.commit("one", {"a.py": "x = 1\n"})
    calls: list[int] = []
    monkeypatch.setattr(Progress, "__call__", lambda self, done, total: calls.append(done))
    monkeypatch.setattr("cavra_safety.commands.audit.stderr_is_terminal", lambda: terminal)
    code, _, err = cli(repo.path, "audit", *(["--quiet"] if quiet else []))
    assert code == 0
    assert bool(calls) is fed
    assert "Scanning" not in err
    assert (err == "") is quiet
