"""What the detectors read: ``Source`` values, and the walk that finds and decodes files.

Each file is read and decoded once. Files that are not scanned are recorded with a reason (binary, too
large, unreadable, symbolic link), never silently dropped and never fatal.
"""

from __future__ import annotations

import enum
import json
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pathspec

from cavra_safety.config import Config
from cavra_safety.findings import Skipped


class Origin(enum.StrEnum):
    TREE = "tree"
    INDEX = "index"
    COMMIT = "commit"


@dataclass(frozen=True)
class Source:
    """Decoded text to scan. ``path`` is POSIX and relative to the scan root.

    Diff and history sources carry the whole new file (so that context-aware checks see it) and set
    ``added_lines``: only findings on those 1-based line numbers count.
    """

    path: str
    text: str
    origin: Origin = Origin.TREE
    commit: str | None = None
    added_lines: frozenset[int] | None = None

    @cached_property
    def lines(self) -> list[str]:
        """The lines as git and editors number them (split on \\n only, a trailing \\r dropped)."""
        lines = self.text.split("\n")
        if "\r" not in self.text:  # the usual case: no per-line work in Python
            return lines
        return [line[:-1] if line.endswith("\r") else line for line in lines]

    @cached_property
    def data(self) -> bytes:
        """The text as UTF-8 (lone surrogates kept), encoded once for every byte-level matcher (RE2)."""
        return self.text.encode("utf-8", "surrogatepass")

    @cached_property
    def lower(self) -> str:
        """The text lowercased once, for the keyword gates of every detector."""
        return self.text.lower()

    @property
    def suffix(self) -> str:
        name = self.path.rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[-1].lower() if "." in name else ""


@dataclass(frozen=True)
class FileRef:
    """A file found by the walk: ``path`` for display, ``fspath`` to open (it may hold undecodable bytes)."""

    path: str
    fspath: str
    size: int


# Formats that are binary by definition: skipped without reading a byte.
BINARY_SUFFIXES = frozenset(
    (
        "png jpg jpeg gif bmp ico icns webp tif tiff psd pdf zip gz tgz bz2 xz zst 7z rar tar jar war ear whl egg "
        "so dylib dll exe bin o a lib obj class pyc pyo pyd woff woff2 ttf otf eot mp3 mp4 m4a mov avi mkv wav ogg "
        "flac webm sqlite sqlite3 db parquet avro orc npy npz pkl pickle h5 onnx pt ckpt"
    ).split()
)
SNIFF_BYTES = 8192
_IMAGE_DATA = re.compile(r'"image/[A-Za-z0-9.+-]+"\s*:\s*(?:"(?:[^"\\]|\\.)*"|\[(?:\s*"(?:[^"\\]|\\.)*"\s*,?)*\s*\])')


def display_path(path: str) -> str:
    """A printable POSIX path: undecodable bytes of a file name become \\x escapes instead of crashing output."""
    posix = path.replace(os.sep, "/") if os.sep != "/" else path
    return posix.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def decode(data: bytes) -> str:
    """UTF-8 (BOM stripped), UTF-32/UTF-16 by their BOM, else latin-1, which never fails."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    for bom, codec in ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"),
                       (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _has_text_bom(data: bytes) -> bool:
    return data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))


_JSON_STRING_LINE = re.compile(r'^(\s*)"((?:[^"\\]|\\.)*)"(,?)\s*$', re.MULTILINE)


def _unescape_string_line(match: re.Match[str]) -> str:
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


def read_source(ref: FileRef, max_size: int) -> Source | Skipped:
    """Read and decode one file, or say why it was not scanned."""
    suffix = ref.path.rsplit(".", 1)[-1].lower() if "." in ref.path.rsplit("/", 1)[-1] else ""
    if suffix in BINARY_SUFFIXES:
        return Skipped(ref.path, f"binary (.{suffix})")
    try:
        with open(ref.fspath, "rb") as handle:
            data = handle.read(max_size + 1)
    except OSError as error:
        return Skipped(ref.path, f"unreadable: {error.strerror or type(error).__name__}")
    if len(data) > max_size:
        return Skipped(ref.path, f"larger than max-file-size ({max_size} bytes)")
    if b"\x00" in data[:SNIFF_BYTES] and not _has_text_bom(data):
        return Skipped(ref.path, "binary (NUL bytes)")
    text = decode(data)
    if suffix == "ipynb":
        text = prepare_notebook(text)
    return Source(path=ref.path, text=text)


class _IgnoreRules:
    """The .gitignore files met on the way down, each applied to paths relative to its own folder."""

    def __init__(self, layers: tuple[tuple[str, pathspec.GitIgnoreSpec], ...] = ()) -> None:
        self.layers = layers

    def descend(self, folder_rel: str, folder_abs: str) -> _IgnoreRules:
        try:
            with open(os.path.join(folder_abs, ".gitignore"), encoding="utf-8", errors="replace") as handle:
                spec = pathspec.GitIgnoreSpec.from_lines(handle.read().splitlines())
        except OSError:
            return self
        return _IgnoreRules((*self.layers, (display_path(folder_rel), spec)))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """Git's rule: the deepest .gitignore with a matching pattern decides, its last match winning."""
        rel = display_path(rel)
        for base, spec in reversed(self.layers):
            inner = rel[len(base) + 1 :] if base else rel
            result = spec.check_file(inner + "/" if is_dir else inner)
            if result.include is not None:
                return bool(result.include)
        return False


def _repository_excludes(root: str) -> _IgnoreRules:
    rules = _IgnoreRules()
    info_exclude = os.path.join(root, ".git", "info", "exclude")
    try:
        with open(info_exclude, encoding="utf-8", errors="replace") as handle:
            rules = _IgnoreRules((("", pathspec.GitIgnoreSpec.from_lines(handle.read().splitlines())),))
    except OSError:
        pass
    return rules


class FileWalk:
    """Finds the files of a scan: explicit files as given, folders walked honouring .gitignore and excludes.

    Symbolic links are never followed (a link can point out of the scan root or into a loop); they are
    recorded as skipped. ``.git`` folders are never entered.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.root = os.path.abspath(config.root)
        patterns = list(config.exclude)
        if config.baseline is not None:
            patterns.append("/" + self._relative(os.path.abspath(config.baseline)))
        self.excludes = pathspec.GitIgnoreSpec.from_lines(patterns)
        self.skipped: list[Skipped] = []

    def _relative(self, absolute: str) -> str:
        rel = os.path.relpath(absolute, self.root)
        return rel.replace(os.sep, "/") if os.sep != "/" else rel

    def _excluded(self, rel: str, is_dir: bool) -> bool:
        rel = display_path(rel)  # pattern matchers want encodable text, not undecodable file-name bytes
        return self.excludes.match_file(rel + "/" if is_dir else rel)

    def files(self) -> Iterator[FileRef]:
        targets = self.config.paths or (Path(self.config.root),)
        for target in targets:
            absolute = os.path.abspath(target)
            rel = self._relative(absolute)
            try:
                info = os.lstat(absolute)
            except OSError as error:
                self.skipped.append(Skipped(display_path(rel), f"unreadable: {error.strerror or error}"))
                continue
            if stat.S_ISDIR(info.st_mode):
                yield from self._walk(absolute, "" if rel == "." else rel, self._ignore_rules_for(absolute))
            elif not self._excluded(rel, is_dir=False):
                ref = self._file(absolute, rel, info)
                if ref is not None:
                    yield ref

    def _ignore_rules_for(self, folder: str) -> _IgnoreRules:
        """The .gitignore layers from the scan root down to ``folder`` (for a folder argument below the root)."""
        rules = _repository_excludes(self.root)
        if not self.config.respect_gitignore:
            return _IgnoreRules()
        rules = rules.descend("", self.root)
        rel = self._relative(folder)
        if rel in (".", "") or rel.startswith(".."):
            return rules
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            sub = "/".join(parts[:depth])
            rules = rules.descend(sub, os.path.join(self.root, sub))
        return rules

    def _file(self, absolute: str, rel: str, info: os.stat_result) -> FileRef | None:
        shown = display_path(rel)
        if stat.S_ISLNK(info.st_mode):
            self.skipped.append(Skipped(shown, "symbolic link (not followed)"))
            return None
        if not stat.S_ISREG(info.st_mode):
            self.skipped.append(Skipped(shown, "not a regular file"))
            return None
        return FileRef(path=shown, fspath=absolute, size=info.st_size)

    def _walk(self, folder: str, rel: str, rules: _IgnoreRules) -> Iterator[FileRef]:
        if self.config.respect_gitignore and rel:
            rules = rules.descend(rel, folder)
        try:
            with os.scandir(folder) as entries:
                children = sorted(entries, key=lambda entry: entry.name)
        except OSError as error:
            self.skipped.append(Skipped(display_path(rel or "."), f"unreadable folder: {error.strerror or error}"))
            return
        for entry in children:
            child_rel = f"{rel}/{entry.name}" if rel else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                info = entry.stat(follow_symlinks=False)
            except OSError as error:
                self.skipped.append(Skipped(display_path(child_rel), f"unreadable: {error.strerror or error}"))
                continue
            if is_dir and entry.name == ".git":
                continue
            ignored = self.config.respect_gitignore and rules.ignored(child_rel, is_dir)
            if ignored or self._excluded(child_rel, is_dir):
                continue
            if is_dir:
                yield from self._walk(entry.path, child_rel, rules)
            else:
                ref = self._file(entry.path, child_rel, info)
                if ref is not None:
                    yield ref
