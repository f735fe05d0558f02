"""The JSON report contract of docs/json-report.md: keys, types, order and summary counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from reporter_samples import HISTORY_COMMIT, OPTIONS, empty_result, sample_result

from cavra_safety.findings import Category, Finding, RuleInfo, ScanResult, Severity
from cavra_safety.reporters.json_report import render_json

FINDING_KEYS = [
    "rule_id",
    "category",
    "severity",
    "path",
    "line",
    "end_line",
    "column",
    "end_column",
    "commit",
    "author_date",
    "in_head",
    "occurrences",
    "message",
    "fingerprint",
    "redacted",
]


def _load(result: ScanResult) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render_json(result, OPTIONS))
    return document


def test_top_level_keys_in_order() -> None:
    document = _load(sample_result())
    assert list(document) == ["version", "tool", "findings", "skipped", "notes", "summary"]
    assert document["version"] == 1
    assert document["tool"] == {"name": "cavra-safety", "version": "9.9.9"}


def test_finding_keys_and_types() -> None:
    findings = _load(sample_result())["findings"]
    assert len(findings) == 6
    for finding in findings:
        assert list(finding) == FINDING_KEYS
        assert all(isinstance(finding[key], int) for key in ("line", "end_line", "column", "end_column"))
        assert finding["commit"] is None or finding["commit"] == HISTORY_COMMIT
        assert finding["category"] in {category.value for category in Category}
        assert finding["severity"] in {"critical", "high", "medium", "low"}
    assert [f["path"] for f in findings] == sorted(f["path"] for f in findings)


def test_summary_counts() -> None:
    summary = _load(sample_result())["summary"]
    assert list(summary) == [
        "files_scanned",
        "files_skipped",
        "findings",
        "by_category",
        "by_severity",
        "suppressed",
    ]
    assert summary["files_scanned"] == 14
    assert summary["files_skipped"] == 5
    assert summary["findings"] == 6
    assert list(summary["by_category"]) == [category.value for category in Category]
    assert summary["by_category"]["connector-credential"] == 1
    assert summary["by_category"]["enterprise-implementation"] == 0
    assert summary["by_severity"] == {"critical": 1, "high": 3, "medium": 1, "low": 1}
    assert summary["suppressed"] == {"inline": 1, "baseline": 2}


def test_empty_result_still_lists_every_category() -> None:
    document = _load(empty_result())
    assert document["findings"] == [] and document["skipped"] == [] and document["notes"] == []
    assert set(document["summary"]["by_category"].values()) == {0}
    assert len(document["summary"]["by_category"]) == len(Category)


def test_notes_and_skipped_are_sorted_records() -> None:
    document = _load(sample_result())
    assert document["notes"][0] == {
        "path": "docs/über-setup.md",
        "line": 30,
        "message": "allow comment without a rule id; write `cavra: allow <rule-id> -- <reason>`",
    }
    assert document["skipped"][0] == {"path": "assets/banner.png", "reason": "binary (.png)"}


def test_no_duration_in_the_output() -> None:
    assert "seconds" not in render_json(sample_result(), OPTIONS)


@pytest.mark.parametrize(
    ("path", "serialised"),
    [
        ("docs/über.md", '"path": "docs/über.md"'),  # readable, not \u00fc
        ("odd/\\xff.txt", '"path": "odd/\\\\xff.txt"'),  # display_path's escape survives as text
        ("lone/\udcff.txt", '"path": "lone/\\\\xff.txt"'),  # a lone surrogate would not encode as UTF-8
        ("tab\there.txt", '"path": "tab\\\\x09here.txt"'),
    ],
)
def test_odd_paths_serialise_as_utf8(path: str, serialised: str) -> None:
    rule = RuleInfo("policy/demo", Category.TENANT_ID, Severity.LOW, "Demo")
    finding = Finding.create(rule, path=path, line=1, column=1, secret="value-for-the-demo", message="m")
    output = render_json(ScanResult(findings=(finding,), rules=(rule,)), OPTIONS)
    output.encode("utf-8")
    assert serialised in output
