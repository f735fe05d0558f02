"""The JSON report contract of docs/json-report.md: keys, types, order and summary counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from reporter_samples import HISTORY_COMMIT, OPTIONS, empty_result, sample_result

from cavra_safety.findings import Category, Finding, RuleInfo, ScanResult, Severity, Suppressed, SuppressionKind
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
    "author",
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
    assert list(document) == ["version", "tool", "findings", "suppressed", "skipped", "notes", "summary"]
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
    assert summary["suppressed"] == {"inline": 2, "baseline": 2}


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


def test_suppressed_findings_are_listed_with_kind_justification_and_comment_line() -> None:
    document = _load(sample_result())
    suppressed = document["suppressed"]
    for item in suppressed:
        assert list(item) == [*FINDING_KEYS, "kind", "justification", "comment_line"]
    assert [(s["path"], s["line"], s["kind"], s["justification"], s["comment_line"]) for s in suppressed] == [
        ("deploy/old.env", 1, "baseline", "deactivated at AWS on 2023-05-01", None),
        ("docs/license.md", 5, "inline", "", 4),
        ("docs/tenants.md", 3, "baseline", "demo tenant, deleted in 2023", None),
        ("tests/fixtures/billing.py", 8, "inline", "fixture for the parser tests", 8),
    ]
    # The counts agree with the list.
    assert document["summary"]["suppressed"] == {"inline": 2, "baseline": 2}
    assert suppressed[0]["commit"] == HISTORY_COMMIT and suppressed[0]["occurrences"] == 3


def test_a_scan_without_suppressions_has_an_empty_list() -> None:
    document = _load(empty_result())
    assert document["suppressed"] == []
    assert document["summary"]["suppressed"] == {"inline": 0, "baseline": 0}


def test_a_justification_cannot_act_on_a_terminal() -> None:
    rule = RuleInfo("policy/demo", Category.TENANT_ID, Severity.LOW, "Demo")
    finding = Finding.create(rule, path="a.py", line=1, column=1, secret="value-for-the-demo", message="m")
    item = Suppressed(finding, SuppressionKind.INLINE, "ok\x1b]0;pwned\x07", 1)
    output = render_json(ScanResult(findings=(), rules=(rule,), suppressed=(item,)), OPTIONS)
    assert "\x1b" not in json.loads(output)["suppressed"][0]["justification"]
