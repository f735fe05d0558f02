"""Which multi-pattern engine the policy detector uses, by measurement (issue 15): every default rule's keywords
and patterns over one corpus, per engine, in this process.

    python benchmarks/engines.py [--corpus django] [--runs 3]

Rows:
- keyword presence (which of the ~800 lower-case keywords occur in each file): an RE2 set of literals over the
  lower-cased text (the keyword-gated path), Aho-Corasick (``pyahocorasick``, ``ahocorasick-rs``, when
  installed) over the same text, and Hyperscan literals (case-insensitive, single match) over the bytes;
- rule patterns: an RE2 set of every pattern (which rules can match, but not where), and the Hyperscan prefilter
  database of relaxed patterns (where: the lines), compiled, saved and loaded;
- the whole policy detector, keyword-gated against one pass, with the findings compared.

CPU seconds (``time.process_time``), best of --runs; the peers' engines are optional extras of this script only.
"""

from __future__ import annotations

import argparse
import importlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from corpora import build

from cavra_safety import multipattern
from cavra_safety.config import Config
from cavra_safety.detectors.policy import PolicyDetector
from cavra_safety.multipattern import LinePrefilter
from cavra_safety.policy import RegexRule, load_policy
from cavra_safety.regex import KeywordGate, pattern_set
from cavra_safety.sources import Source
from cavra_safety.sources.text import decode

MAX_FILE = 2 << 20


def _sources(folder: Path) -> list[Source]:
    sources = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.stat().st_size <= MAX_FILE:
            data = path.read_bytes()
            if b"\0" not in data[:8192]:
                sources.append(Source(path=path.relative_to(folder).as_posix(), text=decode(data)))
    return sources


def _best(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return min(times)


def _optional(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default="django")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    corpus = build(args.corpus)
    sources = _sources(corpus.path)
    lowers = [source.lower for source in sources]
    datas = [source.data for source in sources]
    policy = load_policy(Config(root=Path(__file__).resolve().parent.parent))
    keywords = sorted({keyword for rule in policy.rules for keyword in rule.keywords})
    patterns = [p.source for rule in policy.rules if isinstance(rule, RegexRule) for p in rule.patterns]
    size = sum(map(len, datas)) / 1e6
    print(
        f"{corpus.name}: {len(sources):,} text files, {size:.1f} MB; {len(keywords)} keywords, {len(patterns)} patterns"
    )
    print("\n| what | engine | build s | scan s |\n|---|---|---:|---:|")

    def row(what: str, engine: str, build_s: float, scan_s: float) -> None:
        print(f"| {what} | {engine} | {build_s:.2f} | {scan_s:.3f} |")

    started = time.process_time()
    gate = KeywordGate(keywords)
    row(
        "keyword presence",
        "RE2 set of literals (lower-cased text)",
        time.process_time() - started,
        _best(args.runs, lambda: [gate.present(lower) for lower in lowers]),
    )
    pyahocorasick = _optional("ahocorasick")
    if pyahocorasick is not None:
        started = time.process_time()
        automaton = pyahocorasick.Automaton()
        for index, keyword in enumerate(keywords):
            automaton.add_word(keyword, index)
        automaton.make_automaton()
        row(
            "keyword presence",
            "pyahocorasick (lower-cased text)",
            time.process_time() - started,
            _best(args.runs, lambda: [{i for _, i in automaton.iter(lower)} for lower in lowers]),
        )
    ahocorasick_rs = _optional("ahocorasick_rs")
    if ahocorasick_rs is not None:
        started = time.process_time()
        searcher = ahocorasick_rs.AhoCorasick(keywords, matchkind=ahocorasick_rs.MatchKind.Standard)
        row(
            "keyword presence",
            "ahocorasick-rs, overlapping (lower-cased text)",
            time.process_time() - started,
            _best(
                args.runs, lambda: [set(searcher.find_matches_as_indexes(lower, overlapping=True)) for lower in lowers]
            ),
        )
    if multipattern.AVAILABLE:
        started = time.process_time()
        literals = LinePrefilter.build([], list(enumerate(keywords)))
        assert literals is not None
        row(
            "keyword presence",
            "Hyperscan literals, caseless, single match (bytes)",
            time.process_time() - started,
            _best(args.runs, lambda: [literals.lines(data) for data in datas]),
        )
    for budget in (8 << 20, 256 << 20):
        started = time.process_time()
        try:
            everything = pattern_set(patterns, max_mem=budget)
        except Exception as error:  # RE2 refuses the set within this memory budget
            print(f"| rule patterns | RE2 set, {budget >> 20} MiB budget: refused ({error}) | - | - |")
            continue
        build_s = time.process_time() - started
        scan_s = _best(args.runs, lambda everything=everything: [everything.Match(data) for data in datas])
        row("rule patterns", f"RE2 set, {budget >> 20} MiB budget (which can match, not where)", build_s, scan_s)
        break
    if multipattern.AVAILABLE:
        started = time.process_time()
        database = LinePrefilter.build(list(enumerate(patterns)))
        assert database is not None
        compiled = time.process_time() - started
        blob = database.dump()
        started = time.process_time()
        LinePrefilter.load(blob)
        loaded = time.process_time() - started
        row(
            "rule patterns",
            f"Hyperscan prefilter, lines ({len(blob) / 1e6:.1f} MB saved, loads in {loaded:.3f} s)",
            compiled,
            _best(args.runs, lambda: [database.lines(data) for data in datas]),
        )
    found = {}
    for one_pass in (False, True):
        detector = PolicyDetector(policy.rules, policy.denylists, one_pass=one_pass)
        started = time.process_time()
        detector.prepare()
        build_s = time.process_time() - started

        def detect_all(detector: PolicyDetector = detector, one_pass: bool = one_pass) -> None:
            found[one_pass] = sorted(
                (f.path, f.line, f.rule_id) for s in sources for f in detector.detect(Source(path=s.path, text=s.text))
            )

        row("policy detector", "one pass" if one_pass else "keyword-gated", build_s, _best(args.runs, detect_all))
    print(f"\nsame findings from both paths: {found[False] == found[True]} ({len(found[True])} findings)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
