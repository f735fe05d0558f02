"""The readers of ``git log -p`` / ``git diff -p`` output: commits cut from blocks that arrive cut anywhere, and
patches read in bulk that still take each hunk's body by its counts, exactly as a line-by-line reader would."""

from __future__ import annotations

import random
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from git_repo import STRIPE_RULE, Cli, Repo, secret_line

from cavra_safety.config import load_config
from cavra_safety.findings import Skipped
from cavra_safety.sources.files import PathFilter
from cavra_safety.sources.history import COMMIT_MESSAGE_PATH, parse_commit, split_commits
from cavra_safety.sources.patch import FilePatch, parse_patch

BLOB = "1" * 40


def _header(path: str = "x.py") -> list[bytes]:
    name = path.encode()
    return [
        b"diff --git a/" + name + b" b/" + name,
        b"index " + b"0" * 40 + b".." + BLOB.encode() + b" 100644",
        b"--- a/" + name,
        b"+++ b/" + name,
    ]


def _patch(*lines: bytes) -> bytes:
    return b"".join(line + b"\n" for line in lines)


@dataclass
class _Reference:
    """The oracle: a patch read one line at a time, each hunk's body taken by its header's counts."""

    path: str = ""
    added: set[int] = field(default_factory=set)
    lines: dict[int, bytes] = field(default_factory=dict)


def _reference(data: bytes) -> list[_Reference]:
    files: list[_Reference] = []
    old_left = new_left = number = 0
    lines = data.split(b"\n")
    for line in lines[:-1] if data.endswith(b"\n") else lines:
        if old_left > 0 or new_left > 0:
            marker = line[:1]
            if marker == b"\\":
                continue
            if marker == b"-":
                old_left -= 1
                continue
            if marker == b"+":
                files[-1].added.add(number)
            else:
                old_left -= 1
            files[-1].lines[number] = line[1:]
            number, new_left = number + 1, new_left - 1
        elif line.startswith(b"diff --git "):
            files.append(_Reference(line.rsplit(b" b/", 1)[1].decode()))
        elif line.startswith(b"+++ b/") and files:
            files[-1].path = line[len(b"+++ b/") :].decode()
        elif line.startswith(b"@@ ") and files:
            old, new = line.split(b" ")[1:3]
            old_count = old.partition(b",")[2]
            new_start, _, new_count = new[1:].partition(b",")
            old_left, new_left = int(old_count or 1), int(new_count or 1)
            number = int(new_start)
    return files


def _random_patch(seed: int) -> bytes:
    """Files of random hunks: usually counted right, sometimes off by one either way (a patch git did not
    write, whose bodies then run into the next header or stop short)."""
    rng = random.Random(seed)
    contents = [
        b"",
        b"x = 1",
        b"diff --git a/y b/y",
        b"@@ -1 +1 @@",
        b"+++ b/evil",
        b"--- a/evil",
        b"\tx\r",
        b"index 1..2",
    ]
    lines: list[bytes] = []
    for file in range(rng.randint(1, 3)):
        lines += _header(f"f{file}.py")
        start = 1
        for _ in range(rng.randint(1, 3)):
            body: list[bytes] = []
            old = new = 0
            for _ in range(rng.randint(0, 12)):
                marker = rng.choice([b" ", b" ", b"+", b"+", b"-", b""])  # b"": a blank line, suppressBlankEmpty
                body.append(marker + (rng.choice(contents) if marker else b""))
                old += marker != b"+"
                new += marker != b"-"
            if rng.random() < 0.2:
                body.append(b"\\ No newline at end of file")
            if rng.random() < 0.25:
                old, new = max(0, old + rng.choice([-1, 1])), max(0, new + rng.choice([-1, 1]))
            start += rng.randint(0, 30)
            lines += [f"@@ -{start},{old} +{start},{new} @@ def f():".encode(), *body]
            start += new + 3
    return _patch(*lines)


@pytest.mark.parametrize("seed", range(300))
def test_parse_patch_reads_every_patch_as_a_line_by_line_reader_of_the_counts_would(seed: int) -> None:
    data = _random_patch(seed)
    expected = _reference(data)
    found = parse_patch(data)
    assert [(p.path, p.added, p.new_lines()) for p in found] == [(r.path, r.added, r.lines) for r in expected]


def test_new_text_puts_hunks_at_their_line_numbers_with_blank_lines_between() -> None:
    (patch,) = parse_patch(
        _patch(
            *_header(),
            b"@@ -1,2 +1,2 @@",
            b" a",
            b"-b",
            b"+B",
            b"@@ -9,1 +9,2 @@",
            b" i",
            b"+j",
            b"\\ No newline at end of file",
        )
    )
    assert patch.new_text() == b"a\nB" + b"\n" * 7 + b"i\nj"
    assert patch.added == {2, 10}
    assert patch.new_blob == BLOB


@pytest.mark.parametrize(
    ("hunks", "text"),
    [
        ([(1, 1, b"a")], b"a"),
        ([(3, 2, b"c\nd")], b"\n\nc\nd"),
        ([(1, 1, b"a"), (2, 1, b"b")], b"a\nb"),
        ([(2, 2, b"b\nc"), (3, 1, b"C")], b"\nb\nC"),  # overlapping (never from git): the later line wins
        ([], b""),
    ],
)
def test_new_text(hunks: list[tuple[int, int, bytes]], text: bytes) -> None:
    assert FilePatch(hunks=hunks).new_text() == text


def test_a_hunk_that_counts_more_lines_than_it_has_takes_the_next_header_as_content() -> None:
    (patch,) = parse_patch(_patch(*_header("a.py"), b"@@ -1,1 +1,2 @@", b"+one", *_header("b.py")))
    assert patch.new_lines() == {1: b"one", 2: b"iff --git a/b.py b/b.py"}


MESSAGE = "first\n\ndiff --git a/m.py b/m.py\n@@ -0,0 +1 @@\n+KEY = 1"  # patch-like, but a message
COMMITS = [
    b"\x00\x01"
    + b"a" * 40
    + b"\x002024-01-01T00:00:00+00:00\x00Ada L\xc3\xb6we\x00"
    + MESSAGE.encode()
    + b"\n\x00\n\n"
    + _patch(*_header(), b"@@ -0,0 +1,2 @@", b"+x = 1", b"+\x00\x01 a content line"),
    b"\x00\x01" + b"b" * 40 + b"\x002024-01-02T00:00:00+00:00\x00B\x00second\n\x00\n",
    b"\x00\x01"
    + b"c" * 40
    + b"\x002024-01-03T00:00:00+00:00\x00\x00third\n\x00\n\n"
    + _patch(*_header(), b"@@ -1 +1 @@", b"-x = 1", b"+x = 2")[:-1],  # the output's last line, unended
]


@pytest.mark.parametrize("block_size", [1, 2, 3, 7, 64, 1 << 20])
def test_split_commits_cuts_at_header_lines_wherever_the_blocks_are_cut(block_size: int) -> None:
    stream = b"".join(COMMITS)
    blocks = [stream[start : start + block_size] for start in range(0, len(stream), block_size)]
    assert list(split_commits(blocks)) == COMMITS


def test_split_commits_keeps_output_before_the_first_header_apart() -> None:
    assert list(split_commits([b"warning: noise\n" + COMMITS[1]])) == [b"warning: noise\n", COMMITS[1]]
    assert list(split_commits([])) == []


def test_parse_commit_reads_the_header_message_and_patch(tmp_path: Path) -> None:
    config = load_config(root=tmp_path)
    path_filter = PathFilter(config, tmp_path)
    commit = parse_commit(COMMITS[0], path_filter, config)
    assert commit is not None and commit.commit == "a" * 40 and commit.author_date.startswith("2024-01-01")
    assert commit.author == "Ada Löwe"
    (message,) = commit.sources
    assert (message.path, message.text) == (COMMIT_MESSAGE_PATH, MESSAGE)
    assert commit.skipped == [Skipped("x.py", "binary (NUL bytes)")]  # as a tree scan would skip it
    third = parse_commit(COMMITS[2], path_filter, config)
    assert third is not None
    (_, source) = third.sources
    assert (source.path, source.text, source.added_lines, source.commit) == ("x.py", "x = 2", frozenset({1}), "c" * 40)
    assert third.author == ""  # a commit without an author name (git allows an empty one)
    assert parse_commit(b"warning: noise\n", path_filter, config) is None
    truncated = parse_commit(b"\x00\x01" + b"d" * 40 + b"\x00date", path_filter, config)
    assert truncated is not None
    assert (truncated.commit, truncated.author_date, truncated.author, truncated.sources) == ("d" * 40, "date", "", [])


def test_blank_context_lines_without_their_space_keep_line_numbers_true(repo: Repo, cli: Cli) -> None:
    """``diff.suppressBlankEmpty`` prints a blank context line as an empty line: still a line of both sides."""
    repo.git("config", "diff.suppressBlankEmpty", "true")
    repo.commit("init", {"app.py": "import os\n\nx = 1\n"})
    added = repo.commit("key", {"app.py": "import os\n\n" + secret_line("blank") + "x = 1\n"})
    (finding,) = cli.findings(repo.path, "scan", "--history")
    assert (finding["rule_id"], finding["line"], finding["commit"]) == (STRIPE_RULE, 3, added)


def test_a_binary_rename_names_both_sides() -> None:
    """What git calls binary is read again, from both paths of a rename (so that git pairs them again)."""
    patch = _patch(
        b'diff --git a/old dir/a.py "b/new dir/\\303\\274.py"',
        b"similarity index 90%",
        b"rename from old dir/a.py",
        b'rename to "new dir/\\303\\274.py"',
        b"index " + b"2" * 40 + b".." + BLOB.encode() + b" 100644",
        b'Binary files a/old dir/a.py and "b/new dir/\\303\\274.py" differ',
    )
    (found,) = parse_patch(patch)
    assert (found.old_path, found.new_path, found.new_blob, found.binary) == (
        "old dir/a.py",
        "new dir/ü.py",
        BLOB,
        True,
    )


def test_a_combined_diff_adds_only_what_no_parent_has() -> None:
    patch = b"\n".join(
        [
            b"diff --cc conf.py",
            b"index " + b"1" * 40 + b"," + b"2" * 40 + b".." + b"3" * 40,
            b"--- a/conf.py",
            b"+++ b/conf.py",
            b"@@@ -1,2 -1,3 +1,3 @@@",
            b"  kept = 1",
            b"- from_main = 2",
            b" -from_side = 2",
            b"++resolved = 3",
            b"+ from_side_kept = 4",
            b"\\ No newline at end of file",
        ]
    )
    (parsed,) = parse_patch(patch)
    assert (parsed.path, parsed.new_blob) == ("conf.py", "3" * 40)
    assert parsed.added == {2}
    assert parsed.new_lines() == {1: b"kept = 1", 2: b"resolved = 3", 3: b"from_side_kept = 4"}


def test_an_octopus_merge_has_a_column_per_parent_and_the_next_file_follows() -> None:
    patch = b"\n".join(
        [
            b"diff --cc a.py",
            b"@@@@ -1 -1 -1 +1,2 @@@@",
            b"   same = 1",
            b"+++new = 2",
            b"diff --git a/b.py b/b.py",
            b"--- a/b.py",
            b"+++ b/b.py",
            b"@@ -0,0 +1 @@",
            b"+plain = 1",
        ]
    )
    first, second = parse_patch(patch)
    assert (first.path, first.added, first.new_lines()) == ("a.py", {2}, {1: b"same = 1", 2: b"new = 2"})
    assert (second.path, second.added) == ("b.py", {1})


def test_a_dense_hunk_is_read_by_its_new_side_whatever_the_parents_counts_say() -> None:
    # The dense form leaves out removed lines that a parent's count includes (here parent 2 counts 9, shows 3).
    patch = b"\n".join(
        [
            b"diff --cc lock.toml",
            b"@@@ -1,2 -1,9 +1,2 @@@",
            b"  a = 1",
            b" -gone = 1",
            b" -gone = 2",
            b"  b = 2",
            b" -gone = 3",
            b"@@@ -10,1 -17,1 +10,2 @@@",
            b"  c = 3",
            b"++d = 4",
        ]
    )
    (parsed,) = parse_patch(patch)
    assert parsed.new_lines() == {1: b"a = 1", 2: b"b = 2", 10: b"c = 3", 11: b"d = 4"}
    assert parsed.added == {11}


@pytest.mark.parametrize("seed", range(6))
def test_merges_read_from_git_put_every_line_at_its_number(repo: Repo, seed: int) -> None:
    """Real merges (random edits on two branches, conflicts resolved by a third version): every line the
    combined diff shows is the merge result's line at that number."""
    rng = random.Random(seed)
    base = [f"line {index}" for index in range(60)]
    repo.commit("base", {"f.txt": "\n".join(base) + "\n"})

    def edited(lines: list[str], tag: str) -> list[str]:
        out = list(lines)
        for _ in range(6):
            at = rng.randrange(len(out))
            choice = rng.random()
            if choice < 0.4:
                del out[at : at + rng.randint(1, 4)]
            elif choice < 0.8:
                out.insert(at, f"{tag} {rng.random():.6f}")
            else:
                out[at] = f"{tag} changed {at}"
        return out

    side, main = edited(base, "side"), edited(base, "main")
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("side", {"f.txt": "\n".join(side) + "\n"})
    repo.git("checkout", "-q", "main")
    repo.commit("main", {"f.txt": "\n".join(main) + "\n"})
    # Conflicting or not, the merge stops before committing, and its result is a third version.
    subprocess.run(["git", "merge", "-q", "--no-ff", "--no-commit", "side"], cwd=repo.path, capture_output=True)
    result = edited(base, "merge")
    repo.write("f.txt", "\n".join(result) + "\n")
    repo.git("add", "f.txt")
    repo.git("commit", "-q", "-m", "merge side")
    shown = repo.git("show", "--cc", "-p", "--format=", "--src-prefix=a/", "--dst-prefix=b/", "HEAD").encode()
    (parsed,) = parse_patch(shown)
    assert parsed.hunks, "the merge shows nothing: a broken test"
    for number, text in parsed.new_lines().items():
        assert result[number - 1].encode() == text
    # Every line is unique, so a line is new to the merge exactly when neither parent has it.
    in_no_parent = {number for number, text in enumerate(result, 1) if text not in main and text not in side}
    assert parsed.added == in_no_parent
