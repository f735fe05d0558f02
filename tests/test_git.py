"""Git safely: user data never becomes an option, git's refusals are one clear line, the repository is untouched."""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from git_repo import STRIPE_RULE, Cli, Repo, places, secret_line

from cavra_safety.errors import UserError
from cavra_safety.git import Git

GIT_FLAGS = [["--staged"], ["--diff", "HEAD"], ["--history"], ["--history", "--all"]]


@pytest.mark.parametrize("flags", GIT_FLAGS)
def test_a_folder_outside_git_is_a_clear_error_for_git_flags(tmp_path: Path, cli: Cli, flags: list[str]) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.py").write_text(secret_line("plain"))
    code, out, err = cli(plain, "scan", *flags)
    assert (code, out) == (2, "")
    assert err == (
        f"cavra-safety: error: {plain} is not inside a git repository ({flags[0]} needs one; "
        "to scan plain files, leave out the git flags)\n"
    )
    # Without git flags the same folder scans fine.
    assert cli(plain, "scan", ".", "-q")[0] == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--staged", "--history"], "--staged and --history cannot be combined"),
        (["--since", "HEAD"], "--since only applies to --history"),
        (["--all"], "--all only applies to --history"),
        (["--history", "--all", "--branch", "main"], "--all and --branch cannot be combined"),
        (["--baseline", "b.json", "--no-baseline"], "--baseline and --no-baseline cannot be combined"),
    ],
)
def test_flag_combinations(repo: Repo, cli: Cli, argv: list[str], message: str) -> None:
    repo.commit("init", {"a.py": "x = 1\n"})
    code, _, err = cli(repo.path, "scan", *argv)
    assert code == 2 and message in err


@pytest.mark.parametrize(
    "argv",
    [
        ["--diff", "--output=pwned"],
        ["--diff", "--output=pwned..HEAD"],
        ["--history", "--branch", "--output=pwned"],
        ["--history", "--since", "--output=pwned"],
        ["--history", "--branch", "--exec=touch pwned"],
    ],
)
def test_refs_that_look_like_options_are_data(repo: Repo, cli: Cli, argv: list[str]) -> None:
    repo.commit("init", {"a.py": "x = 1\n"})
    code, _, err = cli(repo.path, "scan", *argv)
    assert code == 2 and "unknown revision '--" in err
    assert sorted(p.name for p in repo.path.iterdir()) == [".git", "a.py"]


def test_a_branch_named_like_an_option_is_just_a_branch(repo: Repo, cli: Cli) -> None:
    repo.commit("init", {"a.py": "x = 1\n"})
    leak = repo.commit("leak", {"b.py": secret_line("odd-branch")})
    repo.git("update-ref", "refs/heads/--output=pwned", leak)
    repo.git("reset", "-q", "--hard", "HEAD~1")
    findings = cli.findings(repo.path, "scan", "--history", "--branch", "--output=pwned")
    assert places(findings) == [("b.py", 1, STRIPE_RULE)]
    assert cli.findings(repo.path, "scan", "--diff", "HEAD..--output=pwned") != []
    assert not (repo.path / "pwned").exists()


def test_paths_that_look_like_options_are_data(repo: Repo, cli: Cli) -> None:
    repo.commit("init", {"a.py": "x = 1\n"})
    repo.write("--output=pwned", secret_line("dash"))
    repo.git("add", "--", "--output=pwned")
    code, out, _ = cli(repo.path, "scan", "--staged", "--format", "github", "-q", "--", "--output=pwned")
    assert code == 1 and out.startswith(f"::error file=--output=pwned,line=1,endLine=1,col=15,title={STRIPE_RULE}")
    assert cli(repo.path, "scan", "--diff", "HEAD", "-q", "--", "--output=x")[0] == 0
    assert not (repo.path / "x").exists()


def _shallow_clone(repo: Repo, target: Path) -> Path:
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.path}", str(target)], check=True, capture_output=True
    )
    return target


def test_a_shallow_clone_without_the_base_is_exit_2_with_a_fetch_depth_hint(
    repo: Repo, cli: Cli, tmp_path: Path
) -> None:
    first = repo.commit("one", {"a.py": "x = 1\n"})
    repo.commit("two", {"b.py": "y = 1\n"})
    repo.commit("three", {"c.py": secret_line("shallow")})
    clone = _shallow_clone(repo, tmp_path / "clone")
    for spec in (first, "HEAD~1", f"{first}...HEAD"):
        code, _, err = cli(clone, "scan", "--diff", spec)
        assert code == 2, spec
        assert "shallow clone" in err and "fetch-depth: 0" in err and "Traceback" not in err
        assert err.count("\n") == 1
    # History in a shallow clone reads what is there.
    assert places(cli.findings(clone, "scan", "--history")) == [("c.py", 1, STRIPE_RULE)]


def test_an_empty_repository_has_no_head_to_diff(repo: Repo, cli: Cli) -> None:
    code, _, err = cli(repo.path, "scan", "--diff", "HEAD")
    assert code == 2 and "unknown revision 'HEAD'" in err


@pytest.mark.parametrize(
    ("stderr", "expected"),
    [
        (
            b"fatal: detected dubious ownership in repository at '/srv/repo'\nTo add an exception...\n",
            'git refuses to read /srv/repo: the repository is owned by another user ("dubious ownership"). '
            "If you trust it, run: git config --global --add safe.directory /srv/repo",
        ),
        (
            b"fatal: not a git repository (or any of the parent directories): .git\n",
            "/x is not inside a git repository (--staged needs one; to scan plain files, leave out the git flags)",
        ),
        (b"fatal: bad object 1234\n", "git log failed: bad object 1234"),
    ],
)
def test_git_refusals_become_one_clear_line(stderr: bytes, expected: str, tmp_path: Path) -> None:
    error = Git(tmp_path, purpose="--staged").explain(["log"], stderr)
    assert isinstance(error, UserError)
    assert str(error) == expected.replace("/x ", f"{tmp_path} ")


def test_dubious_ownership_for_real_when_the_tests_can_change_owners(repo: Repo, cli: Cli) -> None:
    repo.commit("init", {"a.py": "x = 1\n"})
    if os.geteuid() != 0:
        # Not root: make git see a foreign owner by pretending to be another user is impossible, so check the
        # safe.directory escape hatch instead, which must not break a normal scan.
        repo.git("config", "--global", "--add", "safe.directory", str(repo.path))
        assert cli(repo.path, "scan", "--staged", "-q")[0] == 0
        return
    for path in [repo.path, *repo.path.rglob("*")]:
        os.lchown(path, 4242, 4242)
    code, _, err = cli(repo.path, "scan", "--staged")
    assert code == 2
    assert "dubious ownership" in err and f"git config --global --add safe.directory {repo.path}" in err
    assert err.count("\n") == 1


def _snapshot(root: Path) -> dict[str, str]:
    state = {}
    for path in sorted((root / ".git").rglob("*")):
        if path.is_file():
            info = path.stat()
            state[str(path.relative_to(root))] = f"{hashlib.sha256(path.read_bytes()).hexdigest()}:{info.st_mtime_ns}"
    return state


def test_scans_never_change_the_repository(repo: Repo, cli: Cli) -> None:
    base = repo.commit("base", {"a.py": "x = 1\n"})
    repo.commit("leak", {"b.py": secret_line("state")})
    repo.write("a.py", "x = 2\n")  # a dirty tree: a refreshing command would rewrite the index
    repo.write("c.py", secret_line("staged"))
    repo.git("add", "c.py")
    before = _snapshot(repo.path)
    for argv in (["--staged"], ["--diff", base], ["--history"], ["--history", "--all"], ["."]):
        cli(repo.path, "scan", *argv, "-q")
    assert _snapshot(repo.path) == before
    assert repo.git("status", "--porcelain") == " M a.py\nA  c.py\n"
