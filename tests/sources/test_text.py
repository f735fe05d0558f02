"""One rule decides what is text, for files on disk and blobs from git alike (``sources.text``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cavra_safety.findings import Skipped
from cavra_safety.sources import FileRef, Origin, Source
from cavra_safety.sources.text import binary_reason, blob_source, read_at_most, read_source

# As nbformat writes it: each source line a JSON string on a line of its own.
NOTEBOOK = b'{\n "cells": [{\n  "source": [\n   "token = \\"abc\\"\\n"\n  ]\n }]\n}\n'

CASES = [
    ("app.py", b"x = 1\n", None),
    ("logo.PNG", b"not really an image", "binary (.png)"),
    ("archive.tar.gz", b"", "binary (.gz)"),
    ("data.txt", b"abc\x00def", "binary (NUL bytes)"),
    ("utf16.txt", "x = 1\n".encode("utf-16"), None),  # NUL bytes, but a BOM says text
    ("Makefile", b"all:\n\techo ok\n", None),
    ("dir.d/README", b"plain\n", None),  # a dot in a folder name is no suffix
    ("cells.ipynb", NOTEBOOK, None),
]


@pytest.mark.parametrize(("path", "data", "reason"), CASES, ids=[case[0] for case in CASES])
def test_files_and_blobs_are_judged_alike(tmp_path: Path, path: str, data: bytes, reason: str | None) -> None:
    assert binary_reason(path, data) == reason
    on_disk = tmp_path / path
    on_disk.parent.mkdir(parents=True, exist_ok=True)
    on_disk.write_bytes(data)
    from_file = read_source(FileRef(path, str(on_disk), len(data)), max_size=1 << 20)
    from_blob = blob_source(path, data, Origin.COMMIT, "c0ffee")
    if reason is None:
        assert isinstance(from_file, Source) and isinstance(from_blob, Source)
        assert from_file.text == from_blob.text
        assert from_blob.origin is Origin.COMMIT and from_blob.commit == "c0ffee"
    else:
        assert from_file == from_blob == Skipped(path, reason)


def test_a_notebook_blob_reads_as_code() -> None:
    source = blob_source("cells.ipynb", NOTEBOOK)
    assert isinstance(source, Source)
    assert 'token = "abc"' in source.text


def test_a_file_over_the_size_limit_is_skipped_and_a_binary_name_is_judged_before_that(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 100)
    assert read_source(FileRef("big.txt", str(big), 100), max_size=10) == Skipped(
        "big.txt", "larger than max-file-size (10 bytes)"
    )
    image = tmp_path / "big.png"
    image.write_bytes(b"a" * 100)
    assert read_source(FileRef("big.png", str(image), 100), max_size=10) == Skipped("big.png", "binary (.png)")


@pytest.mark.parametrize(
    ("size", "hint", "limit"),
    [
        (0, 0, 10),
        (100, 100, 1000),  # as the walk saw it
        (100, 10, 1000),  # grew since the walk
        (3 << 20, 10, 4 << 20),  # grew by more than one chunk
        (100, 500, 1000),  # shrank
        (100, 100, 50),  # larger than the limit: the limit's bytes only
        (100, 100, 100),
    ],
)
def test_read_at_most_reads_the_file_as_it_is_now(tmp_path: Path, size: int, hint: int, limit: int) -> None:
    path = tmp_path / "f"
    content = bytes(index % 251 for index in range(size))
    path.write_bytes(content)
    assert read_at_most(str(path), limit, hint) == content[:limit]
