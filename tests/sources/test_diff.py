"""``scan --diff``: only the lines a range adds count, at their real line numbers in the new file."""

from __future__ import annotations

import pytest
from git_repo import STRIPE_RULE, TENANT_RULE, Cli, Repo, places, secret_line, tenant_line

from cavra_safety.sources.patch import parse_patch, unquote_path


def test_only_added_lines_count_with_their_new_line_numbers(repo: Repo, cli: Cli) -> None:
    base = repo.commit("base", {"config.py": "import os\n" + secret_line("old") + "X = 1\n"})
    lines = ["import os\n", secret_line("old"), "X = 1\n", "\n", "# more\n", secret_line("new")]
    head = repo.commit("change", {"config.py": "".join(lines)})
    findings = cli.findings(repo.path, "scan", "--diff", base)
    assert places(findings) == [("config.py", 6, STRIPE_RULE)]
    assert findings[0]["commit"] == head
    # The same range, spelled BASE..HEAD, and with a ref name.
    assert places(cli.findings(repo.path, "scan", "--diff", f"{base}..HEAD")) == places(findings)
    assert places(cli.findings(repo.path, "scan", "--diff", "HEAD~1")) == places(findings)


def test_a_secret_moved_down_by_an_insertion_is_not_new(repo: Repo, cli: Cli) -> None:
    base = repo.commit("base", {"a.py": "import os\n" + secret_line("kept")})
    repo.commit("insert above", {"a.py": "# header\n# more\nimport os\n" + secret_line("kept")})
    assert cli.findings(repo.path, "scan", "--diff", base) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        # A pure rename adds no line: the secret it carries was reviewed when it was added.
        ("rename", []),
        # A rename with an edit: the added line is reported under the new name, at its new line.
        ("rename-edit", [("new dir/renamed ü.py", 3, TENANT_RULE)]),
        ("delete", []),
        ("add", [("added.py", 1, STRIPE_RULE), ("added.py", 2, TENANT_RULE)]),
    ],
)
def test_renames_deletions_and_additions(
    repo: Repo, cli: Cli, change: str, expected: list[tuple[str, int, str]]
) -> None:
    body = "import os\n" + secret_line("moved") + "".join(f"line{i} = {i}\n" for i in range(20))
    base = repo.commit("base", {"old.py": body})
    if change == "rename":
        repo.commit("rename", {"old.py": None, "new dir/renamed ü.py": body})
    elif change == "rename-edit":
        lines = body.splitlines(keepends=True)
        lines.insert(2, tenant_line())
        repo.commit("rename and edit", {"old.py": None, "new dir/renamed ü.py": "".join(lines)})
    elif change == "delete":
        repo.commit("delete", {"old.py": None})
    else:
        repo.commit("add", {"added.py": secret_line("added") + tenant_line()})
    assert places(cli.findings(repo.path, "scan", "--diff", f"{base}..HEAD")) == expected


def test_three_dots_diff_from_the_merge_base_like_a_pull_request(repo: Repo, cli: Cli) -> None:
    fork = repo.commit("base", {"app.py": "x = 1\n", "gone.py": tenant_line("1111")})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("feature adds", {"feature.py": secret_line("feature")})
    repo.git("checkout", "-q", "main")
    repo.commit("main moves on", {"main.py": "y = 2\n", "gone.py": None})
    repo.git("checkout", "-q", "feature")
    # Two dots compare the tips: the file main deleted looks "added" by the feature branch.
    assert places(cli.findings(repo.path, "scan", "--diff", "main..feature")) == [
        ("feature.py", 1, STRIPE_RULE),
        ("gone.py", 1, TENANT_RULE),
    ]
    # Three dots start at the merge base: only what the branch itself adds.
    assert places(cli.findings(repo.path, "scan", "--diff", "main...feature")) == [("feature.py", 1, STRIPE_RULE)]
    assert places(cli.findings(repo.path, "scan", "--diff", f"{fork}")) == [("feature.py", 1, STRIPE_RULE)]


def test_detached_head_and_merge_commits(repo: Repo, cli: Cli) -> None:
    base = repo.commit("base", {"app.py": "x = 1\n"})
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("side", {"side.py": secret_line("side")})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"main.py": "y = 2\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
    repo.git("checkout", "-q", "--detach", "HEAD")
    assert places(cli.findings(repo.path, "scan", "--diff", base)) == [("side.py", 1, STRIPE_RULE)]
    # Against the merge's first parent: what the merge brought in.
    assert places(cli.findings(repo.path, "scan", "--diff", "HEAD^1")) == [("side.py", 1, STRIPE_RULE)]
    assert cli.findings(repo.path, "scan", "--diff", "HEAD^2") == []


def test_github_format_prints_annotations_on_added_lines(repo: Repo, cli: Cli) -> None:
    base = repo.commit("base", {"app.py": "x = 1\n"})
    repo.commit("leak", {"src/set tings.py": "import os\n\n" + secret_line("gh")})
    code, out, _ = cli(repo.path, "scan", "--diff", base, "--format", "github", "-q")
    assert code == 1
    assert out.startswith(f"::error file=src/set tings.py,line=3,endLine=3,col=15,title={STRIPE_RULE}::")
    assert out.count("\n") == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--diff", "no-such-branch"], "unknown revision 'no-such-branch'"),
        (["--diff", "--output=pwned"], "unknown revision '--output=pwned'"),
        (["--diff", "HEAD~5..HEAD"], "unknown revision 'HEAD~5'"),
        (["--diff", "main...orphan"], "unknown revision 'orphan'"),
    ],
)
def test_a_missing_base_is_exit_2_with_a_hint(repo: Repo, cli: Cli, argv: list[str], message: str) -> None:
    repo.commit("only", {"app.py": "x = 1\n"})
    code, out, err = cli(repo.path, "scan", *argv)
    assert (code, out) == (2, "")
    assert err.startswith("cavra-safety: error: ") and message in err and "Traceback" not in err
    assert not (repo.path / "pwned").exists()


def test_patch_parser_is_not_fooled_by_content_that_looks_like_headers() -> None:
    patch = [
        b"diff --git a/x.txt b/x.txt\n",
        b"index 1111111111111111111111111111111111111111..2222222222222222222222222222222222222222 100644\n",
        b"--- a/x.txt\n",
        b"+++ b/x.txt\n",
        b"@@ -1,0 +2,3 @@\n",
        b"+++ b/evil.txt\n",
        b"+diff --git a/y b/y\n",
        b"+@@ -1 +1 @@\n",
        b"\\ No newline at end of file\n",
        b'diff --git "a/q\\"uote\\303\\244.txt" "b/q\\"uote\\303\\244.txt"\n',
        b"new file mode 120000\n",
    ]
    first, last = parse_patch(b"".join(patch))
    assert (first.path, sorted(first.added), first.new_blob) == ("x.txt", [2, 3, 4], "2" * 40)
    assert first.new_lines()[2] == b"++ b/evil.txt"
    assert last.path == 'q"uoteä.txt' and not last.scannable


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"plain", b"plain"),
        (b'"a\\tb"', b"a\tb"),
        (b'"\\303\\251t\\303\\251"', "été".encode()),
        (b'"back\\\\slash"', b"back\\slash"),
    ],
)
def test_unquote_path(raw: bytes, expected: bytes) -> None:
    assert unquote_path(raw) == expected
