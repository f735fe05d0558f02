"""Every check's VALID and INVALID examples, run through the real detector (Fixit style)."""

from __future__ import annotations

import pytest
from python_fixtures import MARK, detect, expected_position

from cavra_safety.detectors.python.checks import CHECKS, Invalid, Valid


def _cases(kind: str) -> list[object]:
    cases = []
    for check in CHECKS:
        examples: tuple[Valid | Invalid, ...] = check.VALID if kind == "valid" else check.INVALID
        assert examples, f"{check.__name__} has no {kind} examples"
        cases.extend(
            pytest.param(check, example, id=f"{check.__name__}-{index}") for index, example in enumerate(examples)
        )
    return cases


@pytest.mark.parametrize(("check", "example"), _cases("valid"))
def test_valid_examples_produce_no_finding(check: type, example: Valid) -> None:
    findings, notes = detect(example.code, example.path, checks=(check,))
    assert findings == []
    assert notes == []


@pytest.mark.parametrize(("check", "example"), _cases("invalid"))
def test_invalid_examples_produce_one_finding_at_the_mark(check: type, example: Invalid) -> None:
    code, line, column = expected_position(example.code)
    assert MARK not in code
    findings, notes = detect(code, example.path, checks=(check,))
    assert notes == []
    assert [(f.category, f.line, f.column) for f in findings] == [(example.category, line, column)]
    assert findings[0].rule_id.startswith("python/")
    # The same example is found when every check runs (no other check hides or duplicates it).
    everything, _ = detect(code, example.path)
    assert (example.category, line, column) in {(f.category, f.line, f.column) for f in everything}
