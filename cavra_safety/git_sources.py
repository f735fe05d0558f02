"""Sources from git: what the index holds (``--staged``) and the lines a commit range adds (``--diff``).

Paths are POSIX and relative to the repository's top level, which is the scan root of every git scan (so
that annotations and SARIF locations line up with the repository). Blobs are read from git's object store,
never from the working tree: what is scanned is exactly what is (about to be) committed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from cavra_safety.config import Config
from cavra_safety.findings import Skipped
from cavra_safety.git import EMPTY_TREE, Git, blob_sizes, read_blobs
from cavra_safety.git_patch import SUBMODULE_MODE, SYMLINK_MODE, parse_patch
from cavra_safety.sources import (
    BINARY_SUFFIXES,
    SNIFF_BYTES,
    Origin,
    Source,
    decode,
    display_path,
    prepare_notebook,
)

PATCH_OPTIONS = ("--full-index", "--src-prefix=a/", "--dst-prefix=b/", "--no-color", "--no-ext-diff",
                 "--no-textconv", "--find-renames", "--ignore-submodules=all")
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


@dataclass
class GitSources:
    """What a git scan reads: the sources, and the files it did not scan with the reason."""

    sources: list[Source] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


class PathFilter:
    """The configured excludes (and the baseline file), applied to repository-relative paths."""

    def __init__(self, config: Config, toplevel: Path) -> None:
        patterns = list(config.exclude)
        if config.baseline is not None:
            baseline = os.path.relpath(os.path.abspath(config.baseline), os.path.abspath(toplevel))
            if not baseline.startswith(".."):
                patterns.append("/" + baseline.replace(os.sep, "/"))
        self.spec = pathspec.GitIgnoreSpec.from_lines(patterns)

    def excluded(self, path: str) -> bool:
        return self.spec.match_file(display_path(path))


def suffix_of(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def binary_reason(path: str, data: bytes) -> str | None:
    """Why a blob is not text, the way the file walk decides it, or None when it is text."""
    suffix = suffix_of(path)
    if suffix in BINARY_SUFFIXES:
        return f"binary (.{suffix})"
    if b"\x00" in data[:SNIFF_BYTES] and not data.startswith(_TEXT_BOMS):
        return "binary (NUL bytes)"
    return None


def blob_source(path: str, data: bytes, origin: Origin, commit: str | None = None,
                added_lines: frozenset[int] | None = None) -> Source | Skipped:
    shown = display_path(path)
    reason = binary_reason(path, data)
    if reason is not None:
        return Skipped(shown, reason)
    text = decode(data)
    if suffix_of(path) == "ipynb":
        text = prepare_notebook(text)
    return Source(path=shown, text=text, origin=origin, commit=commit, added_lines=added_lines)


def _load(git: Git, wanted: Sequence[tuple[str, str, frozenset[int] | None]], config: Config, origin: Origin,
          commit: str | None, out: GitSources) -> None:
    """Read (path, blob, added lines) triples into sources, skipping blobs over max-file-size unread."""
    sizes = blob_sizes(git, [blob for _, blob, _ in wanted])
    small = [blob for blob, size in sizes.items() if size <= config.max_file_size]
    blobs = read_blobs(git, small)
    for path, blob, added in wanted:
        if blob not in blobs:
            out.skipped.append(Skipped(display_path(path), f"larger than max-file-size ({config.max_file_size} bytes)"))
            continue
        loaded = blob_source(path, blobs[blob], origin, commit, added)
        (out.skipped if isinstance(loaded, Skipped) else out.sources).append(loaded)  # type: ignore[arg-type]


def staged_sources(git: Git, config: Config, toplevel: Path, paths: Sequence[str] = ()) -> GitSources:
    """Every file the next commit adds, copies, modifies or renames, as the index holds it (whole files)."""
    base = git.head() or EMPTY_TREE
    raw = git.run("diff", "--cached", "--raw", "-z", "--no-abbrev", "--find-renames", "--ignore-submodules=all",
                  "--diff-filter=ACMR", "--no-ext-diff", "--end-of-options", base, "--", *paths)
    out = GitSources()
    path_filter = PathFilter(config, toplevel)
    wanted: list[tuple[str, str, frozenset[int] | None]] = []
    fields = raw.split(b"\0")
    index = 0
    while index < len(fields) - 1:
        meta = fields[index].split()
        if not meta:
            index += 1
            continue
        status = meta[4][:1] if len(meta) > 4 else b"M"
        index += 1
        if status in (b"R", b"C"):  # source and destination paths follow
            index += 1
        path = os.fsdecode(fields[index])
        index += 1
        new_mode, new_blob = meta[1].decode("ascii"), meta[3].decode("ascii")
        if path_filter.excluded(path):
            continue
        if new_mode == SYMLINK_MODE:
            out.skipped.append(Skipped(display_path(path), "symbolic link (not followed)"))
        elif new_mode != SUBMODULE_MODE:
            wanted.append((path, new_blob, None))
    _load(git, wanted, config, Origin.INDEX, None, out)
    return out


@dataclass(frozen=True)
class DiffRange:
    """The two commits of a ``--diff``: lines added from ``old`` to ``new`` count."""

    old: str
    new: str


def parse_range(git: Git, spec: str) -> DiffRange:
    """``BASE`` (= BASE..HEAD), ``BASE..HEAD``, or ``BASE...HEAD`` (from their merge base, as a pull request
    shows it). Each side is resolved by ``rev-parse`` as data, never as an option."""
    if "..." in spec:
        left, right = spec.split("...", 1)
        new = git.resolve_commit(right or "HEAD")
        return DiffRange(git.merge_base(git.resolve_commit(left or "HEAD"), new), new)
    if ".." in spec:
        left, right = spec.split("..", 1)
        return DiffRange(git.resolve_commit(left or "HEAD"), git.resolve_commit(right or "HEAD"))
    return DiffRange(git.resolve_commit(spec), git.resolve_commit("HEAD"))


def diff_sources(git: Git, config: Config, toplevel: Path, spec: str, paths: Sequence[str] = ()) -> GitSources:
    """The new side of every file the range changes, with only its added lines counting."""
    if git.head() is None and spec.split(".", 1)[0] in ("", "HEAD"):
        git.resolve_commit("HEAD")  # an unborn branch: the clear "unknown revision" error
    commits = parse_range(git, spec)
    # Held whole (no context lines: at most the size of the change); the changed files are read whole below.
    patches = parse_patch(git.run("diff", "-p", "--unified=0", *PATCH_OPTIONS, "--end-of-options", commits.old,
                                  commits.new, "--", *paths))
    out = GitSources()
    path_filter = PathFilter(config, toplevel)
    wanted: list[tuple[str, str, frozenset[int] | None]] = []
    for patch in patches:
        if path_filter.excluded(patch.path) or patch.deleted:
            continue
        if patch.binary:
            out.skipped.append(Skipped(display_path(patch.path), "binary (git diff)"))
        elif not patch.added:
            continue  # a pure rename or mode change adds no line
        elif patch.new_mode == SYMLINK_MODE:
            out.skipped.append(Skipped(display_path(patch.path), "symbolic link (not followed)"))
        elif patch.scannable and patch.new_blob is not None:
            wanted.append((patch.path, patch.new_blob, frozenset(patch.added)))
    _load(git, wanted, config, Origin.COMMIT, commits.new, out)
    return out
