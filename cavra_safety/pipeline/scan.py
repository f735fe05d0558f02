"""The tree scan (and the scan of in-memory sources): sources -> detectors -> filters -> sorted findings.

Files are read and decoded once, in the process that scans them. Large scans are spread over every core
with the shared pool; small ones (a pre-commit run on a few files) stay in this process, where start-up
would otherwise dominate.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import TYPE_CHECKING

from cavra_safety.config import Config
from cavra_safety.detectors import DETECTORS, DetectorFactory
from cavra_safety.findings import ScanResult, Skipped
from cavra_safety.pipeline.engine import BatchOutcome, Engine, ProgressCallback, WorkItem, scan_result
from cavra_safety.pipeline.pool import (
    BATCH_FILES,
    PARALLEL_MIN_BYTES,
    PARALLEL_MIN_FILES,
    batches,
    submit_batch,
    work_size,
    worker_pool,
)
from cavra_safety.policy import Policy, load_policy
from cavra_safety.sources import Source
from cavra_safety.sources.files import FileWalk

if TYPE_CHECKING:  # a scan without a baseline file does not import the baseline module
    from cavra_safety.baseline import Baseline


def _look_ahead(stream: Iterator[WorkItem], cores: int) -> tuple[list[WorkItem], int, bool]:
    """The first items of a scan, the worker count and whether a pool pays: read far enough ahead to give
    every core two batches (or to the end of a small scan), so that the walk of a large tree goes on while
    the workers already scan."""
    limit = max(PARALLEL_MIN_FILES, 2 * cores * BATCH_FILES)
    head: list[WorkItem] = []
    size = 0
    for item in stream:
        head.append(item)
        size += work_size(item)
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
        futures = [(submit_batch(pool, batch), len(batch)) for batch in batches(items, work_size)]
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
    for batch in batches(items, work_size):
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
    engine = Engine(config, policy if policy is not None else load_policy(config, deferred=True), factories)
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
    return scan_result(
        outcome.findings,
        rules=engine.rules,
        skipped=skipped + outcome.skipped,
        notes=outcome.notes,
        files_scanned=outcome.files_scanned,
        bytes_scanned=outcome.bytes_scanned,
        suppressed=outcome.suppressed,
        baseline=baseline,
        root=config.root,
        salt=config.fingerprint_salt,
        started=started,
    )
