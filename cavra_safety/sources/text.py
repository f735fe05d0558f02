"""Bytes to text, or the reason not to scan them: one rule for files on disk and blobs from git.

A file is binary by its suffix (without reading a byte) or by a NUL byte in its first 8 KiB (unless it opens
with a text BOM or is UTF-16 without one, see ``utf16_without_bom``); text is decoded as UTF-8, then UTF-16/32
by BOM, then BOM-less UTF-16, else latin-1; a notebook is prepared so that its cells read as code.
"""

from __future__ import annotations

import os
import re

from cavra_safety.display import display_path
from cavra_safety.findings import Skipped
from cavra_safety.sources import FileRef, Origin, Source

BINARY_SUFFIXES = frozenset(
    (
        "png jpg jpeg gif bmp ico icns webp tif tiff psd pdf zip gz tgz bz2 xz zst 7z rar tar jar war ear whl egg "
        "so dylib dll exe bin o a lib obj class pyc pyo pyd woff woff2 ttf otf eot mp3 mp4 m4a mov avi mkv wav ogg "
        "flac webm sqlite sqlite3 db parquet avro orc npy npz pkl pickle h5 onnx pt ckpt"
    ).split()
)
SNIFF_BYTES = 8192
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_IMAGE_DATA = re.compile(r'"image/[A-Za-z0-9.+-]+"\s*:\s*(?:"(?:[^"\\]|\\.)*"|\[(?:\s*"(?:[^"\\]|\\.)*"\s*,?)*\s*\])')


# BOM-less UTF-16 (written by .NET, PowerShell and Windows tools without a BOM): text whose code units are
# nearly all printable ASCII or whitespace, so every other byte is NUL. Real binaries fail this on their first
# bytes: headers, lengths and offsets are not letters, and their NUL bytes do not keep to one side.
_UTF16_MIN_UNITS = 4
_UTF16_ASCII_SHARE = 0.9
_TEXT_BYTES = frozenset(range(0x20, 0x7F)) | {0x09, 0x0A, 0x0D}


def utf16_without_bom(data: bytes) -> str | None:
    """``"utf-16-le"`` or ``"utf-16-be"`` when ``data`` (no BOM) reads as UTF-16 text, else None: an even length,
    no NUL code unit, at least 90% of the sniffed code units printable ASCII or whitespace, and the sniffed part
    decodes (no lone surrogate)."""
    sample = data[: SNIFF_BYTES - SNIFF_BYTES % 2]
    units = len(sample) // 2
    if len(data) % 2 or units < _UTF16_MIN_UNITS or b"\x00" not in sample:
        return None
    for codec, low, high in (("utf-16-le", sample[0::2], sample[1::2]), ("utf-16-be", sample[1::2], sample[0::2])):
        if high.count(0) < _UTF16_ASCII_SHARE * units:
            continue  # a necessary condition, counted in C: most binaries (a .mo catalogue) stop here
        ascii_units = sum(1 for lo, hi in zip(low, high, strict=True) if hi == 0 and lo in _TEXT_BYTES)
        if ascii_units < _UTF16_ASCII_SHARE * units or any(
            lo == 0 and hi == 0 for lo, hi in zip(low, high, strict=True)
        ):
            continue
        try:
            # a sample cut inside a surrogate pair is not an error: "surrogatepass" keeps the half
            (sample[:-2] if 0xD8 <= (high[-1] if high else 0) <= 0xDB else sample).decode(codec)
        except UnicodeDecodeError:
            continue
        return codec
    return None


def decode(data: bytes) -> str:
    """UTF-8 (BOM stripped), UTF-32/UTF-16 by their BOM, BOM-less UTF-16, else latin-1, which never fails."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    for bom, codec in (
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(codec, "replace")
    if b"\x00" in data[:SNIFF_BYTES]:
        utf16 = utf16_without_bom(data)
        if utf16 is not None:
            return data.decode(utf16, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_JSON_STRING_LINE = re.compile(r'^(\s*)"((?:[^"\\]|\\.)*)"(,?)\s*$', re.MULTILINE)


def _unescape_string_line(match: re.Match[str]) -> str:
    import json  # notebooks only: a scan without one does not import json for this

    try:
        value = str(json.loads('"' + match.group(2) + '"'))
    except ValueError:
        return match.group(0)
    # One line in, one line out: line numbers stay those of the notebook file.
    return match.group(1) + value.rstrip("\r\n").replace("\r", " ").replace("\n", " ")


def prepare_notebook(text: str) -> str:
    """A Jupyter notebook as the detectors should read it, line for line with the file: base64 image outputs
    blanked (they are not secrets, only noise), and each source or text-output line that nbformat stores as a
    JSON string element unescaped, so that ``token = "..."`` in a cell reads as code, not as ``token = \\"...\\"``.
    """
    blanked = _IMAGE_DATA.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)
    return _JSON_STRING_LINE.sub(_unescape_string_line, blanked)


def suffix_of(path: str) -> str:
    """The lower-cased extension of a POSIX path's last part ("" when it has none)."""
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def binary_by_name(path: str) -> str | None:
    """Why a file is binary by its name alone (checked before reading a byte), or None."""
    suffix = suffix_of(path)
    return f"binary (.{suffix})" if suffix in BINARY_SUFFIXES else None


def binary_reason(path: str, data: bytes) -> str | None:
    """Why ``data`` (the content of ``path``) is not text, or None when it is: the one rule for files and blobs."""
    by_name = binary_by_name(path)
    if by_name is not None:
        return by_name
    if b"\x00" in data[:SNIFF_BYTES] and not data.startswith(_TEXT_BOMS) and utf16_without_bom(data) is None:
        return "binary (NUL bytes)"
    return None


def blob_source(
    path: str,
    data: bytes,
    origin: Origin = Origin.TREE,
    commit: str | None = None,
    added_lines: frozenset[int] | None = None,
) -> Source | Skipped:
    """``data`` as a source to scan, or the reason it is not text."""
    shown = display_path(path)
    reason = binary_reason(path, data)
    if reason is not None:
        return Skipped(shown, reason)
    text = decode(data)
    if suffix_of(path) == "ipynb":
        text = prepare_notebook(text)
    return Source(path=shown, text=text, origin=origin, commit=commit, added_lines=added_lines)


def too_large(path: str, max_size: int) -> Skipped:
    return Skipped(display_path(path), f"larger than max-file-size ({max_size} bytes)")


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
_CHUNK_BYTES = 1 << 20


def read_at_most(fspath: str, limit: int, size_hint: int) -> bytes:
    """The first ``limit`` bytes of a regular file whose size was ``size_hint`` when the walk saw it (it may have
    changed since). One ``read`` of the expected size: ``open`` and a buffered ``read(limit)`` cost twice as
    much per file (a file object each, and a buffer of ``limit`` bytes allocated and shrunk)."""
    descriptor = os.open(fspath, _OPEN_FLAGS)
    try:
        want = min(size_hint + 1, limit)
        data = os.read(descriptor, want)
        if len(data) < want:
            return data  # a short read of a regular file is its end
        parts, total = [data], len(data)
        while total < limit:  # it grew since the walk
            chunk = os.read(descriptor, min(limit - total, _CHUNK_BYTES))
            if not chunk:
                break
            parts.append(chunk)
            total += len(chunk)
        return b"".join(parts)
    finally:
        os.close(descriptor)


def read_source(ref: FileRef, max_size: int) -> Source | Skipped:
    """Read and decode one file of the working tree, or say why it was not scanned."""
    by_name = binary_by_name(ref.path)
    if by_name is not None:
        return Skipped(ref.path, by_name)
    try:
        data = read_at_most(ref.fspath, max_size + 1, ref.size)
    except OSError as error:
        return Skipped(ref.path, f"unreadable: {error.strerror or type(error).__name__}")
    if len(data) > max_size:
        return too_large(ref.path, max_size)
    return blob_source(ref.path, data)
