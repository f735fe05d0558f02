"""One timed run of one command: wall and CPU seconds, and peak memory of its whole process tree.

CPU comes from ``os.wait4`` (user + system time of the process and of the children it waited for: our pool
workers). Peak memory is the larger of two readings: ``ru_maxrss`` (the largest single process) and, on
Linux, the largest sum over the process and all its descendants of their proportional set size (PSS, from
``/proc/PID/smaps_rollup``), sampled every 10 ms at first and less often as a run goes on: pool workers run
side by side, so their memory adds up, while the pages forked workers still share with their parent count
once, not once per worker.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

# Sampling costs CPU (reading smaps_rollup walks page tables), which a 2-core machine shares with the tool
# measured: every 10 ms at first, for the short scans, then less often the longer a run lasts.
SAMPLE_SECONDS = 0.01
SAMPLE_SLOWDOWN = 0.05  # seconds added to the interval per second of run time
SAMPLE_MAX_SECONDS = 0.25
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


@dataclass(frozen=True)
class Measurement:
    wall: float
    cpu: float
    peak_mb: float
    exit_code: int
    error: str = ""  # the last line of stderr


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    queue.extend(int(child) for child in handle.read().split())
        except OSError:
            continue
    return found


def _memory(pid: int) -> int:
    """PSS in bytes, or RSS where smaps_rollup is missing (kernels before 4.14)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _tree_memory(pid: int) -> int:
    return sum(_memory(member) for member in _descendants(pid))


class _TreeSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.stop = threading.Event()

    def run(self) -> None:
        if not os.path.isdir(f"/proc/{self.pid}/task"):
            return
        started = time.perf_counter()
        while not self.stop.is_set():
            self.peak = max(self.peak, _tree_memory(self.pid))
            elapsed = time.perf_counter() - started
            self.stop.wait(min(SAMPLE_MAX_SECONDS, SAMPLE_SECONDS + SAMPLE_SLOWDOWN * elapsed))


def run_environment() -> dict[str, str]:
    """The environment of every timed run: this one, but with Python free to write bytecode caches (an
    installed package has them; without them each run would recompile every module it imports)."""
    return {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run_once(command: Sequence[str], cwd: Path | None = None, stdout_to: Path | None = None) -> Measurement:
    """Run ``command`` to completion (its stdout to ``stdout_to`` or discarded, stderr to a scratch file)."""
    out = open(stdout_to, "wb") if stdout_to is not None else subprocess.DEVNULL  # noqa: SIM115
    err = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), cwd=cwd, stdout=out, stderr=err, env=run_environment())
        sampler = _TreeSampler(process.pid)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        sampler.stop.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        lines = err.read().decode("utf-8", "replace").strip().splitlines()
    finally:
        err.close()
        if stdout_to is not None:
            out.close()  # type: ignore[union-attr]
    peak = max(usage.ru_maxrss * 1024, sampler.peak) / 1e6
    return Measurement(wall, usage.ru_utime + usage.ru_stime, peak, process.returncode, lines[-1] if lines else "")
