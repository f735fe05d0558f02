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
from dataclasses import dataclass, field

from cavra_safety.baseline import Baseline
from cavra_safety.config import Config
from cavra_safety.detectors import DETECTORS, Detector, DetectorFactory
from cavra_safety.filters import apply_inline_allows, drop_overlaps
from cavra_safety.findings import Finding, Note, RuleInfo, ScanResult, Skipped
from cavra_safety.policy import Policy, load_policy
from cavra_safety.sources import FileRef, FileWalk, Source, read_source

ProgressCallback = Callable[[int, int], None]
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


def _scan_batch(items: Sequence[WorkItem]) -> BatchOutcome:
    assert _worker_engine is not None, "pool worker used before its initializer ran"
    return _worker_engine.scan_items(items)


def _size(item: WorkItem) -> int:
    return item.size if isinstance(item, FileRef) else len(item.text)


def _batches(items: Sequence[WorkItem]) -> Iterator[list[WorkItem]]:
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


def _in_parallel(
    engine: Engine, items: Sequence[WorkItem], jobs: int, progress: ProgressCallback | None
) -> BatchOutcome:
    fork = sys.platform.startswith("linux")
    context = multiprocessing.get_context("fork" if fork else "spawn")
    initarg: Engine | Config = engine if fork else engine.config
    total = BatchOutcome()
    done = 0
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_init_worker,
                             initargs=(initarg,)) as pool:
        futures: list[tuple[Future[BatchOutcome], int]] = [
            (pool.submit(_scan_batch, batch), len(batch)) for batch in _batches(items)
        ]
        try:
            for future, count in futures:
                total.merge(future.result())
                done += count
                if progress is not None:
                    progress(done, len(items))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
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
    items: list[WorkItem]
    if sources is None:
        walk = FileWalk(config)
        items = list(walk.files())
        skipped.extend(walk.skipped)
    else:
        items = list(sources)
    jobs = min(config.effective_jobs(), max(1, len(items) // BATCH_FILES))
    big = len(items) >= PARALLEL_MIN_FILES or sum(_size(item) for item in items) >= PARALLEL_MIN_BYTES
    outcome = _in_parallel(engine, items, jobs, progress) if jobs > 1 and big else _sequential(engine, items, progress)
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
