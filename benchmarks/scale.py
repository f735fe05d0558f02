"""How loading and updating a baseline, and ``policy check``, grow with their input: they must stay linear.

Run by hand (never from the tests, which assert no timings)::

    python benchmarks/scale.py              # baselines of 10k and 100k entries, packs of 1k and 10k rules
    python benchmarks/scale.py --entries 5000 --entries 10000 --rules 500 --rules 1000

Every input is generated under a temporary folder (removed afterwards): a baseline file as ``baseline create``
writes it, findings matching nine in ten of its entries plus a tenth of new ones (what ``baseline update``
compares), and policy packs of regex rules, each with its own keyword, pattern, example and negative example,
and one of four keywords shared by a quarter of the rules each (as real packs share ``key``, ``token``,
``secret``), which the examples hold. Each step
is timed in this process (best of ``--runs``); the table shows the seconds, the microseconds per entry or rule,
and how much that per-item cost grew from the smallest size to each larger one: about 1x is linear, 10x at ten
times the size is quadratic.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cavra_safety.baseline import Baseline, load_baseline, write_baseline
from cavra_safety.cli import main
from cavra_safety.findings import Category, Finding, Fingerprints, RuleInfo, Severity, fingerprint, slow_fingerprint

RULE = RuleInfo("policy/scale-token", Category.CONNECTOR_CREDENTIAL, Severity.HIGH, "Scale token")
SHARED_KEYWORDS = ("token", "secret", "apikey", "credential")


def _fingerprint(index: int) -> str:
    return hashlib.sha256(f"scale-{index}".encode()).hexdigest()


def _finding(index: int) -> Finding:
    return Finding(
        path=f"src/module_{index // 10}/file_{index}.py",
        line=index % 500 + 1,
        column=5,
        rule_id=RULE.rule_id,
        category=RULE.category,
        severity=RULE.severity,
        message="m",
        fingerprint=_fingerprint(index),
        redacted="abcd…(32 chars)",
        end_line=index % 500 + 1,
        end_column=37,
    )


def write_baseline_file(folder: Path, entries: int) -> Path:
    path = folder / f"baseline-{entries}.json"
    baseline = Baseline(folder).updated([_finding(i) for i in range(entries)], folder, "accepted for the benchmark")
    write_baseline(baseline, path)
    return path


def _rule(index: int) -> str:
    shared = SHARED_KEYWORDS[index % len(SHARED_KEYWORDS)]
    name = f"{shared}_scale{index}"  # the example holds the shared keyword, as real examples do
    body = "".join(chr(ord("a") + (index >> shift) % 26) for shift in (0, 3, 6, 9, 12, 15))
    return "\n".join(
        [
            "[[rules]]",
            f'id = "scale-rule-{index}"',
            'category = "connector-credential"',
            'severity = "high"',
            f'title = "Scale rule {index}"',
            'message = "A scale token was found."',
            f'keywords = ["scale{index}", "{shared}"]',
            f"patterns = ['{name}\\s*=\\s*\"(?P<secret>[A-Za-z0-9]{{12,}})\"']",
            f"examples = ['{name} = \"Q7x9{body}Lm2K\"']",
            f"negative-examples = ['{name} = \"short\"']",
            "",
        ]
    )


def write_pack(folder: Path, rules: int) -> Path:
    path = folder / f"pack-{rules}.toml"
    header = f'[pack]\nname = "scale-{rules}"\nversion = "1"\n\n'
    path.write_text(header + "\n".join(_rule(index) for index in range(rules)), encoding="utf-8")
    return path


def best_of(runs: int, step: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


def _policy_check(pack: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = main(["policy", "check", str(pack)])
    if code != 0:
        raise SystemExit(f"policy check failed on the generated pack:\n{out.getvalue()[:2000]}")


def _update(path: Path, findings: list[Finding]) -> None:
    current = load_baseline(path, required=True)
    assert current is not None
    current.stale(findings, path.parent)
    write_baseline(current.updated(findings, path.parent, "new"), path.with_suffix(".updated.json"))


def _table(title: str, unit: str, rows: list[tuple[int, float]]) -> None:
    print(f"\n{title}")
    print(f"  {unit:>10}  {'seconds':>9}  {'µs per item':>12}  {'per-item growth':>15}")
    first = rows[0][1] / rows[0][0]
    for size, seconds in rows:
        per_item = seconds / size
        print(f"  {size:>10,}  {seconds:>9.2f}  {per_item * 1e6:>12.1f}  {per_item / first:>14.2f}x")


def fingerprint_costs(published: int) -> None:
    """What a guess costs an attacker holding a published fingerprint of a guessable value (one slow
    derivation, the median of 50), and what publishing ``published`` such fingerprints costs a scan or a
    ``baseline create`` (the worst case: every finding guessable; random keys cost a plain hash)."""
    salt = "ab" * 16
    times = []
    for index in range(50):
        identity = fingerprint(RULE.rule_id, f"tenant-{index}")
        started = time.perf_counter()
        slow_fingerprint(identity, salt)
        times.append(time.perf_counter() - started)
    per_guess = sorted(times)[len(times) // 2]
    findings = [
        Finding.create(RULE, path=f"src/f{index}.py", line=1, column=1, secret=f"acme-prod-{index}", message="m")
        for index in range(published)
    ]
    started = time.perf_counter()
    publisher = Fingerprints(salt)
    for finding in findings:
        publisher.publish(finding)
    seconds = time.perf_counter() - started
    print("\nfingerprints of guessable values (scrypt, one core)")
    print(f"  one guess: {per_guess * 1000:.1f} ms; a million guesses: {per_guess * 1e6 / 3600:.1f} hours")
    print(f"  publishing {published:,} guessable findings: {seconds:.1f} s ({seconds / published * 1000:.1f} ms each)")


def run(entries: list[int], rules: list[int], runs: int) -> None:
    with tempfile.TemporaryDirectory(prefix="cavra-scale-") as temporary:
        folder = Path(temporary)
        loads: list[tuple[int, float]] = []
        updates: list[tuple[int, float]] = []
        checks: list[tuple[int, float]] = []
        for size in entries:
            path = write_baseline_file(folder, size)
            loads.append((size, best_of(runs, functools.partial(load_baseline, path, required=True))))
            findings = [_finding(i) for i in range(size // 10, size + size // 10)]  # 90% kept, 10% new
            updates.append((size, best_of(runs, functools.partial(_update, path, findings))))
        for size in rules:
            checks.append((size, best_of(runs, functools.partial(_policy_check, write_pack(folder, size)))))
    if loads:
        _table("baseline load (load_baseline: read, validate, line numbers)", "entries", loads)
        _table("baseline update (load, stale, updated, write)", "entries", updates)
    if checks:
        _table("policy check (load the pack, run every example)", "rules", checks)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--entries", type=int, action="append", help="Baseline size; repeatable (10000, 100000).")
    parser.add_argument("--rules", type=int, action="append", help="Pack size; repeatable (1000, 10000).")
    parser.add_argument("--runs", type=int, default=1, help="Time each step this many times, keep the best.")
    parser.add_argument(
        "--fingerprints",
        type=int,
        default=10_000,
        help="Guessable findings to publish (0: skip the fingerprint costs).",
    )
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse_args(sys.argv[1:])
    run(
        sorted(arguments.entries or [10_000, 100_000]),
        sorted(arguments.rules or [1_000, 10_000]),
        max(1, arguments.runs),
    )
    if arguments.fingerprints > 0:
        fingerprint_costs(arguments.fingerprints)
