"""The history scan (``--history``, and the audit's): from ``git log -p`` to a ``ScanResult``.

A history scan streams commits (one ``git log -p``) through one engine, in this process for a short history
and over a pool of workers for a long one; it scans each distinct source once and reports each value once
(rule and fingerprint) at the commit that introduced it, with its author date, how many commits added it,
and whether the scanned tip still holds it.
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from cavra_safety.baseline import Baseline
from cavra_safety.config import Config
from cavra_safety.detectors import DETECTORS, DetectorFactory
from cavra_safety.display import display_path
from cavra_safety.findings import Finding, Note, ScanResult, Skipped, Suppressed
from cavra_safety.git import BlobReader, Git, read_small_blobs
from cavra_safety.pipeline.engine import BatchOutcome, Engine, ProgressCallback, scan_result
from cavra_safety.pipeline.pool import (
    PARALLEL_MIN_BYTES,
    PARALLEL_MIN_FILES,
    batches,
    release_free_memory,
    submit_with_engine,
    worker_pool,
)
from cavra_safety.pipeline.whole_files import scan_whole
from cavra_safety.policy import load_policy
from cavra_safety.sources import Origin, Source
from cavra_safety.sources.files import PathFilter
from cavra_safety.sources.history import (
    COMMIT_MESSAGE_PATH,
    HistoryCommit,
    HistoryRange,
    count_commits,
    history_range,
    parse_commits,
    raw_commits,
)
from cavra_safety.sources.text import binary_reason, blob_source
from cavra_safety.sources.whole import WholeFile, read_before

Key = tuple[str, str]  # Finding.value_key: (rule id, identity), "the same value", wherever and whenever met
# Sources remembered for the scan-once rule (~80 bytes each): beyond this, in a history of millions of file
# changes, later duplicates are simply scanned again, and memory stays bounded.
MAX_REMEMBERED = 1 << 19


@dataclass(frozen=True)
class HistoryOptions:
    since: str | None = None
    branches: tuple[str, ...] = ()
    all_refs: bool = False


@dataclass
class _Seen:
    first: Finding
    commits: set[str] = field(default_factory=set)
    paths: set[str] = field(default_factory=set)
    # For a value an inline allow waved through: the allow where the history first met it.
    allowed: Suppressed | None = None


class _Planned(NamedTuple):
    """One source of the history in commit order: scanned (``first``) or replayed from an identical earlier one.
    (A named tuple: thousands go back from each pool worker, and a tuple pickles at a fraction of the cost.)"""

    digest: bytes
    commit: str
    author_date: str
    author: str
    size: int
    first: bool


@dataclass
class _Batch:
    plan: list[_Planned] = field(default_factory=list)
    sources: list[Source | WholeFile] = field(default_factory=list)  # the ``first`` ones, in plan order


def _digest(item: Source | WholeFile) -> bytes:
    """What makes two history sources scan alike: path, text and the lines that count (not the commit), and for
    a whole file the versions it is compared with.

    The text goes in as ``Source.data``, the UTF-8 the byte-level detectors encode anyway (once per source).
    """
    source = item.source if isinstance(item, WholeFile) else item
    data = source.data
    hasher = hashlib.blake2b(source.path.encode("utf-8", "surrogatepass") + b"\0", digest_size=16)
    hasher.update(len(data).to_bytes(8, "little"))  # a length, not a separator: the text may hold NUL
    hasher.update(data)
    hasher.update(array("q", sorted(source.added_lines or ())).tobytes())
    if isinstance(item, WholeFile):
        hasher.update(
            b"\0whole\0" + "\0".join(f"{path}\0{name}" for path, name in item.before).encode("utf-8", "surrogatepass")
        )
    return hasher.digest()


class _Scanner:
    """Scans the planned items of a history in one process: a source as it is, a whole file through
    ``scan_whole`` (its earlier versions read from git only when needed)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.need = engine.context_need
        # Every blob this process reads (whole files, their earlier versions), through one open git process.
        self.blobs = BlobReader(Git(engine.config.root, purpose="--history"))

    def _before(self, item: WholeFile) -> list[Source]:
        return read_before(self.blobs, item.before, self.engine.config)

    def scan(self, item: Source | WholeFile) -> BatchOutcome:
        if isinstance(item, WholeFile):
            return scan_whole(self.engine, item, self._before)
        return self.engine.scan_source(item)


class _HistoryCollector:
    """Folds per-source outcomes, in commit order, into first occurrences; replays identical sources (a
    revert of a revert, a cherry-pick onto the same file state, a repeated commit message) from the outcome of
    their first scan instead of scanning them again."""

    def __init__(self) -> None:
        self.seen: dict[Key, _Seen] = {}
        self.allowed: dict[Key, _Seen] = {}  # like ``seen``, for what inline allows suppressed
        self.dates: dict[str, str] = {}
        self.authors: dict[str, str] = {}
        self.notes: set[Note] = set()
        self.files = self.size = 0
        self._replays: dict[bytes, BatchOutcome] = {}

    def absorb(self, batch: _Batch, outcomes: Sequence[BatchOutcome | None]) -> None:
        """``outcomes``: one per scanned source, in plan order; None for one that found nothing."""
        scanned = iter(outcomes)
        for planned in batch.plan:
            outcome = next(scanned) if planned.first else self._replays.get(planned.digest)
            self.files, self.size = self.files + 1, self.size + planned.size
            if outcome is None or not _found_something(outcome):
                continue
            if planned.first:
                self._replays[planned.digest] = outcome
            self.notes.update(outcome.notes)
            for finding in outcome.findings:
                entry = self.seen.setdefault(finding.value_key, _Seen(finding))
                self._note(entry, planned, finding.path)
            for item in outcome.suppressed:
                key = item.finding.value_key
                self._note(self.allowed.setdefault(key, _Seen(item.finding, allowed=item)), planned, item.finding.path)

    def _note(self, entry: _Seen, planned: _Planned, path: str) -> None:
        entry.commits.add(planned.commit)
        entry.paths.add(path)
        self.dates.setdefault(planned.commit, planned.author_date)
        self.authors.setdefault(planned.commit, planned.author)


def _found_something(outcome: BatchOutcome) -> bool:
    return bool(outcome.findings or outcome.notes or outcome.suppressed)


def _plan(commits: Iterable[HistoryCommit], known: set[bytes], skipped: dict[str, Skipped]) -> _Batch:
    """The sources of ``commits`` in order, each marked first-seen or a repeat of one in ``known``."""
    batch = _Batch()
    for commit in commits:
        for item in commit.skipped:
            skipped.setdefault(item.path, item)
        items: list[Source | WholeFile] = [*commit.sources, *commit.whole]
        for work in items:
            digest = _digest(work)
            first = digest not in known
            if first and len(known) < MAX_REMEMBERED:
                known.add(digest)
            size = len(work.source.text if isinstance(work, WholeFile) else work.text)
            batch.plan.append(_Planned(digest, commit.commit, commit.author_date, commit.author, size, first))
            if first:
                batch.sources.append(work)
    return batch


_Scanned = tuple[_Batch, list[BatchOutcome | None], list[Skipped]]


def _scan_group(scanner: _Scanner, group: list[bytes], path_filter: PathFilter, known: set[bytes]) -> _Scanned:
    """Parse and scan a group of commits (identical sources scanned once; ``known``: the digests already met,
    which the collector replays). What is kept is small: no sources, and None for an outcome without findings
    (most of them)."""
    commits = parse_commits(group, path_filter, scanner.engine.config, scanner.need, scanner.blobs)
    skipped: dict[str, Skipped] = {}
    batch = _plan(commits, known, skipped)
    del commits  # each source goes as soon as it is scanned, with the copies its scan cached (bytes, lines)
    waiting, batch.sources = batch.sources[::-1], []
    outcomes: list[BatchOutcome | None] = []
    while waiting:
        outcome = scanner.scan(waiting.pop())
        outcomes.append(outcome if _found_something(outcome) else None)
    release_free_memory()
    return batch, outcomes, list(skipped.values())


@functools.lru_cache(maxsize=1)
def _worker_scanner(engine: Engine) -> _Scanner:
    """A pool worker's one scanner (and its open blob reader) for every group it is sent: the worker's engine
    never changes, and its git process ends with the worker (its input closes)."""
    return _Scanner(engine)


def _scan_raw(engine: Engine, group: list[bytes], toplevel: str) -> _Scanned:
    """In a pool worker: ``_scan_group`` with the worker's engine."""
    return _scan_group(_worker_scanner(engine), group, PathFilter(engine.config, Path(toplevel)), set())


def _scan_history(
    engine: Engine,
    raw: Iterator[bytes],
    collector: _HistoryCollector,
    skipped: dict[str, Skipped],
    on_commit: Callable[[int], None] | None,
) -> None:
    """Parse and scan commits in this process until the history proves long; then go on with ``jobs - 1``
    pool workers beside this process, which scans a group itself whenever the workers have enough queued,
    and absorb the results in commit order (at most a few groups in flight, so memory stays flat).

    This process scans rather than only feeding the workers: each scanning process grows by the same
    caches (the engine's lazily built detectors, the regex automata), so one process fewer is a third less
    memory on two cores, and no core waits: the workers always have a group queued."""
    config = engine.config
    path_filter = PathFilter(config, config.root)
    jobs = config.effective_jobs()
    known: set[bytes] = set()
    groups = batches(raw, len)
    done = 0

    def absorbed(count: int, scanned: _Scanned) -> None:
        nonlocal done
        batch, outcomes, not_scanned = scanned
        for item in not_scanned:
            skipped.setdefault(item.path, item)
        collector.absorb(batch, outcomes)
        done += count
        if on_commit is not None:
            on_commit(done)

    scanner = _Scanner(engine)
    try:
        for group in groups:
            absorbed(len(group), _scan_group(scanner, group, path_filter, known))
            if jobs > 1 and (collector.files >= PARALLEL_MIN_FILES or collector.size >= PARALLEL_MIN_BYTES):
                break
        else:
            return
        workers = jobs - 1
        # This process scans too: readied as the workers are (the one pass, detect-secrets built), before they
        # fork from it and inherit it.
        engine.prepare()
        # In commit order: a group sent to a worker (a future) or scanned here (its result).
        pending: deque[tuple[int, Future[_Scanned] | _Scanned]] = deque()

        def absorb_oldest() -> None:
            count, entry = pending.popleft()
            absorbed(count, entry.result() if isinstance(entry, Future) else entry)

        with worker_pool(engine, workers) as pool:
            for group in groups:
                queued = sum(1 for _, entry in pending if isinstance(entry, Future) and not entry.done())
                if queued < 2 * workers:
                    pending.append((len(group), submit_with_engine(pool, _scan_raw, group, str(config.root))))
                else:  # the workers have enough to do: this process scans the group
                    pending.append((len(group), _scan_group(scanner, group, path_filter, known)))
                while pending and (not isinstance(pending[0][1], Future) or pending[0][1].done()):
                    absorb_oldest()
                while len(pending) > 4 * jobs:
                    absorb_oldest()
            while pending:
                absorb_oldest()
    finally:
        scanner.blobs.close()


def history_scan(
    git: Git,
    config: Config,
    options: HistoryOptions,
    paths: Sequence[str],
    baseline: Baseline | None,
    factories: Mapping[str, DetectorFactory] = DETECTORS,
    on_commit: Callable[[int], None] | None = None,
    progress: ProgressCallback | None = None,
) -> ScanResult:
    """``on_commit(done)`` after each group of commits; ``progress(done, total)`` too, for a progress bar (the
    total costs one ``git rev-list``, so it is counted only when there is a bar)."""
    started = time.perf_counter()
    engine = Engine(config, load_policy(config, deferred=True), factories)
    walk = history_range(git, options.since, options.branches, options.all_refs)
    skipped: dict[str, Skipped] = {}
    collector = _HistoryCollector()
    total = count_commits(git, walk, paths) if progress is not None else 0
    commits = [0]  # how many commits the walk yielded, for the summary

    def reached(done: int) -> None:
        commits[0] = done
        if on_commit is not None:
            on_commit(done)
        if progress is not None:
            progress(done, max(total, done))

    _scan_history(engine, raw_commits(git, walk, paths), collector, skipped, reached)
    seen, allowed, dates = collector.seen, collector.allowed, collector.dates
    every = [*seen.values(), *allowed.values()]
    in_tip = _still_in_tip(git, engine, walk, {p for entry in every for p in entry.paths})

    def first_occurrence(key: Key, entry: _Seen) -> Finding:
        return replace(
            entry.first,
            author_date=dates.get(entry.first.commit or ""),
            author=collector.authors.get(entry.first.commit or "") or None,
            occurrences=len(entry.commits),
            in_head=None if entry.first.path == COMMIT_MESSAGE_PATH else key in in_tip,
        )

    suppressed = [
        replace(entry.allowed, finding=first_occurrence(key, entry))
        for key, entry in allowed.items()
        if entry.allowed is not None
    ]
    result = scan_result(
        [first_occurrence(key, entry) for key, entry in seen.items()],
        rules=engine.rules,
        skipped=skipped.values(),
        notes=collector.notes,
        files_scanned=collector.files,
        bytes_scanned=collector.size,
        suppressed=suppressed,
        baseline=baseline,
        root=config.root,
        salt=config.fingerprint_salt,
        started=started,
    )
    return replace(result, commits_scanned=commits[0])


def _still_in_tip(git: Git, engine: Engine, walk: HistoryRange, paths: set[str]) -> set[Key]:
    """The values the tip (HEAD, or the one --branch) still holds, in the files where history met them (an inline
    allow at the tip does not make a value go away)."""
    paths.discard(COMMIT_MESSAGE_PATH)
    if walk.tip is None or not paths:
        return set()
    listing = git.run("ls-tree", "-r", "-z", "--full-tree", "--end-of-options", walk.tip)
    blobs: dict[str, str] = {}
    for record in listing.split(b"\0"):
        meta, _, raw_path = record.partition(b"\t")
        words = meta.split()
        if len(words) == 3 and words[1] == b"blob" and words[0] != b"120000":
            path = display_path(os.fsdecode(raw_path))
            if path in paths:
                blobs[path] = words[2].decode("ascii")
    contents = read_small_blobs(git, list(blobs.values()), engine.config.max_file_size)  # larger ones left out
    present: set[Key] = set()
    for path, blob in blobs.items():
        data = contents.get(blob)
        if data is None or binary_reason(path, data) is not None:
            continue
        source = blob_source(path, data, Origin.COMMIT, walk.tip)
        if isinstance(source, Source):
            outcome = engine.scan_source(source)
            for finding in [*outcome.findings, *(item.finding for item in outcome.suppressed)]:
                present.add(finding.value_key)
    return present
