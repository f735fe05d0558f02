"""``scan --staged``: the content the index holds, not the working tree."""

from __future__ import annotations

import pytest
from git_repo import STRIPE_RULE, Cli, Repo, places, secret_line


def test_the_index_is_scanned_not_the_working_tree(repo: Repo, cli: Cli) -> None:
    repo.commit("init", {"app.py": "x = 1\n"})
    # Staged with a secret, then cleaned in the working tree only: the commit would still carry it.
    repo.write("settings.py", "import os\n" + secret_line("staged"))
    repo.git("add", "settings.py")
    repo.write("settings.py", "import os\nSTRIPE_KEY = os.environ['STRIPE_KEY']\n")
    # Secret in the working tree only, index clean: nothing would be committed.
    repo.write("app.py", "x = 1\n" + secret_line("unstaged"))
    findings = cli.findings(repo.path, "scan", "--staged")
    assert places(findings) == [("settings.py", 2, STRIPE_RULE)]
    assert findings[0]["commit"] is None
    # The plain scan reads the working tree: the opposite picture.
    assert places(cli.findings(repo.path, "scan", ".")) == [("app.py", 2, STRIPE_RULE)]


@pytest.mark.parametrize("name", ["with space.py", "ünïcödé/日本.py", "dir with space/ça va.env", "-dash.py"])
def test_file_names_with_spaces_and_non_ascii(repo: Repo, cli: Cli, name: str) -> None:
    repo.commit("init", {"README.md": "hello\n"})
    repo.write(name, "# config\n" + secret_line(name))
    repo.git("add", "--", name)
    findings = cli.findings(repo.path, "scan", "--staged")
    assert places(findings) == [(name, 2, STRIPE_RULE)]


def test_empty_repository_without_any_commit(repo: Repo, cli: Cli) -> None:
    repo.write("first.py", secret_line("first"))
    repo.write("clean.py", "x = 1\n")
    repo.git("add", ".")
    assert places(cli.findings(repo.path, "scan", "--staged")) == [("first.py", 1, STRIPE_RULE)]


def test_nothing_staged_is_clean_even_with_a_dirty_tree(repo: Repo, cli: Cli) -> None:
    repo.commit("init", {"app.py": "x = 1\n"})
    repo.write("app.py", secret_line("dirty"))
    code, _, err = cli(repo.path, "scan", "--staged")
    assert code == 0
    assert "0 files scanned" in err


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("delete", []),  # a deleted file holds nothing to commit
        ("rename", [("moved/new name.py", 2, STRIPE_RULE)]),  # the file under its new name, whole
        ("mode", [("old.py", 2, STRIPE_RULE)]),  # staged whole files: an existing secret is still reported
    ],
)
def test_deletions_renames_and_mode_changes(
    repo: Repo, cli: Cli, change: str, expected: list[tuple[str, int, str]]
) -> None:
    repo.commit("init", {"old.py": "import os\n" + secret_line("old")})
    if change == "delete":
        repo.git("rm", "-q", "old.py")
    elif change == "rename":
        (repo.path / "moved").mkdir()
        repo.git("mv", "old.py", "moved/new name.py")
    else:
        repo.git("update-index", "--chmod=+x", "old.py")
    assert places(cli.findings(repo.path, "scan", "--staged")) == expected


def test_paths_limit_the_staged_scan_and_are_data(repo: Repo, cli: Cli) -> None:
    repo.commit("init", {"a.py": "x = 1\n"})
    repo.write("a.py", secret_line("a"))
    repo.write("b.py", secret_line("b"))
    repo.git("add", ".")
    assert places(cli.findings(repo.path, "scan", "--staged", "b.py")) == [("b.py", 1, STRIPE_RULE)]
    # A glob is a literal path (--literal-pathspecs): it matches no file rather than every file.
    repo.write("*.py", "x = 2\n")
    repo.git("add", "--", "*.py")
    code, _, _ = cli(repo.path, "scan", "--staged", "*.py")
    assert code == 0


def test_staged_scan_from_a_subfolder_reports_repository_paths(repo: Repo, cli: Cli) -> None:
    repo.commit("init", {"pkg/app.py": "x = 1\n"})
    repo.write("pkg/app.py", secret_line("sub"))
    repo.git("add", ".")
    assert places(cli.findings(repo.path / "pkg", "scan", "--staged")) == [("pkg/app.py", 1, STRIPE_RULE)]


def test_binary_symlink_and_excluded_files_are_not_read(repo: Repo, cli: Cli) -> None:
    repo.commit("init", {"pyproject.toml": '[tool.cavra-safety]\nexclude = ["fixtures/"]\n'})
    repo.write("fixtures/key.py", secret_line("fixture"))
    (repo.path / "blob.bin").write_bytes(b"\x00\x01" + secret_line("bin").encode())
    (repo.path / "link.py").symlink_to("fixtures/key.py")
    repo.git("add", ".")
    code, out, _ = cli(repo.path, "scan", "--staged", "--format", "json", "-q")
    assert code == 0
    assert "blob.bin" in out and "link.py" in out and "fixtures/key.py" not in out
