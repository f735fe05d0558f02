"""Changed files that a history scan reads whole: the new blob of a commit's file, scanned as a tree scan would
read it, with the versions it had before, so that what a commit makes true can be told from what it inherited.

A patch shows a file's hunks with three lines of context. That is all a line-local rule needs, but not a rule
that reads the file around a line (a CSV row needs its header, a record its surrounding object, a Python
module its imports and names, a PEM block its every line) or its path (a file moved into a private pack
folder changes no line). For those files (``WholeFileTest``, decided by the pipeline from the rules that run)
the new blob is read whole, each distinct blob once per group of commits, through one ``git cat-file`` (the
scanning process's own, ``git.BlobReader``).

A finding on a line the commit adds counts, as in any history source; a finding elsewhere in the file counts
only when no version before (``WholeFile.before``: one per parent, under its old path) holds the same value:
it became true in this commit (a header row added above old rows, a file renamed into a private folder).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cavra_safety.config import Config
from cavra_safety.git import BlobReader, Git, read_small_blobs
from cavra_safety.sources import Origin, Source
from cavra_safety.sources.files import PathFilter
from cavra_safety.sources.patch import FilePatch, combined_raw_files
from cavra_safety.sources.text import blob_source

# (the file's patch, the new side of its hunks as bytes) -> read the whole new blob
WholeFileTest = Callable[[FilePatch, bytes], bool]


@dataclass(frozen=True)
class WholeFile:
    """``source``: the whole new version (``added_lines``: the lines the commit adds). ``before``: each version
    the file had in a parent, as (path, git object name)."""

    source: Source
    before: tuple[tuple[str, str], ...]


def moved(patch: FilePatch) -> bool:
    """A rename or copy: path-scoped rules may see the file differently at its new path."""
    return patch.old_path is not None and patch.new_path is not None and patch.old_path != patch.new_path


def wants_whole(patch: FilePatch, hunks: bytes, whole_file: WholeFileTest) -> bool:
    """Whether a text file's change (of a path the scan does not exclude) is read whole: it adds lines or moves
    the file, and ``whole_file`` says so."""
    if patch.deleted or not patch.scannable or not (patch.added or moved(patch)):
        return False
    return whole_file(patch, hunks)


def merged_files_wanted(
    patch: bytes, shown: Sequence[FilePatch], path_filter: PathFilter, whole_file: WholeFileTest
) -> list[FilePatch]:
    """A merge's files that its combined diff leaves out (no line differs from every parent: ``shown`` holds
    the others), to be read whole when ``whole_file`` says that their kind needs it: combining the parents'
    lines can make a finding true (a header from one side above rows from the other)."""
    if not patch.startswith((b"::", b"\n::")):
        return []  # not a merge: a commit's raw lines start with a single colon
    named = {file_patch.path for file_patch in shown}
    return [
        file_patch
        for file_patch in combined_raw_files(patch)
        if file_patch.path not in named
        and file_patch.scannable
        and not path_filter.excluded(file_patch.path)
        and whole_file(file_patch, b"")
    ]


def _object_names(commit: str, patch: FilePatch) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The new blob's object name and the versions before; a pure rename prints no ``index`` line, so its blobs
    are named by commit and path (None when a path cannot be written on ``cat-file``'s input)."""
    old_path = patch.old_path or patch.path
    if "\n" in patch.path or "\n" in old_path:
        return None
    new = patch.new_blob if patch.new_blob and patch.new_blob.strip("0") else f"{commit}:{patch.path}"
    if patch.old_blobs:
        return new, tuple((old_path, blob) for blob in patch.old_blobs)
    if moved(patch):
        return new, ((old_path, f"{commit}^:{old_path}"),)
    return new, ()


def read_whole_files(
    git: Git | BlobReader, wanted: Sequence[tuple[str, FilePatch]], config: Config
) -> list[WholeFile | None]:
    """For each (commit, patch) of ``wanted``, in order: the file whole, or None when it is over max-file-size,
    not text by content, or cannot be named (the caller then scans its hunks, as before)."""
    names = [_object_names(commit, patch) for commit, patch in wanted]
    contents = read_small_blobs(git, [named[0] for named in names if named is not None], config.max_file_size)
    found: list[WholeFile | None] = []
    for (commit, patch), named in zip(wanted, names, strict=True):
        data = contents.get(named[0]) if named is not None else None
        if named is None or data is None:
            found.append(None)
            continue
        loaded = blob_source(patch.path, data, Origin.COMMIT, commit, frozenset(patch.added))
        found.append(WholeFile(loaded, named[1]) if isinstance(loaded, Source) else None)
    return found


def read_before(git: Git | BlobReader, before: Sequence[tuple[str, str]], config: Config) -> list[Source]:
    """The earlier versions of a file as sources, whole, as diff sources that add no line (so that the detectors
    read them as they read the new version); binary or oversize ones left out."""
    contents = read_small_blobs(git, [name for _, name in before], config.max_file_size)
    sources: list[Source] = []
    for path, name in before:
        data = contents.get(name)
        if data is not None:
            loaded = blob_source(path, data, Origin.COMMIT, None, frozenset())
            if isinstance(loaded, Source):
                sources.append(loaded)
    return sources
