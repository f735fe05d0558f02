"""UTF-16 text without a byte-order mark is text (``sources.text.utf16_without_bom``); binaries still skip."""

from __future__ import annotations

import random
import struct
import zlib
from pathlib import Path

import pytest

from cavra_safety.config import Config
from cavra_safety.findings import Category, Skipped
from cavra_safety.pipeline.scan import scan
from cavra_safety.sources import FileRef, Source
from cavra_safety.sources.text import binary_reason, decode, read_source, utf16_without_bom

TEXT = "# settings\r\nregion = eu-west-1\r\nname = Grüße aus Köln\r\n"


def _random_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _png_without_suffix() -> bytes:
    header = struct.pack(">IIBBBBB", 64, 64, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + header + struct.pack(">I", zlib.crc32(header))


BINARIES = {
    "random": _random_bytes(4096, 7),
    "pe-header": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + _random_bytes(512, 1),
    "png": _png_without_suffix(),
    "int16-samples": b"".join(struct.pack("<h", n) for n in range(0, 2000, 3)),
    "utf32-without-bom": TEXT.encode("utf-32-le"),
    "utf16-with-nul-chars": "a\x00b\x00c\x00d\x00e\x00".encode("utf-16-le"),
    "odd-length": TEXT.encode("utf-16-le") + b"x",
    "sqlite-page": b"SQLite format 3\x00\x10\x00\x01\x01\x00\x40\x20\x20" + bytes(84),
    "zip-local-header": b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + _random_bytes(200, 3),
}


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_bomless_utf16_is_text_and_decodes(codec: str) -> None:
    data = TEXT.encode(codec)
    assert utf16_without_bom(data) == codec
    assert binary_reason("settings.conf", data) is None
    assert decode(data) == TEXT


@pytest.mark.parametrize("name", sorted(BINARIES))
def test_binaries_still_skip(name: str) -> None:
    data = BINARIES[name]
    assert b"\x00" in data
    assert utf16_without_bom(data) is None
    assert binary_reason("blob", data) == "binary (NUL bytes)"


def test_utf16_with_a_bom_and_plain_utf8_are_unchanged() -> None:
    assert decode(TEXT.encode("utf-16")) == TEXT
    assert decode(TEXT.encode("utf-8")) == TEXT
    assert utf16_without_bom(TEXT.encode("utf-8")) is None


def test_a_tenant_id_in_bomless_utf16_is_found(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    text = "[cavra]\r\n" + "tenant" + '_id = "acme-prod-7731"\r\n'
    (root / "settings.toml").write_bytes(text.encode("utf-16-le"))
    source = read_source(FileRef("settings.toml", str(root / "settings.toml"), 0), 1 << 20)
    assert isinstance(source, Source) and source.lines[1].startswith("tenant")
    result = scan(Config(root=root, paths=(root,), jobs=1))
    assert [(f.line, f.category) for f in result.findings] == [(2, Category.TENANT_ID)]


def test_a_bomless_utf16_binary_lookalike_is_skipped_with_its_reason(tmp_path: Path) -> None:
    target = tmp_path / "samples.raw"
    target.write_bytes(BINARIES["int16-samples"])
    assert read_source(FileRef("samples.raw", str(target), 0), 1 << 20) == Skipped("samples.raw", "binary (NUL bytes)")
