"""History as sources: every commit's added lines (and its message) from one streaming ``git log -p``, cut
into commits (``raw_commits``) that are parsed where they are scanned (``parse_commit``).

Commits come oldest first in topological order (``--reverse --topo-order``), so the first commit a value is
met in is the one that introduced it. A merge is diffed against its first parent, so lines a merge itself
adds (an "evil merge", a conflict resolution) are scanned, while lines merged in from a branch are met in the
branch's own commits first. Each file's source holds the new side's hunk lines (context and added) at their
real line numbers, blank elsewhere: line numbers are true, checks see the nearby lines, and an inline allow
on the line above an added line is honoured.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from cavra_safety.config import Config
from cavra_safety.findings import Skipped
from cavra_safety.git import Git
from cavra_safety.git_patch import SYMLINK_MODE, FilePatch, PatchParser
from cavra_safety.git_sources import PATCH_OPTIONS, PathFilter, binary_reason, blob_source
from cavra_safety.sources import Origin, Source, display_path

COMMIT_MESSAGE_PATH = "(commit message)"
_START = b"\x00\x01"
# NUL never occurs in a commit message or a patch line, so it frames the header unambiguously.
LOG_FORMAT = "--format=%x00%x01%H%x00%aI%x00%B%x00"
CONTEXT_LINES = 3


@dataclass
class HistoryCommit:
    commit: str
    author_date: str
    sources: list[Source] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


@dataclass(frozen=True)
class HistoryRange:
    """What ``--history`` walks: ``revisions`` (resolved object names, or ``--all``), ``tip`` for "still in HEAD"."""

    revisions: tuple[str, ...]
    tip: str | None


def history_range(git: Git, since: str | None, branches: Sequence[str], all_refs: bool) -> HistoryRange:
    """Resolve the user's refs as data (``rev-parse --end-of-options``) before they reach ``git log``."""
    head = git.head()
    tips = [git.resolve_commit(branch) for branch in branches]
    tip = tips[0] if len(tips) == 1 else head
    revisions: list[str] = ["--all"] if all_refs else (tips or ([head] if head else []))
    if since is not None and revisions:
        revisions.append("^" + git.resolve_commit(since))
    return HistoryRange(tuple(revisions), tip)


def merge_options(git: Git) -> tuple[str, ...]:
    # --diff-merges arrived in git 2.31; before that, -m --first-parent would also narrow the walk.
    return ("--diff-merges=first-parent",) if git.version() >= (2, 31) else ("-m",)


def raw_commits(git: Git, history: HistoryRange, paths: Sequence[str] = ()) -> Iterator[list[bytes]]:
    """The ``git log -p`` output of each commit as its lines, oldest first, from one streaming ``git log``.

    A commit starts at a line that starts with the header marker: no other line can (hunk lines start with a
    marker character, headers with a keyword, and messages hold no NUL), so the output can be cut into commits
    here without parsing it, and each piece parsed anywhere (``parse_commit``: in a pool worker, say).
    """
    if not history.revisions:
        return  # an empty repository: no commit to read
    revisions = [r for r in history.revisions if r != "--all"]
    walk = ("--all",) if "--all" in history.revisions else ()
    lines = git.stream("log", "-p", f"--unified={CONTEXT_LINES}", *PATCH_OPTIONS, *merge_options(git),
                       "--reverse", "--topo-order", "--encoding=UTF-8",
                       LOG_FORMAT, *walk, "--end-of-options", *revisions, "--", *paths)
    commit: list[bytes] = []
    for line in lines:
        if line.startswith(_START) and commit:
            yield commit
            commit = []
        commit.append(line)
    if commit:
        yield commit


def parse_commit(lines: Sequence[bytes], path_filter: PathFilter, config: Config) -> HistoryCommit | None:
    """One commit of ``raw_commits`` with its sources (None for output before the first header: none is
    expected)."""
    rest = iter(lines)
    first = next(rest, b"")
    if not first.startswith(_START):
        return None
    commit = _header(first, rest, config)
    parser = PatchParser()
    for line in rest:
        finished = parser.feed(line)
        if finished is not None:  # most lines complete nothing: no call for them
            _add(commit, finished, path_filter, config)
    _add(commit, parser.finish(), path_filter, config)
    return commit


def _header(line: bytes, lines: Iterator[bytes], config: Config) -> HistoryCommit:
    """``\\0\\1<sha>\\0<author date>\\0<message>\\0``: the message may span lines, so read to its NUL."""
    buffer = line
    while buffer.count(b"\x00") < 4:
        buffer += next(lines, b"\x00")
    _, commit, date, message, _ = buffer.split(b"\x00", 4)
    sha = commit[1:].decode("ascii")
    found = HistoryCommit(sha, date.decode("ascii", "replace"))
    text = message.decode("utf-8", "replace").rstrip("\n")
    if text.strip() and len(text) <= config.max_file_size:
        found.sources.append(Source(path=COMMIT_MESSAGE_PATH, text=text, origin=Origin.COMMIT, commit=sha))
    return found


def _add(commit: HistoryCommit, patch: FilePatch | None, path_filter: PathFilter, config: Config) -> None:
    if patch is None or patch.deleted or path_filter.excluded(patch.path):
        return
    shown = display_path(patch.path)
    if patch.binary:
        commit.skipped.append(Skipped(shown, "binary (git history)"))
        return
    if not patch.added or not patch.scannable:
        if patch.new_mode == SYMLINK_MODE:
            commit.skipped.append(Skipped(shown, "symbolic link (not followed)"))
        return
    numbered = [b""] * max(patch.new_lines)  # blank where the patch shows nothing: real line numbers
    for number, text in patch.new_lines.items():
        numbered[number - 1] = text
    data = b"\n".join(numbered)
    if len(data) > config.max_file_size:
        commit.skipped.append(Skipped(shown, f"larger than max-file-size ({config.max_file_size} bytes)"))
        return
    reason = binary_reason(patch.path, data)
    if reason is not None:
        commit.skipped.append(Skipped(shown, reason))
        return
    loaded = blob_source(patch.path, data, Origin.COMMIT, commit.commit, frozenset(patch.added))
    if isinstance(loaded, Source):
        commit.sources.append(loaded)
