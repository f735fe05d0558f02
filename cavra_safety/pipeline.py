"""scan(): sources -> detectors -> filters -> sorted findings.

Files are read and decoded once, in the process that scans them. Large scans are spread over every core
with a process pool; small ones (a pre-commit run on a few files) stay in this process, where start-up
would otherwise dominate.
"""

from __future__ import annotations

import multiprocessing
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, TypeVar

from cavra_safety.baseline import Baseline
from cavra_safety.config import Config
from cavra_safety.detectors import DETECTORS, Detector, DetectorFactory
from cavra_safety.filters import apply_inline_allows, drop_overlaps
from cavra_safety.findings import Finding, Note, RuleInfo, ScanResult, Skipped
from cavra_safety.policy import Policy, load_policy
from cavra_safety.sources import FileRef, FileWalk, Source, read_source

ProgressCallback = Callable[[int, int], None]
T = TypeVar("T")
WorkItem = FileRef | Source

# Below these a pool costs more than it saves (each worker imports and compiles the detectors).
PARALLEL_MIN_FILES = 200
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
BATCH_BYTES = 512 * 1024
BATCH_FILES = 64


class ScanError(Exception):
    """A detector failed on one input: a bug, reported with the file it happened on."""


@dataclass
class BatchOutcome:
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    files_scanned: int = 0
    bytes_scanned: int = 0
    suppressed_inline: int = 0

    def merge(self, other: BatchOutcome) -> None:
        self.findings.extend(other.findings)
        self.skipped.extend(other.skipped)
        self.notes.extend(other.notes)
        self.files_scanned += other.files_scanned
        self.bytes_scanned += other.bytes_scanned
        self.suppressed_inline += other.suppressed_inline


class Engine:
    """The detectors and per-source filters of one configuration, built once per process."""

    def __init__(self, config: Config, policy: Policy, factories: Mapping[str, DetectorFactory] = DETECTORS) -> None:
        self.config = config
        self.detectors: tuple[Detector, ...] = tuple(factory(config, policy) for factory in factories.values())
        rules = {rule.rule_id: rule for detector in self.detectors for rule in detector.rules}
        self.rules: tuple[RuleInfo, ...] = tuple(
            rule for rule_id, rule in sorted(rules.items())
            if rule_id not in config.disabled_rules and config.wants(rule.category)
        )
        self.known_rule_ids = frozenset(rules)
        self._reported_ids = frozenset(rule.rule_id for rule in self.rules)

    def prepare(self) -> None:
        """Finish building detectors that load lazily (detect-secrets on its first candidate file), so that
        pool workers forked after this inherit them instead of each building its own."""
        for detector in self.detectors:
            prepare = getattr(detector, "prepare", None)
            if callable(prepare):
                prepare()

    def scan_source(self, source: Source) -> BatchOutcome:
        outcome = BatchOutcome(files_scanned=1, bytes_scanned=len(source.text))
        raw: list[Finding] = []
        try:
            for detector in self.detectors:
                for item in detector.detect(source):
                    if isinstance(item, Note):
                        outcome.notes.append(item)
                    elif item.rule_id in self._reported_ids:
                        raw.append(item)
        except Exception as error:
            raise ScanError(f"internal error while scanning {source.path}: {type(error).__name__}") from error
        if source.added_lines is not None:
            raw = [finding for finding in raw if finding.line in source.added_lines]
        kept, suppressed, notes = apply_inline_allows(source, drop_overlaps(raw), self.known_rule_ids)
        outcome.findings.extend(kept)
        outcome.suppressed_inline = suppressed
        outcome.notes.extend(notes)
        return outcome

    def scan_items(self, items: Iterable[WorkItem]) -> BatchOutcome:
        total = BatchOutcome()
        for item in items:
            if isinstance(item, FileRef):
                loaded = read_source(item, self.config.max_file_size)
                if isinstance(loaded, Skipped):
                    total.skipped.append(loaded)
                    continue
                item = loaded
            total.merge(self.scan_source(item))
        return total


# The engine of a pool worker process: set once by the pool initializer, read by each task.
_worker_engine: Engine | None = None


def _init_worker(engine_or_config: Engine | Config) -> None:
    global _worker_engine
    if isinstance(engine_or_config, Engine):
        _worker_engine = engine_or_config  # inherited through fork: nothing is rebuilt
    else:
        _worker_engine = Engine(engine_or_config, load_policy(engine_or_config))
    _worker_engine.prepare()


def _scan_batch(items: Sequence[WorkItem]) -> BatchOutcome:
    assert _worker_engine is not None, "pool worker used before its initializer ran"
    return _worker_engine.scan_items(items)


def _size(item: WorkItem) -> int:
    return item.size if isinstance(item, FileRef) else len(item.text)


def _batches(items: Iterable[WorkItem]) -> Iterator[list[WorkItem]]:
    batch: list[WorkItem] = []
    size = 0
    for item in items:
        batch.append(item)
        size += _size(item)
        if size >= BATCH_BYTES or len(batch) >= BATCH_FILES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


@contextmanager
def worker_pool(engine: Engine, jobs: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``jobs`` processes scanning with ``engine`` (``submit_batch``). On Linux the workers fork
    from this process and inherit the engine as built; elsewhere each builds its own from the config. Either
    way each worker finishes its lazy detectors at once, in parallel with this process, which goes on walking
    or parsing. Leaving the block early (an error, Ctrl-C) drops the queued batches."""
    fork = sys.platform.startswith("linux")
    context = multiprocessing.get_context("fork" if fork else "spawn")
    initarg: Engine | Config = engine if fork else engine.config
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                             initargs=(initarg,)) as pool:
        try:
            yield pool
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def submit_batch(pool: ProcessPoolExecutor, items: Sequence[WorkItem]) -> Future[BatchOutcome]:
    return pool.submit(_scan_batch, items)


def _call_with_engine(function: Callable[..., T], args: tuple[Any, ...]) -> T:
    assert _worker_engine is not None, "pool worker used before its initializer ran"
    return function(_worker_engine, *args)


def submit_with_engine(pool: ProcessPoolExecutor, function: Callable[..., T], *args: Any) -> Future[T]:
    """Run ``function(engine, *args)`` in a worker, with the worker's engine (``function`` must be a module-level
    function, so that it can be sent to the worker by name)."""
    return pool.submit(_call_with_engine, function, args)


def _look_ahead(stream: Iterator[WorkItem], cores: int) -> tuple[list[WorkItem], int, bool]:
    """The first items of a scan, the worker count and whether a pool pays: read far enough ahead to give
    every core two batches (or to the end of a small scan), so that the walk of a large tree goes on while
    the workers already scan."""
    limit = max(PARALLEL_MIN_FILES, 2 * cores * BATCH_FILES)
    head: list[WorkItem] = []
    size = 0
    for item in stream:
        head.append(item)
        size += _size(item)
        if len(head) >= limit:
            break
    jobs = min(cores, max(1, len(head) // BATCH_FILES))
    return head, jobs, len(head) >= PARALLEL_MIN_FILES or size >= PARALLEL_MIN_BYTES


def _in_parallel(
    engine: Engine, items: Iterator[WorkItem], jobs: int, progress: ProgressCallback | None
) -> BatchOutcome:
    """Batches are submitted as the walk yields them; results are merged once it is done (the progress
    total is known from then on)."""
    total = BatchOutcome()
    done = 0
    with worker_pool(engine, jobs) as pool:
        futures = [(submit_batch(pool, batch), len(batch)) for batch in _batches(items)]
        count = sum(size for _, size in futures)
        for future, size in futures:
            total.merge(future.result())
            done += size
            if progress is not None:
                progress(done, count)
    return total


def _sequential(engine: Engine, items: Sequence[WorkItem], progress: ProgressCallback | None) -> BatchOutcome:
    total = BatchOutcome()
    done = 0
    for batch in _batches(items):
        total.merge(engine.scan_items(batch))
        done += len(batch)
        if progress is not None:
            progress(done, len(items))
    return total


def scan(
    config: Config,
    *,
    policy: Policy | None = None,
    sources: Iterable[Source] | None = None,
    progress: ProgressCallback | None = None,
    factories: Mapping[str, DetectorFactory] = DETECTORS,
    baseline: Baseline | None = None,
    skipped: Iterable[Skipped] = (),
) -> ScanResult:
    """Scan the files the config names (or the given in-memory sources) and return sorted findings.

    Findings the ``baseline`` accepts are left out and counted; ``skipped`` adds files the caller chose not
    to turn into sources (a git scan's binary blobs) to the report.
    """
    started = time.perf_counter()
    engine = Engine(config, policy if policy is not None else load_policy(config), factories)
    skipped = list(skipped)
    walk = FileWalk(config) if sources is None else None
    stream: Iterator[WorkItem] = iter(walk.files() if walk is not None else sources or ())
    head, jobs, big = _look_ahead(stream, config.effective_jobs())
    if jobs > 1 and big:
        outcome = _in_parallel(engine, chain(head, stream), jobs, progress)
    else:
        outcome = _sequential(engine, head + list(stream), progress)
    if walk is not None:
        skipped.extend(walk.skipped)  # complete now that the stream is spent
    findings, in_baseline = outcome.findings, 0
    if baseline is not None:
        findings, in_baseline = baseline.subtract(findings, config.root)
    return ScanResult(
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        rules=engine.rules,
        skipped=tuple(sorted(skipped + outcome.skipped)),
        notes=tuple(sorted(set(outcome.notes))),
        files_scanned=outcome.files_scanned,
        bytes_scanned=outcome.bytes_scanned,
        suppressed_inline=outcome.suppressed_inline,
        suppressed_baseline=in_baseline,
        seconds=time.perf_counter() - started,
    )
