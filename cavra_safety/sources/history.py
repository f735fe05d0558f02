"""History as sources: every commit's added lines (and its message) from one streaming ``git log -p``, cut
into commits (``raw_commits``) that are parsed where they are scanned (``parse_commit``).

Commits come oldest first in topological order (``--reverse --topo-order``), so the first commit a value is
met in is the one that introduced it. A merge is diffed against its first parent, so lines a merge itself
adds (an "evil merge", a conflict resolution) are scanned, while lines merged in from a branch are met in the
branch's own commits first. Each file's source holds the new side's hunk lines (context and added) at their
real line numbers, blank elsewhere: line numbers are true, checks see the nearby lines, and an inline allow
on the line above an added line is honoured. A file whose rules need more than that (``parse_commits``'s
``whole_file`` test) is read whole instead (``sources.whole``), so that each commit is seen as a tree scan of
it would see it. What git calls binary is judged again by content, a group of
commits at a time (``parse_commits``, ``sources.binary``), so that no .gitattributes can hide a change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from cavra_safety.config import Config
from cavra_safety.display import display_path
from cavra_safety.findings import Skipped
from cavra_safety.git import BlobReader, Git
from cavra_safety.sources import Origin, Source
from cavra_safety.sources.binary import TEXT_OPTIONS, holds_nul, pathspec, read_binaries
from cavra_safety.sources.files import PathFilter
from cavra_safety.sources.patch import PATCH_OPTIONS, SYMLINK_MODE, FilePatch, parse_patch
from cavra_safety.sources.text import binary_by_name, blob_source
from cavra_safety.sources.whole import WholeFile, WholeFileTest, merged_files_wanted, read_whole_files, wants_whole

COMMIT_MESSAGE_PATH = "(commit message)"
_START = b"\x00\x01"
_NEXT_START = b"\n" + _START
# NUL never occurs in a commit message or a patch line, so it frames the header unambiguously.
LOG_FORMAT = "--format=%x00%x01%H%x00%aI%x00%an%x00%B%x00"
CONTEXT_LINES = 3


@dataclass
class HistoryCommit:
    commit: str
    author_date: str
    author: str = ""  # the name the commit records (``%an``; no e-mail address: see ``Finding.author``)
    sources: list[Source] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unjudged: list[FilePatch] = field(default_factory=list)  # git called them binary: judged by ``parse_commits``
    whole: list[WholeFile] = field(default_factory=list)  # files scanned whole (``sources.whole``)
    unread: list[FilePatch] = field(default_factory=list)  # to read whole: read by ``parse_commits``


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


# A merge shows only what it adds itself: the dense combined diff (``--cc``, in every git) prints only the hunks
# where the result differs from every parent, so an evil merge or a conflict resolution is scanned, and the branch
# it brings in is not scanned again (its own commits were). ``--diff-merges=remerge`` (git 2.36) would say the
# same more precisely, but takes ten times as long on a real history (flask: 22 s against 2 s for the log).
MERGE_OPTIONS = ("--cc",)
# Each commit's files as a list before its patch: a merge's list names the files it changed against every parent,
# those its dense combined diff leaves out too (``sources.whole.merged_files_wanted``). Full object names.
RAW_OPTIONS = ("--raw", "--no-abbrev")


def _walk(history: HistoryRange, paths: Sequence[str]) -> tuple[str, ...]:
    """The arguments that select the commits of ``history`` (options first, then the resolved revisions)."""
    revisions = [r for r in history.revisions if r != "--all"]
    options = ("--all",) if "--all" in history.revisions else ()
    return (*options, "--end-of-options", *revisions, "--", *paths)


def count_commits(git: Git, history: HistoryRange, paths: Sequence[str] = ()) -> int:
    """How many commits ``raw_commits`` will yield (for a progress bar: ``rev-list`` reads no diffs)."""
    if not history.revisions:
        return 0
    output = git.run("rev-list", "--count", *_walk(history, paths), check=False).strip()
    return int(output) if output.isdigit() else 0


def raw_commits(git: Git, history: HistoryRange, paths: Sequence[str] = ()) -> Iterator[bytes]:
    """The ``git log -p`` output of each commit, oldest first, from one streaming ``git log``.

    A commit starts at a line that starts with the header marker: no other line can (hunk lines start with a
    marker character, headers with a keyword, and messages hold no NUL), so the output can be cut into commits
    here without parsing it, and each piece parsed anywhere (``parse_commit``: in a pool worker, say).
    """
    if not history.revisions:
        return  # an empty repository: no commit to read
    yield from split_commits(
        git.stream(
            "log",
            "-p",
            f"--unified={CONTEXT_LINES}",
            *PATCH_OPTIONS,
            *MERGE_OPTIONS,
            *RAW_OPTIONS,
            "--reverse",
            "--topo-order",
            "--encoding=UTF-8",
            LOG_FORMAT,
            *_walk(history, paths),
        )
    )


def split_commits(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """Cut output that arrives in blocks (cut anywhere) into commits: each starts with a line that starts
    with the header marker (output before the first such line, if any, comes out as a piece of its own)."""
    commit: list[bytes] = []  # the commit so far, in pieces of whole lines
    unfinished: list[bytes] = []  # a line not yet ended, in pieces
    for block in blocks:
        cut = block.rfind(b"\n") + 1
        if not cut:
            unfinished.append(block)
            continue
        text = b"".join((*unfinished, block[:cut])) if unfinished else block[:cut]
        unfinished = [block[cut:]] if cut < len(block) else []
        yield from _cut_lines(text, commit)
    if unfinished:
        yield from _cut_lines(b"".join(unfinished), commit)
    if commit:
        yield b"".join(commit)


def _cut_lines(text: bytes, commit: list[bytes]) -> Iterator[bytes]:
    """The commits that end in ``text`` (whole lines); the start of the next one is left in ``commit``."""
    begin = 0
    for start in _commit_starts(text):
        if start > begin:
            commit.append(text[begin:start])
        if commit:
            yield b"".join(commit)
            commit.clear()
        begin = start
    if begin < len(text):
        commit.append(text[begin:])


def _commit_starts(text: bytes) -> Iterator[int]:
    """Where the lines of ``text`` (whole lines) that start a commit begin."""
    if text.startswith(_START):
        yield 0
    found = text.find(_NEXT_START)
    while found >= 0:
        yield found + 1
        found = text.find(_NEXT_START, found + 1)


def parse_commits(
    group: Sequence[bytes],
    path_filter: PathFilter,
    config: Config,
    whole_file: WholeFileTest | None = None,
    blobs: BlobReader | None = None,
) -> list[HistoryCommit]:
    """The commits of a group of ``raw_commits`` pieces with their sources: ``parse_commit`` for each, then the
    files git called binary judged by content, and the files ``whole_file`` wants whole read (through ``blobs``,
    the scanning process's open reader, when given), for the whole group at once (``sources.binary``,
    ``sources.whole``)."""
    commits = [
        commit for commit in (parse_commit(raw, path_filter, config, whole_file) for raw in group) if commit is not None
    ]
    _read_whole(commits, config, blobs)
    pending = [(commit, patch) for commit in commits for patch in commit.unjudged]
    if pending:
        # a history scan is rooted at the repository's top level
        git = blobs.git if blobs is not None else Git(config.root, purpose="--history")
        text: list[tuple[HistoryCommit, FilePatch, bytes]] = []
        verdicts = read_binaries(blobs or git, [p for _, p in pending], config)
        for (commit, patch), verdict in zip(pending, verdicts, strict=True):
            if isinstance(verdict, Skipped):
                commit.skipped.append(verdict)
            else:
                text.append((commit, patch, verdict))
        if text:
            _add_as_text(git, text, config)
        for commit in commits:
            commit.unjudged.clear()
    return commits


def parse_commit(
    data: bytes, path_filter: PathFilter, config: Config, whole_file: WholeFileTest | None = None
) -> HistoryCommit | None:
    """One commit of ``raw_commits`` with its sources (None for output before the first header: none is
    expected). Files git called binary whose name does not say so are left in ``unjudged``, and the files
    ``whole_file`` wants whole (and every rename or copy, when it is given) in ``unread``: both read blobs
    (``parse_commits``)."""
    if not data.startswith(_START):
        return None
    commit, patch = _header(data, config)
    patches = parse_patch(patch)
    if whole_file is not None:
        commit.unread.extend(merged_files_wanted(patch, patches, path_filter, whole_file))
    for file_patch in patches:
        if path_filter.excluded(file_patch.path):
            continue  # asked once per file: nothing of it is read, scanned or listed as skipped
        if not file_patch.binary:
            hunks = file_patch.new_text()  # blank where the patch shows nothing: real line numbers
            if whole_file is not None and wants_whole(file_patch, hunks, whole_file):
                commit.unread.append(file_patch)
            else:
                _add(commit, file_patch, config, hunks)
        elif not file_patch.deleted:
            by_name = binary_by_name(file_patch.path)
            if by_name is None:
                commit.unjudged.append(file_patch)
            else:
                commit.skipped.append(Skipped(display_path(file_patch.path), by_name))
    return commit


def _read_whole(commits: Sequence[HistoryCommit], config: Config, blobs: BlobReader | None) -> None:
    """The files of ``commits`` wanted whole, read in one go; one that cannot be (over max-file-size, binary by
    content) is scanned by its hunks, as any other file."""
    wanted = [(commit, patch) for commit in commits for patch in commit.unread]
    if not wanted:
        return
    git = blobs if blobs is not None else Git(config.root, purpose="--history")
    read = read_whole_files(git, [(commit.commit, patch) for commit, patch in wanted], config)
    for (commit, patch), whole in zip(wanted, read, strict=True):
        if whole is not None:
            commit.whole.append(whole)
        else:
            _add(commit, patch, config)
    for commit in commits:
        commit.unread.clear()


def _add_as_text(git: Git, text: Sequence[tuple[HistoryCommit, FilePatch, bytes]], config: Config) -> None:
    """Files git called binary that are text by our rule, from one more patch of their commits, asked with
    ``--text`` and limited to those files: scanned as every text file is (hunks, at git's added lines); UTF-16
    and UTF-32 text whole, at git's added line numbers. git prints no combined diff of such a file even with
    ``--text``, so a merge's is asked against each parent (``-m``) and a line counts as added only when it is
    added against every parent, as ``--cc`` would say."""
    commits = "".join(f"{commit}\n" for commit in dict.fromkeys(commit.commit for commit, _, _ in text))
    again = git.run(
        "diff-tree",
        "--stdin",
        "--root",
        "-p",
        f"--unified={CONTEXT_LINES}",
        *TEXT_OPTIONS,
        *PATCH_OPTIONS,
        "-m",
        "--always",  # a header for every parent, even one the file does not differ from
        "--format=%x00%x01%H%x00%x00%x00%x00",
        "--",
        *pathspec([patch for _, patch, _ in text]),
        input_bytes=commits.encode("ascii"),
    )
    redone: dict[tuple[str, str], FilePatch] = {}
    parents: Counter[str] = Counter()  # diffs per commit: one per parent
    diffs: Counter[tuple[str, str]] = Counter()  # diffs per commit and file
    for piece in split_commits([again]):
        if piece.startswith(_START):
            header, patch_text = _header(piece, config)
            parents[header.commit] += 1
            for file_patch in parse_patch(patch_text):
                key = (header.commit, file_patch.path)
                diffs[key] += 1
                if key in redone:  # a merge's diff against another parent
                    redone[key].added &= file_patch.added
                else:
                    redone[key] = file_patch
    for key, patch_seen in redone.items():
        if diffs[key] < parents[key[0]]:  # the same as some parent: the merge adds nothing to it
            patch_seen.added.clear()
    for commit, patch, data in text:
        found = redone.get((commit.commit, patch.path))
        if found is not None and not holds_nul(data):
            _add(commit, found, config)
            continue
        # Text with NUL bytes (by its BOM) is scanned whole; a file git does not show again (never expected)
        # counts whole rather than not at all.
        added = frozenset(found.added) if found is not None else None
        loaded = blob_source(patch.path, data, Origin.COMMIT, commit.commit, added)
        if isinstance(loaded, Source):
            commit.sources.append(loaded)
        else:
            commit.skipped.append(loaded)


def _header(data: bytes, config: Config) -> tuple[HistoryCommit, bytes]:
    """``\\0\\1<sha>\\0<author date>\\0<author>\\0<message>\\0``, and the patch: the lines after the one that
    ends the header (the message may span lines, so the header ends at its fifth NUL)."""
    end = -1
    for _ in range(5):
        end = data.find(b"\x00", end + 1)
        if end < 0:
            break
    if end < 0:  # a truncated header (git never writes one): it takes the whole piece
        header, patch = data + b"\x00" * (5 - data.count(b"\x00")), b""
    else:
        line_end = data.find(b"\n", end)
        header, patch = (data, b"") if line_end < 0 else (data[: line_end + 1], data[line_end + 1 :])
    _, sha_field, date, author, message, _ = header.split(b"\x00", 5)
    sha = sha_field[1:].decode("ascii")
    found = HistoryCommit(sha, date.decode("ascii", "replace"), author.decode("utf-8", "replace"))
    text = message.decode("utf-8", "replace").rstrip("\n")
    if text.strip() and len(text) <= config.max_file_size:
        found.sources.append(Source(path=COMMIT_MESSAGE_PATH, text=text, origin=Origin.COMMIT, commit=sha))
    return found, patch


def _add(commit: HistoryCommit, patch: FilePatch, config: Config, hunks: bytes | None = None) -> None:
    """A text file's change (of a path the scan does not exclude: ``parse_commit`` asks) as a source of its hunks
    (``hunks``: ``patch.new_text()``, when already made)."""
    if patch.deleted:
        return
    shown = display_path(patch.path)
    if not patch.added or not patch.scannable:
        if patch.new_mode == SYMLINK_MODE:
            commit.skipped.append(Skipped(shown, "symbolic link (not followed)"))
        return
    data = patch.new_text() if hunks is None else hunks  # blank where the patch shows nothing: real line numbers
    if len(data) > config.max_file_size:
        commit.skipped.append(Skipped(shown, f"larger than max-file-size ({config.max_file_size} bytes)"))
        return
    loaded = blob_source(patch.path, data, Origin.COMMIT, commit.commit, frozenset(patch.added))
    if isinstance(loaded, Source):
        commit.sources.append(loaded)
    else:  # binary after all (NUL bytes in a text diff, a binary suffix), as the tree walk would judge it
        commit.skipped.append(loaded)
