"""The file walk and decoding: every odd input gets a skip reason or is scanned, never a crash."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cavra_safety.config import Config
from cavra_safety.findings import Skipped
from cavra_safety.sources import FileRef, Source
from cavra_safety.sources.files import FileWalk
from cavra_safety.sources.text import decode, prepare_notebook, read_source


def walk(root: Path, **overrides: object) -> tuple[list[str], list[Skipped]]:
    config = Config(root=root, paths=(root,)).with_overrides(**overrides)
    walker = FileWalk(config)
    return [ref.path for ref in walker.files()], walker.skipped


def ref(path: Path, root: Path) -> FileRef:
    return FileRef(path=path.relative_to(root).as_posix(), fspath=str(path), size=path.stat().st_size)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"plain ascii", "plain ascii"),
        ("caf\u00e9".encode(), "caf\u00e9"),
        (b"\xef\xbb\xbfwith bom", "with bom"),
        ("utf16 text".encode("utf-16"), "utf16 text"),
        ("utf16be".encode("utf-16-be").join([b"\xfe\xff", b""]), "utf16be"),
        (b"bad \xff\xfe utf8 \xe9", "bad \u00ff\u00fe utf8 \u00e9"),
        (b"", ""),
    ],
    ids=["ascii", "utf8", "utf8-bom", "utf16-bom", "utf16be-bom", "invalid-utf8-latin1", "empty"],
)
def test_decode(data: bytes, expected: str) -> None:
    assert decode(data) == expected


def test_binary_files_are_skipped_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "blob.dat").write_bytes(b"abc\x00def")
    (tmp_path / "logo.png").write_bytes(b"not even read")
    assert read_source(ref(tmp_path / "blob.dat", tmp_path), 1000) == Skipped("blob.dat", "binary (NUL bytes)")
    assert read_source(ref(tmp_path / "logo.png", tmp_path), 1000) == Skipped("logo.png", "binary (.png)")


def test_utf16_file_with_nul_bytes_is_text(tmp_path: Path) -> None:
    (tmp_path / "w.txt").write_bytes("token = LEAK-abc\n".encode("utf-16"))
    source = read_source(ref(tmp_path / "w.txt", tmp_path), 1000)
    assert isinstance(source, Source)
    assert source.lines[0] == "token = LEAK-abc"


def test_oversize_file_is_skipped_and_a_long_line_under_the_limit_is_read(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("x" * 2001)
    (tmp_path / "line.txt").write_text("y" * 2000)
    assert read_source(ref(tmp_path / "big.txt", tmp_path), 2000) == Skipped(
        "big.txt", "larger than max-file-size (2000 bytes)"
    )
    source = read_source(ref(tmp_path / "line.txt", tmp_path), 2000)
    assert isinstance(source, Source) and len(source.lines) == 1


def test_unreadable_file_is_reported_not_fatal(tmp_path: Path) -> None:
    gone = FileRef(path="gone.txt", fspath=str(tmp_path / "gone.txt"), size=3)
    folder = FileRef(path="folder", fspath=str(tmp_path), size=0)
    assert read_source(gone, 1000) == Skipped("gone.txt", "unreadable: No such file or directory")
    assert read_source(folder, 1000) == Skipped("folder", "unreadable: Is a directory")


def test_lines_split_on_newlines_only_and_drop_carriage_returns() -> None:
    source = Source(path="a.txt", text="one\r\ntwo\x0cstill two\nthree")
    assert source.lines == ["one", "two\x0cstill two", "three"]


def test_gitignore_is_honoured_outside_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.log\nbuild/\n!keep.log\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("local.txt\n!debug.log\n")
    for name in ["a.py", "x.log", "keep.log", "build/out.py", "sub/local.txt", "sub/debug.log", "sub/other.log"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("data")
    files, _ = walk(tmp_path)
    assert files == [".gitignore", "a.py", "keep.log", "sub/.gitignore", "sub/debug.log"]


def test_gitignore_can_be_turned_off_and_excludes_apply(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.log\n")
    (tmp_path / "x.log").write_text("data")
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "f.txt").write_text("data")
    files, _ = walk(tmp_path, respect_gitignore=False, exclude=("fixtures/",))
    assert files == [".gitignore", "x.log"]


def test_git_folder_is_never_entered(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]")
    (tmp_path / "a.txt").write_text("a")
    assert walk(tmp_path)[0] == ["a.txt"]


def test_symlinks_are_not_followed_and_loops_do_not_hang(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "inner").mkdir(parents=True)
    (tmp_path / "outside.txt").write_text("secret outside the root")
    (root / "inner" / "real.txt").write_text("inside")
    os.symlink(tmp_path / "outside.txt", root / "escape.txt")
    os.symlink(root, root / "inner" / "loop")
    os.symlink(root / "b", root / "a")
    os.symlink(root / "a", root / "b")
    files, skipped = walk(root)
    assert files == ["inner/real.txt"]
    assert sorted(skipped) == [
        Skipped("a", "symbolic link (not followed)"),
        Skipped("b", "symbolic link (not followed)"),
        Skipped("escape.txt", "symbolic link (not followed)"),
        Skipped("inner/loop", "symbolic link (not followed)"),
    ]


def test_fifo_is_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    files, skipped = walk(tmp_path)
    assert files == [] and skipped == [Skipped("pipe", "not a regular file")]


def test_non_utf8_file_name_is_displayed_escaped_and_still_read(tmp_path: Path) -> None:
    raw = os.fsencode(tmp_path) + b"/caf\xe9.txt"
    with open(raw, "wb") as handle:
        handle.write(b"LEAK-x")
    walker = FileWalk(Config(root=tmp_path, paths=(tmp_path,)))
    (found,) = list(walker.files())
    assert found.path == "caf\\xe9.txt"
    source = read_source(found, 1000)
    assert isinstance(source, Source) and source.text == "LEAK-x"


def test_explicit_files_are_scanned_even_if_gitignored_but_excludes_still_apply(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.env\n")
    (tmp_path / "prod.env").write_text("A=1")
    (tmp_path / "skip.txt").write_text("B=2")
    config = Config(root=tmp_path, paths=(tmp_path / "prod.env", tmp_path / "skip.txt"), exclude=("skip.txt",))
    assert [r.path for r in FileWalk(config).files()] == ["prod.env"]


def test_notebook_images_are_blanked_but_line_numbers_kept() -> None:
    notebook = (
        '{\n "outputs": [{"data": {\n   "image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ",\n'
        '   "text/plain": ["token = LEAK-abc"]\n }}]\n}\n'
    )
    blanked = prepare_notebook(notebook)
    assert "iVBOR" not in blanked
    assert blanked.count("\n") == notebook.count("\n")
    assert "LEAK-abc" in blanked.splitlines()[3]


def test_notebook_string_lines_are_unescaped_in_place() -> None:
    notebook = '{\n "source": [\n  "import os\\n",\n  "token = \\"LEAK-abc\\"\\n"\n ]\n}\n'
    lines = prepare_notebook(notebook).split("\n")
    assert lines[2:4] == ["  import os", '  token = "LEAK-abc"']
    assert len(lines) == len(notebook.split("\n"))


def test_a_gitignore_line_that_is_no_pattern_is_skipped_and_the_others_still_apply(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("[z-a]\nbuild/\n*.log\n")
    for name in ("app.py", "debug.log", "build/out.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    paths, _ = walk(tmp_path)
    assert paths == [".gitignore", "app.py"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_gitignore_that_is_a_fifo_or_a_link_does_not_block_or_leave_the_tree(tmp_path: Path) -> None:
    import subprocess
    import sys

    os.mkfifo(tmp_path / ".gitignore")  # opening it for reading would wait for a writer forever
    (tmp_path / "sub").mkdir()
    (tmp_path / "outside.txt").write_text("*.py\n")
    (tmp_path / "sub" / ".gitignore").symlink_to(tmp_path / "outside.txt")  # git never follows it either
    (tmp_path / "sub" / "app.py").write_text("x = 1\n")
    code = "from cavra_safety.cli import main; raise SystemExit(main(['scan', '.', '--format', 'json', '-q']))"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert '"files_scanned": 2' in done.stdout  # outside.txt and sub/app.py: neither ignore file applied


@pytest.mark.parametrize("name", ["base[1].json", "b*.json", ".cavra-safety-baseline.json"])
def test_the_baseline_file_is_left_out_by_its_path_not_as_a_pattern(tmp_path: Path, name: str) -> None:
    """A baseline named like a glob (``base[1].json`` would match ``base1.json`` as a pattern) leaves out itself
    only, and no pattern matcher is needed for it."""
    for file in (name, "base1.json", "bx.json", "sub/" + name):
        (tmp_path / file).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / file).write_text("{}\n")
    walk = FileWalk(Config(root=tmp_path, paths=(tmp_path,), baseline=tmp_path / name))
    assert walk.excludes.spec is None
    assert sorted(ref.path for ref in walk.files()) == sorted({"base1.json", "bx.json", "sub/" + name} - {name})
