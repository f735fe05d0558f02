"""``--staged``: what the git index holds, the files the next commit adds, copies, modifies or renames.

Paths are POSIX and relative to the repository's top level, which is the scan root of every git scan (so
that annotations and SARIF locations line up with the repository). Blobs are read from git's object store,
never from the working tree: what is scanned is exactly what is (about to be) committed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cavra_safety.config import Config
from cavra_safety.display import display_path
from cavra_safety.findings import Skipped
from cavra_safety.git import EMPTY_TREE, Git, blob_sizes, read_blobs
from cavra_safety.sources import Origin, Source
from cavra_safety.sources.files import PathFilter
from cavra_safety.sources.patch import SUBMODULE_MODE, SYMLINK_MODE, FilePatch
from cavra_safety.sources.text import binary_by_name, blob_source, too_large


@dataclass
class GitSources:
    """What a git scan reads: the sources, and the files it did not scan with the reason."""

    sources: list[Source] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # ``--diff``: each source's change, and the versions it had at the base as (path, git object name), so that
    # what a change makes true beyond its added lines can be told (``pipeline.whole_files.widen_diff``).
    changes: dict[str, tuple[FilePatch, tuple[tuple[str, str], ...]]] = field(default_factory=dict)

    def add(self, item: Source | Skipped) -> None:
        if isinstance(item, Skipped):
            self.skipped.append(item)
        else:
            self.sources.append(item)


def load_blobs(
    git: Git,
    wanted: Sequence[tuple[str, str, frozenset[int] | None]],
    config: Config,
    origin: Origin,
    commit: str | None,
    out: GitSources,
) -> None:
    """Read (path, blob, added lines) triples into sources, skipping unread the blobs that are binary by name
    or over max-file-size (in that order, as the tree walk does)."""
    by_name = {path: reason for path, _, _ in wanted if (reason := binary_by_name(path)) is not None}
    sizes = blob_sizes(git, [blob for path, blob, _ in wanted if path not in by_name])
    small = [blob for blob, size in sizes.items() if size <= config.max_file_size]
    blobs = read_blobs(git, small)
    for path, blob, added in wanted:
        if path in by_name:
            out.skipped.append(Skipped(display_path(path), by_name[path]))
        elif blob not in blobs:
            out.skipped.append(too_large(path, config.max_file_size))
        else:
            out.add(blob_source(path, blobs[blob], origin, commit, added))


def staged_sources(git: Git, config: Config, toplevel: Path, paths: Sequence[str] = ()) -> GitSources:
    """Every file the next commit adds, copies, modifies or renames, as the index holds it (whole files)."""
    base = git.head() or EMPTY_TREE
    raw = git.run(
        "diff",
        "--cached",
        "--raw",
        "-z",
        "--no-abbrev",
        "--find-renames",
        "--ignore-submodules=all",
        "--diff-filter=ACMR",
        "--no-ext-diff",
        "--end-of-options",
        base,
        "--",
        *paths,
    )
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
    load_blobs(git, wanted, config, Origin.INDEX, None, out)
    return out
