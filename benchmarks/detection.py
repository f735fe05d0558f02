"""Detection quality of cavra-safety on labelled corpora it builds itself, and its findings on real code.

    python benchmarks/detection.py [--compare detect-secrets] [--no-real-code] [--failures]

Builds under benchmarks/.corpora/detection/ (git-ignored) two labelled corpora (see detection_corpus.py):
``labelled``, every policy rule's examples and negative examples, the secret/* rules' test cases and the Python
checks' examples, each in several file types and contexts; and ``gaps``, hand-written cases of the known gaps of
issue 13 (detection_gaps.py), most of them missed today. Each corpus is scanned by one
``scan --format json`` run; a positive is **found** when a finding of its expected category lands on its
line(s), **other category** when only findings of other categories do; a negative is a **false positive** when
any finding lands on it. Printed per category, per family, per file type and per context: recall (found /
positives), category-correct (found / positives with any finding), precision (found / (found + false
positives)) and F1. Then the findings on real code (the Django and standard-library corpora of bench.py; all
counted as false alarms by assumption, listed by severity and rule). ``--compare detect-secrets`` also runs
``detect-secrets scan --all-files`` on the corpora and prints its category-blind recall and precision beside ours.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from detection_corpus import HERE, Case, Label, policy_cases, python_check_cases, secret_cases, write_corpus
from detection_gaps import gap_cases

ROOT = HERE / ".corpora" / "detection"


@dataclass(frozen=True)
class Hit:
    """A finding reduced to what scoring needs; ``category`` is None for a tool that has none."""

    path: str
    line: int
    end_line: int
    category: str | None
    rule_id: str


@dataclass(frozen=True)
class Outcome:
    label: Label
    found: bool  # positive: a finding of the expected category on it
    other: bool  # positive: findings on it, none of the expected category
    false_positive: bool  # negative: any finding on it
    rules: tuple[str, ...] = ()  # the rules of the findings on it


def hits_from_cavra(report: dict[str, object]) -> list[Hit]:
    findings = report.get("findings", [])
    assert isinstance(findings, list)
    return [
        Hit(f["path"], f["line"], f.get("end_line") or f["line"], f["category"], f["rule_id"])
        for f in findings
        if isinstance(f, dict)
    ]


def hits_from_detect_secrets(report: dict[str, object]) -> list[Hit]:
    results = report.get("results", {})
    assert isinstance(results, dict)
    return [Hit(path, r["line_number"], r["line_number"], None, r["type"]) for path, rs in results.items() for r in rs]


def score(labels: Iterable[Label], hits: Iterable[Hit], category_blind: bool = False) -> list[Outcome]:
    """Each label's outcome: the hits whose lines overlap the label's lines in the same file decide.
    ``category_blind``: any hit finds a positive (for tools without categories)."""
    by_path: dict[str, list[Hit]] = defaultdict(list)
    for hit in hits:
        by_path[hit.path.removeprefix("./")].append(hit)
    outcomes = []
    for label in labels:
        on = [h for h in by_path.get(label.path, []) if h.line <= label.end and h.end_line >= label.start]
        rules = tuple(sorted({f"{h.rule_id} [{h.category}]" if h.category else h.rule_id for h in on}))
        if label.positive:
            found = bool(on) and (category_blind or any(h.category == label.category for h in on))
            outcomes.append(Outcome(label, found, bool(on) and not found, False, rules))
        else:
            outcomes.append(Outcome(label, False, False, bool(on), rules))
    return outcomes


@dataclass
class Tally:
    positives: int = 0
    found: int = 0
    other: int = 0
    negatives: int = 0
    false_positives: int = 0

    def add(self, outcome: Outcome) -> None:
        if outcome.label.positive:
            self.positives += 1
            self.found += outcome.found
            self.other += outcome.other
        else:
            self.negatives += 1
            self.false_positives += outcome.false_positive

    @property
    def recall(self) -> float | None:
        return self.found / self.positives if self.positives else None

    @property
    def category_correct(self) -> float | None:
        seen = self.found + self.other
        return self.found / seen if seen else None

    @property
    def precision(self) -> float | None:
        flagged = self.found + self.false_positives
        return self.found / flagged if flagged and self.positives else None  # a row of negatives alone: no precision

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p is not None and r is not None and p + r else None


def tally(outcomes: Iterable[Outcome], key: Callable[[Label], str]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for outcome in outcomes:
        tallies[key(outcome.label)].add(outcome)
    return dict(sorted(tallies.items()))


def total(outcomes: Iterable[Outcome]) -> Tally:
    return tally(outcomes, lambda _label: "all").get("all", Tally())


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def print_tallies(title: str, tallies: dict[str, Tally], sort_worst: bool = False) -> None:
    print(f"\n{title}\n")
    print(
        "| | positives | found | other category | recall | category-correct | negatives | false pos. | precision | F1 |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    rows = list(tallies.items())
    if sort_worst:
        rows.sort(key=lambda item: (item[1].recall if item[1].recall is not None else 2.0, -item[1].false_positives))
    for name, t in rows:
        print(
            f"| {name} | {t.positives} | {t.found} | {t.other} | {_f(t.recall)} | {_f(t.category_correct)} | "
            f"{t.negatives} | {t.false_positives} | {_f(t.precision)} | {_f(t.f1)} |"
        )


def print_overall(name: str, outcomes: list[Outcome], blind: bool = False) -> None:
    t = total(outcomes)
    correct = "" if blind else f", category-correct {_f(t.category_correct)}"
    other = "" if blind else f", {t.other} under another category"
    print(
        f"{name}: recall {_f(t.recall)}{correct}, precision {_f(t.precision)}, F1 {_f(t.f1)} "
        f"({t.found}/{t.positives} positives found{other}, {t.false_positives}/{t.negatives} negatives flagged)"
    )


def only_found_by_theirs(ours: list[Outcome], theirs: list[Outcome]) -> Counter[str]:
    """Families of the positives the other tool finds and we do not (the same labels, in the same order)."""
    return Counter(o.label.family for o, t in zip(ours, theirs, strict=True) if t.found and not o.found)


def scan_cavra(target: Path, isolated: bool = False) -> dict[str, object]:
    """One JSON scan of ``target``. ``isolated``: the default configuration and no baseline, whatever the
    repository around the corpus configures (an empty ``[tool.cavra-safety]`` beside the corpora)."""
    command = [sys.executable, "-P", "-m", "cavra_safety", "scan", ".", "--format", "json", "-q"]
    if isolated:
        config = ROOT / "pyproject.toml"
        config.write_text("[tool.cavra-safety]\n", encoding="utf-8")
        command += ["--config", str(config), "--no-baseline"]
    done = subprocess.run(command, cwd=target, capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"cavra-safety scan of {target} exited with {done.returncode}: {done.stderr.strip()}")
    report = json.loads(done.stdout)
    assert isinstance(report, dict)
    return report


def scan_detect_secrets(target: Path) -> dict[str, object]:
    command = [sys.executable, "-m", "detect_secrets", "scan", "--all-files"]
    done = subprocess.run(command, cwd=target, capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    assert isinstance(report, dict)
    return report


def build(name: str, cases: list[Case]) -> tuple[Path, list[Label]]:
    target = ROOT / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    return target, write_corpus(cases, target)


def print_failures(outcomes: Iterable[Outcome]) -> None:
    """Every missed positive and flagged negative, with its file (under the corpus folder) and line."""
    print("\nMisses and false positives\n")
    for o in outcomes:
        kind = "false positive" if o.false_positive else "other category" if o.other else "missed"
        if o.false_positive or (o.label.positive and not o.found):
            found_by = f": {', '.join(o.rules)}" if o.rules else ""
            print(f"- {kind}: {o.label.family} ({o.label.context}) {o.label.path}:{o.label.start}{found_by}")


def report_corpus(name: str, target: Path, labels: list[Label], compare: bool, failures: bool = False) -> list[Outcome]:
    report = scan_cavra(target, isolated=True)
    outcomes = score(labels, hits_from_cavra(report))
    skipped = report.get("skipped") or []
    print(f"\n## Corpus `{name}`: {len({label.path for label in labels})} files, {len(labels)} labelled cases")
    if skipped:
        print(f"({len(skipped)} files skipped by the scan: {sorted({str(s.get('reason')) for s in skipped})})")
    print_overall("cavra-safety", outcomes)
    native = [o for o in outcomes if o.label.context == "native"]
    if len(native) != len(outcomes):
        print_overall("cavra-safety, native context only", native)
    if compare:
        theirs = score(labels, hits_from_detect_secrets(scan_detect_secrets(target)), category_blind=True)
        ours = score(labels, hits_from_cavra(report), category_blind=True)
        print_overall("cavra-safety, any category", ours, blind=True)
        print_overall("detect-secrets", theirs, blind=True)
        missed = only_found_by_theirs(ours, theirs)
        print(
            f"found by detect-secrets, not by cavra-safety: {sum(missed.values())} positives"
            + "".join(f"; {family} {count}" for family, count in missed.most_common())
        )
    print_tallies(
        "Per category (expected; negatives under their rule's category)", tally(outcomes, lambda la: la.group)
    )
    print_tallies("Per file type", tally(outcomes, lambda la: la.file_type))
    print_tallies("Per context", tally(outcomes, lambda la: la.context))
    print_tallies("Per origin", tally(outcomes, lambda la: la.origin))
    print_tallies("Per family (worst first)", tally(outcomes, lambda la: la.family), sort_worst=True)
    if failures:
        print_failures(outcomes)
    return outcomes


def real_code(names: Iterable[str]) -> None:
    print("\n## Real code (no live secrets: every finding a false alarm by assumption, test keys aside)")
    for name in names:
        target = HERE / ".corpora" / name
        if not target.is_dir():
            print(f"\n{name}: not built (python benchmarks/bench.py --corpus {name} builds it); left out")
            continue
        report = scan_cavra(target)
        findings = [f for f in report.get("findings", []) if isinstance(f, dict)]  # type: ignore[union-attr]
        severities = Counter(str(f.get("severity")) for f in findings)
        by_rule = Counter((str(f.get("rule_id")), str(f.get("category"))) for f in findings)
        print(
            f"\n{name}: {len(findings)} findings; by severity: "
            + ", ".join(f"{k} {v}" for k, v in severities.most_common())
        )
        for (rule, category), count in by_rule.most_common():
            print(f"- {count} {rule} ({category})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--compare", choices=["detect-secrets"], help="also score this tool on the same corpora")
    parser.add_argument("--no-real-code", action="store_true", help="skip the Django / stdlib scans")
    parser.add_argument("--failures", action="store_true", help="list every miss and false positive (path:line)")
    args = parser.parse_args()
    secrets, note = secret_cases()
    if note:
        print(note)
    corpora = {
        "labelled": policy_cases() + secrets + python_check_cases(),
        "gaps": gap_cases(),
    }
    for name, cases in corpora.items():
        target, labels = build(name, cases)
        report_corpus(name, target, labels, args.compare == "detect-secrets", args.failures)
    if not args.no_real_code:
        real_code(["django", "stdlib"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
