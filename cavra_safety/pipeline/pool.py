"""The worker pool every scan shares: batches of work, and processes that each hold one engine.

The pool sends functions to its workers by qualified name, so ``_init_worker``, ``_scan_batch`` and
``_call_with_engine`` live here, beside the one module-level engine each worker sets once.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from cavra_safety.config import Config
from cavra_safety.pipeline.engine import BatchOutcome, Engine, WorkItem
from cavra_safety.policy import load_policy
from cavra_safety.sources import FileRef

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

T = TypeVar("T")

# Below these a pool costs more than it saves (each worker imports and compiles the detectors).
PARALLEL_MIN_FILES = 200
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
BATCH_BYTES = 512 * 1024
BATCH_FILES = 64


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


# Free heap memory a scanning process keeps before it hands it back to the system (``release_free_memory``).
KEEP_FREE_BYTES = 2 << 20


def release_free_memory(keep: int = KEEP_FREE_BYTES) -> None:
    """Hand the allocator's free pages back to the system when it holds more than ``keep`` bytes free (glibc's
    ``malloc_trim``; elsewhere nothing). A history scan allocates and frees large texts group after group, and
    glibc returns only the top of its heap by itself: the pages freed below stay resident, about 15 MB per
    scanning process on a long history (uptime-kuma, measured), for about 3% more time."""
    functions = _glibc_heap_functions()
    if functions is not None:
        info, trim = functions
        if info().free > keep:
            trim(0)


@functools.cache
def _glibc_heap_functions() -> tuple[Any, Any] | None:
    """glibc's ``mallinfo2`` and ``malloc_trim``, looked up once per process; None off Linux, with musl, or with
    glibc before 2.33."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes  # only history scans long enough for a pool get here

    class MallocInfo(ctypes.Structure):  # glibc's struct mallinfo2: ten size_t fields, the free bytes 9th
        _fields_ = [(name, ctypes.c_size_t) for name in ("a", "b", "c", "d", "e", "f", "g", "h", "free", "j")]

    try:
        libc = ctypes.CDLL(None)
        info, trim = libc.mallinfo2, libc.malloc_trim
    except (OSError, AttributeError):
        return None
    info.restype = MallocInfo
    return info, trim


def work_size(item: WorkItem) -> int:
    return item.size if isinstance(item, FileRef) else len(item.text)


def batches(items: Iterable[T], size: Callable[[T], int]) -> Iterator[list[T]]:
    """``items`` in consecutive batches of at most ``BATCH_FILES`` items or about ``BATCH_BYTES`` bytes (no
    look-ahead: the iterator can be shared by two loops)."""
    batch: list[T] = []
    total = 0
    for item in items:
        batch.append(item)
        total += size(item)
        if total >= BATCH_BYTES or len(batch) >= BATCH_FILES:
            yield batch
            batch, total = [], 0
    if batch:
        yield batch


@contextmanager
def worker_pool(engine: Engine, jobs: int) -> Iterator[ProcessPoolExecutor]:
    """A pool of ``jobs`` processes scanning with ``engine`` (``submit_batch``). On Linux the workers fork
    from this process and inherit the engine as built; elsewhere each builds its own from the config. Either
    way each worker finishes its lazy detectors at once, in parallel with this process, which goes on walking
    or parsing. Leaving the block early (an error, Ctrl-C) drops the queued batches."""
    # Imported here, not at the top: a small scan (the pre-commit hook's) stays in one process and must not
    # pay for multiprocessing and concurrent.futures (``tests/test_startup_imports.py``).
    import gc
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    fork = sys.platform.startswith("linux")
    context = multiprocessing.get_context("fork" if fork else "spawn")
    initarg: Engine | Config = engine if fork else engine.config
    if fork:
        # The objects built so far (the engine, the modules) go out of the collector's reach while the pool runs:
        # a collection writes to every object it visits, which would copy each page they share with the workers
        # into every process (copy-on-write) for nothing.
        gc.freeze()
    try:
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(initarg,)
        ) as pool:
            try:
                yield pool
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    finally:
        if fork:
            gc.unfreeze()


def submit_batch(pool: ProcessPoolExecutor, items: Sequence[WorkItem]) -> Future[BatchOutcome]:
    return pool.submit(_scan_batch, items)


def _call_with_engine(function: Callable[..., T], args: tuple[Any, ...]) -> T:
    assert _worker_engine is not None, "pool worker used before its initializer ran"
    return function(_worker_engine, *args)


def submit_with_engine(pool: ProcessPoolExecutor, function: Callable[..., T], *args: Any) -> Future[T]:
    """Run ``function(engine, *args)`` in a worker, with the worker's engine (``function`` must be a module-level
    function, so that it can be sent to the worker by name)."""
    return pool.submit(_call_with_engine, function, args)
