"""``--diff``: the new side of every file a commit range changes, with only its added lines counting.

Blobs are read from git's object store (``staged.load_blobs``), never from the working tree. What git calls
binary is judged again by content (``sources.binary``): a change cannot hide itself with .gitattributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cavra_safety.config import Config
from cavra_safety.display import display_path
from cavra_safety.findings import Skipped
from cavra_safety.git import Git
from cavra_safety.sources import Origin
from cavra_safety.sources.binary import TEXT_OPTIONS, pathspec, read_binaries
from cavra_safety.sources.files import PathFilter
from cavra_safety.sources.patch import PATCH_OPTIONS, SYMLINK_MODE, FilePatch, parse_patch
from cavra_safety.sources.staged import GitSources, load_blobs
from cavra_safety.sources.text import blob_source
from cavra_safety.sources.whole import moved


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
    patches = parse_patch(
        git.run("diff", "-p", "--unified=0", *PATCH_OPTIONS, "--end-of-options", commits.old, commits.new, "--", *paths)
    )
    out = GitSources()
    path_filter = PathFilter(config, toplevel)
    wanted: list[tuple[str, str, frozenset[int] | None]] = []
    git_binary: list[FilePatch] = []
    for patch in patches:
        if path_filter.excluded(patch.path) or patch.deleted:
            continue
        if patch.binary:
            git_binary.append(patch)  # git's verdict follows .gitattributes: judged again by content
        elif not patch.added and not moved(patch):
            continue  # a mode change adds no line
        elif patch.new_mode == SYMLINK_MODE:
            out.skipped.append(Skipped(display_path(patch.path), "symbolic link (not followed)"))
        elif patch.scannable:
            # A pure rename prints no index line: its blobs are named by commit and path.
            new_blob = patch.new_blob or f"{commits.new}:{patch.path}"
            old_path = patch.old_path or patch.path
            before = patch.old_blobs or ((f"{commits.old}:{old_path}",) if moved(patch) else ())
            out.changes[display_path(patch.path)] = (patch, tuple((old_path, blob) for blob in before))
            wanted.append((patch.path, new_blob, frozenset(patch.added)))
    load_blobs(git, wanted, config, Origin.COMMIT, commits.new, out)
    if git_binary:
        _judge_binaries(git, config, commits, git_binary, paths, out)
    return out


def _judge_binaries(
    git: Git, config: Config, commits: DiffRange, patches: list[FilePatch], paths: Sequence[str], out: GitSources
) -> None:
    """Files git called binary: skipped for our own reasons, or scanned whole with the lines a ``--text`` diff
    of them adds (one more ``git diff``, for those files only)."""
    text: list[tuple[FilePatch, bytes]] = []
    for patch, verdict in zip(patches, read_binaries(git, patches, config), strict=True):
        if isinstance(verdict, Skipped):
            out.skipped.append(verdict)
        else:
            text.append((patch, verdict))
    if not text:
        return
    again = git.run(
        "diff",
        "-p",
        "--unified=0",
        *TEXT_OPTIONS,
        *PATCH_OPTIONS,
        "--end-of-options",
        commits.old,
        commits.new,
        "--",
        *(pathspec([patch for patch, _ in text]) or paths),
    )
    added = {patch.path: frozenset(patch.added) for patch in parse_patch(again)}
    for patch, data in text:
        # A file the second diff does not show (never expected) counts whole rather than not at all.
        out.add(blob_source(patch.path, data, Origin.COMMIT, commits.new, added.get(patch.path)))
