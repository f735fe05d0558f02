"""What is binary is decided by content, with the tree walk's rule, never by git's attributes: real binaries are
skipped with the same reasons everywhere, and text that git calls binary is scanned (issue 12, point 2)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from git_repo import STRIPE_RULE, Cli, Repo, places, record_history_pools, secret_line

from cavra_safety.config import Config, load_config
from cavra_safety.findings import ScanResult
from cavra_safety.git import Git
from cavra_safety.pipeline.history import HistoryOptions, history_scan
from cavra_safety.pipeline.scan import scan
from cavra_safety.sources.diff import diff_sources
from cavra_safety.sources.staged import staged_sources

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
MAX_SIZE = 4096
EXPECTED_SKIPS = {
    "logo.png": "binary (.png)",
    "blob.dat": "binary (NUL bytes)",
    "big.txt": f"larger than max-file-size ({MAX_SIZE} bytes)",
}


def _files(repo: Repo) -> None:
    (repo.path / "logo.png").write_bytes(PNG)
    (repo.path / "blob.dat").write_bytes(b"header\n\x00\x01\x02" + secret_line("in-binary").encode())
    (repo.path / "utf16.txt").write_bytes(("x = 1\n" + secret_line("utf16")).encode("utf-16"))
    repo.write("big.txt", "filler = 1\n" * (MAX_SIZE // 10))


def _config(repo: Repo) -> Config:
    config = load_config(repo.path, None).with_overrides(root=repo.path, paths=(repo.path,))
    return replace(config, max_file_size=MAX_SIZE)


def _skips(result: ScanResult | list[object]) -> dict[str, str]:
    items = result.skipped if isinstance(result, ScanResult) else result
    return {item.path: item.reason for item in items}  # type: ignore[attr-defined]


@pytest.mark.parametrize("attributes", ["", "* -diff\n", "* binary\n"], ids=["no attributes", "-diff", "binary"])
def test_binaries_are_skipped_with_the_tree_walks_reasons_everywhere(repo: Repo, attributes: str) -> None:
    repo.commit("base", {"README.md": "hello\n"})
    if attributes:
        (repo.path / ".git" / "info" / "attributes").write_text(attributes)
    _files(repo)
    config, git = _config(repo), Git(repo.path)
    tree = scan(config)
    repo.git("add", "-A")
    staged = staged_sources(git, config, repo.path)
    repo.commit("binaries")
    diff = diff_sources(git, config, repo.path, "HEAD~1")
    history = history_scan(git, config, HistoryOptions(), (), None)
    assert _skips(tree) == EXPECTED_SKIPS
    assert _skips(staged.skipped) == EXPECTED_SKIPS
    assert _skips(diff.skipped) == EXPECTED_SKIPS
    assert _skips(history) == EXPECTED_SKIPS
    # UTF-16 text (git calls it binary: it holds NUL bytes) is text by our rule, in every scan.
    assert [source.path for source in staged.sources] == ["utf16.txt"]
    assert [source.path for source in diff.sources] == ["utf16.txt"]
    expected = [("utf16.txt", 2, STRIPE_RULE)]
    assert sorted((f.path, f.line, f.rule_id) for f in tree.findings) == expected
    assert sorted((f.path, f.line, f.rule_id) for f in history.findings) == expected


def test_utf16_changes_count_only_their_added_lines(repo: Repo, cli: Cli) -> None:
    old = "x = 1\n" + secret_line("utf16-old")
    base = repo.commit("base", {})
    (repo.path / "notes.txt").write_bytes(old.encode("utf-16"))
    first = repo.commit("old key")
    (repo.path / "notes.txt").write_bytes((old + "y = 2\n" + secret_line("utf16-new")).encode("utf-16"))
    second = repo.commit("new key")
    assert places(cli.findings(repo.path, "scan", "--diff", first)) == [("notes.txt", 4, STRIPE_RULE)]
    history = cli.findings(repo.path, "scan", "--history", "--since", base)
    assert sorted((f["line"], f["commit"]) for f in history) == [(2, first), (4, second)]


def test_a_disguised_file_counts_only_the_lines_its_change_adds(repo: Repo, cli: Cli) -> None:
    """Judged again as text, a file keeps the diff rule: a key that was already there is not new."""
    base = repo.commit("base", {"app.py": "import os\n" + secret_line("already") + "X = 1\n"})
    change = repo.commit(
        "disguise",
        {
            ".gitattributes": "*.py -diff\n",
            "app.py": "import os\n" + secret_line("already") + "X = 1\n" + secret_line("new"),
        },
    )
    diff = cli.findings(repo.path, "scan", "--diff", base)
    assert [(f["path"], f["line"], f["commit"]) for f in diff] == [("app.py", 4, change)]
    history = cli.findings(repo.path, "scan", "--history")
    assert sorted((f["line"], f["commit"]) for f in history) == [(2, base), (4, change)]


def test_an_evil_merge_behind_attributes_is_found(repo: Repo, cli: Cli) -> None:
    repo.commit("base", {"app.py": "x = 1\n", ".gitattributes": "*.py -diff\n"})
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("side", {"side.py": "y = 2\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"main.py": "z = 3\n"})
    repo.git("merge", "-q", "--no-commit", "side")
    repo.write("app.py", "x = 1\n" + secret_line("evil-merge"))
    merge = repo.commit("merge side")
    findings = cli.findings(repo.path, "scan", "--history")
    assert [(f["path"], f["line"], f["commit"]) for f in findings] == [("app.py", 2, merge)]
    assert places(cli.findings(repo.path, "scan", "--diff", "HEAD~1")) == [("app.py", 2, STRIPE_RULE)]


def test_a_disguised_rename_reports_the_added_line_under_the_new_name(repo: Repo, cli: Cli) -> None:
    body = "".join(f"line{i} = {i}\n" for i in range(20))
    base = repo.commit("base", {"old.py": body, ".gitattributes": "*.py binary\n"})
    lines = body.splitlines(keepends=True)
    lines.insert(7, secret_line("renamed"))
    repo.commit("rename and edit", {"old.py": None, "new dir/renamed.py": "".join(lines)})
    assert places(cli.findings(repo.path, "scan", "--diff", base)) == [("new dir/renamed.py", 8, STRIPE_RULE)]
    assert places(cli.findings(repo.path, "scan", "--history")) == [("new dir/renamed.py", 8, STRIPE_RULE)]


def test_worker_processes_judge_git_binaries_too(repo: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long history is parsed in pool workers: they read the blobs git calls binary themselves."""
    started = record_history_pools(monkeypatch, min_files=2, batch_files=2)
    repo.commit("attributes", {".gitattributes": "*.py -diff\n"})
    for number in range(8):
        repo.commit(f"change {number}", {f"mod_{number}.py": f"value = {number}\n"})
    leak = repo.commit("leak", {"mod_5.py": "value = 5\n" + secret_line("pooled")})
    code, out, err = cli(repo.path, "scan", "--history", "-j", "2", "--format", "json", "--quiet")
    assert code == 1, err
    findings = json.loads(out)["findings"]
    assert [(f["path"], f["line"], f["commit"]) for f in findings] == [("mod_5.py", 2, leak)]
    assert started == [1]  # one worker beside this process, which scans too
