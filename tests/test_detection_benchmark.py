"""The detection benchmark's scoring (benchmarks/detection.py): findings mapped to labelled lines, on tiny
hand-made cases; and the corpus builder's labels pointing at the example in every context. No timings."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cavra_safety.findings import Category

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from detection import Hit, only_found_by_theirs, score, tally, total  # noqa: E402
from detection_corpus import Case, Label, placements, write_corpus  # noqa: E402
from detection_gaps import gap_cases  # noqa: E402

TENANT = "acme" + "-prod-7731"  # built at run time: the repository passes its own scan


def label(path: str, start: int, category: str | None, end: int | None = None) -> Label:
    return Label(path, start, end or start, "fam", category, category or "tenant-id", "native", "policy")


def test_a_positive_is_found_only_by_a_finding_of_its_category_on_its_lines() -> None:
    labels = [
        label("a.env", 3, "tenant-id"),
        label("b.py", 2, "billing-secret"),
        label("c.yaml", 2, "tenant-record", end=5),
        label("d.md", 4, "provider-url"),
    ]
    hits = [
        Hit("a.env", 3, 3, "tenant-id", "policy/x"),
        Hit("b.py", 2, 2, "connector-credential", "secret/y"),  # on the line, wrong category
        Hit("./c.yaml", 4, 4, "tenant-record", "policy/z"),  # inside the span, scan-relative path
        Hit("d.md", 5, 5, "provider-url", "policy/w"),  # the next line: not this label
    ]
    outcomes = score(labels, hits)
    assert [(o.found, o.other) for o in outcomes] == [(True, False), (False, True), (True, False), (False, False)]
    assert [o.found for o in score(labels, hits, category_blind=True)] == [True, True, True, False]


def test_a_negative_is_a_false_positive_when_any_finding_lands_on_it() -> None:
    labels = [label("n.py", 1, None), label("n.py", 3, None)]
    outcomes = score(labels, [Hit("n.py", 2, 3, "tenant-id", "policy/x")])
    assert [o.false_positive for o in outcomes] == [False, True]


def test_rates() -> None:
    labels = [label("p", 1, "tenant-id"), label("p", 2, "tenant-id"), label("p", 3, "tenant-id"), label("n", 1, None)]
    hits = [Hit("p", 1, 1, "tenant-id", "r"), Hit("p", 2, 2, "tenant-record", "r"), Hit("n", 1, 1, "tenant-id", "r")]
    t = total(score(labels, hits))
    assert (t.positives, t.found, t.other, t.negatives, t.false_positives) == (3, 1, 1, 1, 1)
    assert (t.recall, t.category_correct, t.precision) == (pytest.approx(1 / 3), 0.5, 0.5)
    assert t.f1 == pytest.approx(0.4)
    assert set(tally(score(labels, hits), lambda la: la.path)) == {"p", "n"}


@pytest.mark.parametrize(
    "case",
    [
        Case("f", "tenant-id", f'tenant_id = "{TENANT}"', "cavra/jobs.py", "policy", contexts=("in-notebook",)),
        Case("f", None, "  nested: value", "deploy/values.yaml", "policy", contexts=("in-notebook", "in-ci-yaml")),
        Case("f", "tenant-id", "x = 1", "app/settings.py", "secret", value="v4lue", name="db.password"),
        Case("f", "saas-backend-source", "a\nb\nc\n", "m.py", "python", hit=(1, 1)),
    ],
)
def test_every_label_points_at_the_example_line(tmp_path: Path, case: Case) -> None:
    labels = write_corpus([case], tmp_path)
    assert len(labels) == len(list(placements(case)))
    for written in labels:
        lines = (tmp_path / written.path).read_text(encoding="utf-8").splitlines()
        text = "\n".join(lines[written.start - 1 : written.end])
        expected = case.value if written.context.startswith("as-") else case.text.split("\n")[(case.hit or (0, 0))[0]]
        assert expected is not None
        assert expected.strip() in text or json.dumps(expected.strip())[1:-1] in text, written  # notebooks: JSON


def test_the_comparison_lists_what_only_the_other_tool_finds() -> None:
    labels = [label("p", 1, "tenant-id"), label("p", 2, "tenant-id")]
    ours = score(labels, [Hit("p", 1, 1, "tenant-id", "r")], category_blind=True)
    theirs = score(labels, [Hit("p", 2, 2, None, "Keyword")], category_blind=True)
    assert only_found_by_theirs(ours, theirs) == {"fam": 1}


def test_every_gap_case_names_a_category_of_the_policy_and_one_line() -> None:
    categories = {category.value for category in Category}
    for case in gap_cases():
        assert case.category is None or case.category in categories, case.family
        assert case.group in categories and case.hit is not None and case.hit[0] == case.hit[1], case.family
