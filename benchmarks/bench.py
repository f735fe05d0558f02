"""Speed and memory of cavra-safety, measured on reproducible corpora (never by timed assertions in tests).

    python benchmarks/bench.py [--runs N] [--corpus NAME ...]

Builds its corpora under benchmarks/.corpora/ (git-ignored) on first use:
  django    the Django 5.2.19 source distribution, downloaded from PyPI with pip
  stdlib    a copy of the running Python's standard library
  one-file  a single small Python file (the pre-commit hook's case)
Each corpus is scanned --runs times in a fresh process (`python -m cavra_safety scan CORPUS --format json -q`);
the table shows medians of wall and CPU seconds, the peak resident memory of the scanning processes, and
throughput. Peers are compared in a later issue.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPORA = HERE / ".corpora"
DJANGO = "django==5.2.19"


def build_django() -> Path:
    target = CORPORA / "django"
    if not target.exists():
        with tempfile.TemporaryDirectory() as download:
            subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                            DJANGO, "-d", download], check=True)
            (archive,) = Path(download).glob("*.tar.gz")
            with tarfile.open(archive) as tar:
                tar.extractall(CORPORA / "django-unpacked", filter="data")
        (unpacked,) = (CORPORA / "django-unpacked").iterdir()
        unpacked.rename(target)
        shutil.rmtree(CORPORA / "django-unpacked")
    return target


def build_stdlib() -> Path:
    target = CORPORA / "stdlib"
    if not target.exists():
        shutil.copytree(sysconfig.get_paths()["stdlib"], target, symlinks=True,
                        ignore=shutil.ignore_patterns("site-packages", "__pycache__"))
    return target


def build_one_file() -> Path:
    target = CORPORA / "one-file" / "settings.py"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("import os\n\nDATABASE_URL = os.environ['DATABASE_URL']\nDEBUG = False\n" * 20)
    return target


BUILDERS: dict[str, Callable[[], Path]] = {"django": build_django, "stdlib": build_stdlib, "one-file": build_one_file}


def corpus_size(path: Path) -> tuple[int, int]:
    if path.is_file():
        return 1, path.stat().st_size
    files = [p for p in path.rglob("*") if p.is_file() and not p.is_symlink()]
    return len(files), sum(p.stat().st_size for p in files)


def run_once(path: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + sys, children included) and peak RSS in MB of one scan process."""
    command = [sys.executable, "-m", "cavra_safety", "scan", str(path), "--format", "json", "-q", "-o", os.devnull]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"scan of {path} failed with exit code {code}")
    # wait4's usage covers the scan process and the pool workers it waited for (ru_maxrss: the largest of them).
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--corpus", action="append", choices=sorted(BUILDERS), help="default: all")
    args = parser.parse_args()
    CORPORA.mkdir(exist_ok=True)
    names = args.corpus or list(BUILDERS)
    paths = {name: BUILDERS[name]() for name in names}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'corpus':10} {'files':>7} {'MB':>7} {'wall s':>8} {'cpu s':>8} {'peak MB':>8} {'files/s':>9} {'MB/s':>7}")
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in names}
    for _ in range(args.runs):
        for name in names:  # alternate corpora run by run, so that drift hits all of them alike
            results[name].append(run_once(paths[name]))
    for name in names:
        files, size = corpus_size(paths[name])
        wall = statistics.median(r[0] for r in results[name])
        cpu = statistics.median(r[1] for r in results[name])
        peak = max(r[2] for r in results[name])
        megabytes = size / 1e6
        print(f"{name:10} {files:7d} {megabytes:7.1f} {wall:8.2f} {cpu:8.2f} {peak:8.0f} {files / wall:9.0f} "
              f"{megabytes / wall:7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
