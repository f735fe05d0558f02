"""``scan --history``: every commit's added lines and messages, each value once, at the commit that added it."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from git_repo import STRIPE_RULE, TENANT_RULE, Cli, Repo, places, secret_line, tenant_line


def _by_rule(findings: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {finding["rule_id"]: finding for finding in findings}


def test_a_secret_added_then_removed_is_found_and_not_in_head(repo: Repo, cli: Cli) -> None:
    repo.commit("init", {"app.py": "x = 1\n"})
    added = repo.commit("add config", {"config.py": "import os\n" + secret_line("removed")})
    repo.commit("remove the key", {"config.py": "import os\nKEY = os.environ['KEY']\n"})
    (finding,) = cli.findings(repo.path, "scan", "--history")
    assert (finding["path"], finding["line"], finding["rule_id"]) == ("config.py", 2, STRIPE_RULE)
    assert finding["commit"] == added
    assert finding["author_date"] == repo.author_date(added)
    assert finding["in_head"] is False
    assert finding["occurrences"] == 1
    # The tree scan sees nothing: only history shows the exposure.
    assert cli.findings(repo.path, "scan", ".") == []


def test_the_same_secret_in_many_commits_is_reported_once_with_a_count(repo: Repo, cli: Cli) -> None:
    first = repo.commit("add", {"a.py": secret_line("again")})
    repo.commit("copy", {"b.py": "# copy\n" + secret_line("again")})
    repo.commit("remove a", {"a.py": None})
    repo.commit("re-add", {"a.py": secret_line("again")})
    (finding,) = cli.findings(repo.path, "scan", "--history")
    assert (finding["path"], finding["commit"], finding["occurrences"]) == ("a.py", first, 3)
    assert finding["in_head"] is True


def test_commit_messages_are_scanned(repo: Repo, cli: Cli) -> None:
    leaky = repo.commit("rotate key\n\nold one was " + secret_line("message").strip(), {"a.py": "x = 1\n"})
    (finding,) = cli.findings(repo.path, "scan", "--history")
    assert (finding["path"], finding["line"], finding["commit"]) == ("(commit message)", 3, leaky)
    assert finding["in_head"] is None


def test_merges_attribute_to_the_branch_commit_and_catch_evil_merges(repo: Repo, cli: Cli) -> None:
    repo.commit("base", {"app.py": "x = 1\n", "conf.py": "a = 1\n"})
    repo.git("checkout", "-q", "-b", "side")
    side = repo.commit("side adds", {"side.py": secret_line("side")})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"main.py": "y = 2\n"})
    repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
    # An "evil merge": the merge commit itself adds a line no parent has.
    repo.write("conf.py", "a = 1\n" + tenant_line())
    repo.git("add", "conf.py")
    repo.git("commit", "-q", "-m", "merge side")
    merge = repo.head()
    findings = _by_rule(cli.findings(repo.path, "scan", "--history"))
    assert findings[STRIPE_RULE]["commit"] == side
    assert findings[STRIPE_RULE]["occurrences"] == 1  # the branch commit only: the merge does not add it again
    assert (findings[TENANT_RULE]["path"], findings[TENANT_RULE]["line"]) == ("conf.py", 2)
    assert findings[TENANT_RULE]["commit"] == merge


def test_a_conflict_resolution_is_scanned_as_the_merge_adds_it(repo: Repo, cli: Cli) -> None:
    repo.commit("base", {"conf.py": "a = 1\n"})
    repo.git("checkout", "-q", "-b", "side")
    side = repo.commit("side", {"conf.py": "a = 2\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"conf.py": "a = 3\n"})
    conflict = subprocess.run(["git", "merge", "-q", "side"], cwd=repo.path, capture_output=True, check=False)
    assert conflict.returncode != 0  # a conflict on line 1
    repo.write("conf.py", "a = 4\n" + secret_line("resolution"))
    repo.git("add", "conf.py")
    repo.git("commit", "-q", "--no-edit")
    merge = repo.head()
    (finding,) = cli.findings(repo.path, "scan", "--history")
    assert (finding["path"], finding["line"], finding["commit"]) == ("conf.py", 2, merge)
    assert finding["occurrences"] == 1
    assert side != merge


def test_a_merge_that_takes_one_side_adds_nothing(repo: Repo, cli: Cli) -> None:
    repo.commit("base", {"conf.py": "a = 1\n", "plain.py": "b = 1\n", ".gitattributes": "conf.py -diff\n"})
    repo.git("checkout", "-q", "-b", "side")
    side = repo.commit("side", {"conf.py": "a = 1\n" + secret_line("side"), "plain.py": "b = 1\n" + secret_line("p")})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"main.py": "y = 2\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
    findings = cli.findings(repo.path, "scan", "--history")
    # Text and a file git calls binary alike: reported at the branch commit, once, never again at the merge.
    assert sorted((f["path"], f["commit"], f["occurrences"]) for f in findings) == [
        ("conf.py", side, 1),
        ("plain.py", side, 1),
    ]


def test_since_branch_and_all(repo: Repo, cli: Cli) -> None:
    repo.commit("old", {"old.py": secret_line("old")})
    since = repo.commit("clean", {"app.py": "x = 1\n"})
    repo.commit("new", {"new.py": secret_line("new")})
    repo.git("checkout", "-q", "-b", "other", since)
    repo.commit("other", {"other.py": secret_line("other")})
    repo.git("checkout", "-q", "main")
    assert places(cli.findings(repo.path, "scan", "--history")) == [
        ("new.py", 1, STRIPE_RULE),
        ("old.py", 1, STRIPE_RULE),
    ]
    assert places(cli.findings(repo.path, "scan", "--history", "--since", since)) == [("new.py", 1, STRIPE_RULE)]
    other = cli.findings(repo.path, "scan", "--history", "--branch", "other", "--since", since)
    assert places(other) == [("other.py", 1, STRIPE_RULE)]
    assert other[0]["in_head"] is True  # still in the tip of the branch that was scanned
    assert len(cli.findings(repo.path, "scan", "--history", "--all")) == 3


def test_detached_head(repo: Repo, cli: Cli) -> None:
    first = repo.commit("leak", {"a.py": secret_line("detached")})
    repo.commit("fix", {"a.py": "x = 1\n"})
    repo.git("checkout", "-q", "--detach", first)
    (finding,) = cli.findings(repo.path, "scan", "--history")
    assert finding["in_head"] is True


def test_empty_repository_is_clean(repo: Repo, cli: Cli) -> None:
    code, out, err = cli(repo.path, "scan", "--history", "--format", "json", "-q")
    assert code == 0, err
    assert '"findings": []' in out
    assert cli(repo.path, "scan", "--history", "--all", "-q")[0] == 0


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("dir with space/ça.py", "dir with space/ça.py"),
        ("日本語.env", "日本語.env"),
        ("tab\there.py", "tab\\x09here.py"),
    ],  # a control character is shown escaped, never raw
)
def test_history_file_names(repo: Repo, cli: Cli, name: str, shown: str) -> None:
    repo.commit("add", {name: "# x\n" + secret_line(name)})
    repo.commit("remove", {name: None})
    (finding,) = cli.findings(repo.path, "scan", "--history")
    assert (finding["path"], finding["line"], finding["in_head"]) == (shown, 2, False)


def test_history_honours_inline_allows_and_hunk_context(repo: Repo, cli: Cli) -> None:
    allow = f"# cavra: allow {STRIPE_RULE} -- documented fixture\n"
    repo.commit("base", {"a.py": allow + "\n" * 5})
    # The allow comment was committed earlier; it sits in the hunk's context of the later commit.
    lines = [allow, secret_line("allowed"), "\n" * 4]
    repo.commit("add allowed", {"a.py": "".join(lines)})
    code, _, err = cli(repo.path, "scan", "--history")
    assert code == 0, err
    assert "1 allowed inline" in err


def test_history_text_report_names_commit_and_date(repo: Repo, cli: Cli) -> None:
    added = repo.commit("leak", {"a.py": secret_line("text")})
    repo.commit("fix", {"a.py": "x = 1\n"})
    code, out, _ = cli(repo.path, "scan", "--history", "-q")
    assert code == 1
    assert f"in commit {added[:12]} (authored {repo.author_date(added)}, no longer in HEAD)" in out


@pytest.mark.parametrize(("args", "expected_total"), [((), 3), (("--", "b.py"), 1)], ids=["all", "one-path"])
def test_a_history_scan_on_a_terminal_reports_progress_against_the_commit_count(
    repo: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], expected_total: int
) -> None:
    from cavra_safety.commands.output import Progress

    repo.commit("one", {"a.py": "x = 1\n"})
    repo.commit("two", {"b.py": secret_line("progress")})
    repo.commit("three", {"a.py": "x = 2\n"})
    calls: list[tuple[str, int, int]] = []
    monkeypatch.setattr(Progress, "__call__", lambda self, done, total: calls.append((self.label, done, total)))
    monkeypatch.setattr("cavra_safety.commands.scan.sys.stderr.isatty", lambda: True)
    code, _, _ = cli(repo.path, "scan", "--history", *args)
    assert code == 1
    assert calls and calls[-1] == ("Scanning commits", expected_total, expected_total)
    assert [done for _, done, _ in calls] == sorted(done for _, done, _ in calls)
    # Quiet, or not a terminal: no progress at all (and no git rev-list for it).
    calls.clear()
    assert cli(repo.path, "scan", "--history", "--quiet", *args)[0] == 1
    assert calls == []
