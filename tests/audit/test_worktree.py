"""The audit's "uncommitted changes", found without ``git status`` (which would run the repository's filters
and fsmonitor): it must agree with git status wherever status runs nothing of the repository's."""

from __future__ import annotations

import os
import subprocess
from typing import Any

import pytest
from audit_repo import Repo

from cavra_safety.audit.worktree import work_tree_changed
from cavra_safety.git import Git


def _conflict(repo: Repo) -> None:
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("side", {"a.txt": "side\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"a.txt": "main\n"})
    done = subprocess.run(["git", "merge", "-q", "side"], cwd=repo.path, capture_output=True, check=False)
    assert done.returncode != 0  # a conflict, left unresolved


def _restore_mtime(repo: Repo) -> None:
    """Same size, same mtime, other bytes: only the ctime (and the content) tell."""
    path = repo.path / "a.txt"
    before = path.stat()
    path.write_text("A\n")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def _submodule(repo: Repo, change: str) -> None:
    inner = Repo(repo.path.parent / "inner")
    inner.commit("inner", {"lib.txt": "v1\n"})
    repo.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner.path), "lib")
    repo.commit("add the submodule")
    module = repo.path / "lib"
    if change == "moved":
        identity = ["-c", "user.name=T", "-c", "user.email=t@example.invalid"]
        subprocess.run(["git", *identity, "commit", "-q", "--allow-empty", "-m", "x"], cwd=module, check=True)
    elif change == "edited":
        (module / "lib.txt").write_text("v2\n")
    elif change == "uninitialised":
        repo.git("submodule", "deinit", "-q", "-f", "lib")


WORK_TREE_CHANGES: dict[str, Any] = {
    "clean": lambda repo: None,
    "touched, same bytes": lambda repo: os.utime(repo.path / "a.txt", (1, 1)),
    "modified, same size": lambda repo: repo.write("a.txt", "A\n"),
    "modified, mtime restored": _restore_mtime,
    "deleted": lambda repo: (repo.path / "a.txt").unlink(),
    "untracked file": lambda repo: repo.write("new/u.txt", "u\n"),
    "ignored files only": lambda repo: repo.write("build/out.txt", "o\n"),
    "empty folder": lambda repo: (repo.path / "empty").mkdir(),
    "staged": lambda repo: (repo.write("s.txt", "s\n"), repo.git("add", "s.txt")),
    "staged, then undone in the tree": lambda repo: (
        repo.write("a.txt", "A\n"),
        repo.git("add", "a.txt"),
        repo.write("a.txt", "a\n"),
    ),
    "executable bit": lambda repo: os.chmod(repo.path / "a.txt", 0o755),
    "executable bit, core.fileMode false": lambda repo: (
        repo.git("config", "core.fileMode", "false"),
        os.chmod(repo.path / "a.txt", 0o755),
    ),
    "symbolic link retargeted": lambda repo: ((repo.path / "link").unlink(), (repo.path / "link").symlink_to("b")),
    "file became a folder": lambda repo: ((repo.path / "a.txt").unlink(), (repo.path / "a.txt").mkdir()),
    "assume-unchanged": lambda repo: (
        repo.git("update-index", "--assume-unchanged", "a.txt"),
        repo.write("a.txt", "changed\n"),
    ),
    "skip-worktree": lambda repo: (
        repo.git("update-index", "--skip-worktree", "a.txt"),
        (repo.path / "a.txt").unlink(),
    ),
    "merge conflict": _conflict,
    "submodule clean": lambda repo: _submodule(repo, "clean"),
    "submodule at another commit": lambda repo: _submodule(repo, "moved"),
    "submodule edited": lambda repo: _submodule(repo, "edited"),
    "submodule not checked out": lambda repo: _submodule(repo, "uninitialised"),
}


@pytest.mark.parametrize("change", WORK_TREE_CHANGES)
def test_work_tree_changed_agrees_with_git_status(repo: Repo, change: str) -> None:
    repo.commit("init", {"a.txt": "a\n", "dir/b.txt": "b\n", ".gitignore": "build/\n"})
    os.symlink("a.txt", repo.path / "link")
    repo.commit("link")
    WORK_TREE_CHANGES[change](repo)
    status = repo.git("status", "--porcelain", "--untracked-files=normal")
    assert work_tree_changed(Git(repo.path / "dir"), repo.path) == bool(status), status


def test_work_tree_changed_in_an_empty_repository(repo: Repo) -> None:
    assert not work_tree_changed(Git(repo.path), repo.path)
    repo.write("a.txt", "a\n")
    assert work_tree_changed(Git(repo.path), repo.path)
