"""SARIF: valid against the vendored OASIS schema, and shaped the way GitHub code scanning reads it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from reporter_samples import HISTORY_COMMIT, OPTIONS, RULES, empty_result, sample_result

from cavra_safety.findings import (
    Category,
    Finding,
    Note,
    RuleInfo,
    ScanResult,
    Severity,
    Skipped,
    Suppressed,
    SuppressionKind,
)
from cavra_safety.reporters import RenderOptions, sarif
from cavra_safety.reporters.sarif import artifact_uri, render_sarif

SCHEMA_PATH = Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json"
# RFC 3986 relative-path reference: unreserved, sub-delims, ":" and "@", "/", percent-escapes; no scheme.
_URI_CHAR = r"[A-Za-z0-9\-._~!$&'()*+,;=@/]|%[0-9A-F]{2}"
URI_REFERENCE = re.compile(rf"(?:{_URI_CHAR})(?:{_URI_CHAR}|:)*")
RULE = RuleInfo("secret/test-rule", Category.CONNECTOR_CREDENTIAL, Severity.HIGH, "Test rule")


def _sarif(result: ScanResult, options: RenderOptions = OPTIONS) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(render_sarif(result, options))
    return document


def _finding(path: str = "a.py", *, rule: RuleInfo = RULE, line: int = 1, secret: str = "x" * 20) -> Finding:
    return Finding.create(rule, path=path, line=line, column=5, secret=secret, message="Test finding")


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)  # draft-04, per its "$schema"
    validator_class.check_schema(schema)
    return validator_class(schema)


@pytest.mark.parametrize(
    "result",
    [
        sample_result(),
        empty_result(),
        ScanResult(findings=(), rules=()),
        ScanResult(findings=(_finding("unlisted rule.py"),), rules=(), notes=(Note("x.py", 0, "n"),)),
    ],
    ids=["sample", "empty", "nothing-ran", "rule-not-listed"],
)
def test_output_validates_against_the_sarif_schema(
    validator: jsonschema.protocols.Validator, result: ScanResult
) -> None:
    errors = sorted(validator.iter_errors(_sarif(result)), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{list(error.absolute_path)}: {error.message}" for error in errors)


def test_the_schema_check_can_fail(validator: jsonschema.protocols.Validator) -> None:
    document = _sarif(sample_result())
    document["runs"][0]["results"][0]["level"] = "fatal"
    del document["runs"][0]["tool"]["driver"]["name"]
    assert len(list(validator.iter_errors(document))) == 2


def test_driver_lists_every_rule_that_ran_sorted_by_id() -> None:
    driver = _sarif(sample_result())["runs"][0]["tool"]["driver"]
    assert [rule["id"] for rule in driver["rules"]] == sorted(rule.rule_id for rule in RULES)
    assert driver["name"] == "cavra-safety"
    assert driver["version"] == driver["semanticVersion"] == "9.9.9"
    assert driver["informationUri"] == "https://pypi.org/project/cavra-safety/"


def test_rule_descriptor_carries_category_tags_and_security_severity() -> None:
    rules = {rule["id"]: rule for rule in _sarif(sample_result())["runs"][0]["tool"]["driver"]["rules"]}
    stripe = rules["secret/stripe-live-key"]
    assert stripe["name"] == "SecretStripeLiveKey"
    assert stripe["shortDescription"]["text"] == "Stripe live secret key"
    assert stripe["fullDescription"]["text"].startswith("A live Stripe secret key")
    assert "cavra: allow secret/stripe-live-key -- <reason>" in stripe["help"]["text"]
    assert stripe["defaultConfiguration"]["level"] == "error"
    assert stripe["properties"] == {
        "category": "billing-secret",
        "tags": ["billing-secret", "security"],
        "security-severity": "9.5",
    }
    # A placeholder in a description survives Markdown rendering.
    assert r"\<tenant-id\>" in rules["policy/tenant-id-value"]["help"]["markdown"]


@pytest.mark.parametrize(
    ("severity", "level", "score"),
    [
        (Severity.CRITICAL, "error", "9.5"),
        (Severity.HIGH, "error", "8.0"),
        (Severity.MEDIUM, "warning", "5.5"),
        (Severity.LOW, "note", "3.0"),
    ],
)
def test_severity_maps_to_level_and_security_severity(severity: Severity, level: str, score: str) -> None:
    rule = RuleInfo("policy/x", Category.TENANT_ID, severity, "X")
    run = _sarif(ScanResult(findings=(_finding(rule=rule),), rules=(rule,)))["runs"][0]
    assert run["results"][0]["level"] == level
    assert run["tool"]["driver"]["rules"][0]["defaultConfiguration"]["level"] == level
    assert run["tool"]["driver"]["rules"][0]["properties"]["security-severity"] == score
    # GitHub reads the score as a number: it must parse as one and fall into the matching band.
    assert 0.1 <= float(score) <= 10.0


def test_results_point_at_their_rule_and_location() -> None:
    run = _sarif(sample_result())["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert URI_REFERENCE.fullmatch(location["artifactLocation"]["uri"])
        assert set(result["partialFingerprints"]) == {"cavraFingerprint/v1"}
        assert re.fullmatch(r"[0-9a-f]{64}", result["partialFingerprints"]["cavraFingerprint/v1"])
    stripe = next(r for r in run["results"] if r["ruleId"] == "secret/stripe-live-key")
    assert stripe["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 12,
        "endLine": 12,
        "startColumn": 17,
        "endColumn": 49,
    }
    assert stripe["message"]["text"].endswith("Evidence: sk_l…(32 chars).")
    assert stripe["properties"] == {"category": "billing-secret", "severity": "critical"}


def test_history_finding_carries_its_commit() -> None:
    run = _sarif(sample_result())["runs"][0]
    aws = next(r for r in run["results"] if r["ruleId"] == "secret/aws-access-key")
    assert aws["properties"]["commit"] == HISTORY_COMMIT
    assert HISTORY_COMMIT in aws["message"]["text"]
    others = [r for r in run["results"] if r is not aws and "suppressions" not in r]
    assert others and all("commit" not in r["properties"] for r in others)


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("src/app.py", "src/app.py"),
        ("config/prod settings.py", "config/prod%20settings.py"),
        ("docs/über.md", "docs/%C3%BCber.md"),
        ("a/100%.txt", "a/100%25.txt"),
        ("a/#tag?.txt", "a/%23tag%3F.txt"),
        ("c:drive.txt", "c%3Adrive.txt"),  # would otherwise read as a URI scheme
        ("odd/\\xff.txt", "odd/%5Cxff.txt"),  # display_path's escape of an undecodable byte
        ("lone/\udcff.txt", "lone/%5Cxff.txt"),
    ],
)
def test_artifact_uri_is_a_percent_encoded_relative_reference(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri
    assert URI_REFERENCE.fullmatch(uri)


def test_notes_and_skipped_files_become_tool_notifications() -> None:
    invocation = _sarif(sample_result())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is True
    notifications = invocation["toolExecutionNotifications"]
    assert [n["level"] for n in notifications] == ["warning"] * 2 + ["note"] * 5
    allow_note = notifications[0]
    location = allow_note["locations"][0]["physicalLocation"]
    assert location["region"] == {"startLine": 30}
    assert location["artifactLocation"]["uri"] == "docs/%C3%BCber-setup.md"
    assert "region" not in notifications[1]["locations"][0]["physicalLocation"]  # a note about the whole file
    assert notifications[2]["message"]["text"] == "Not scanned: binary (.png)."


def test_no_timestamps_or_durations() -> None:
    text = render_sarif(sample_result(), OPTIONS)
    for key in ("startTimeUtc", "endTimeUtc", "timeUtc", "seconds"):
        assert key not in text


def test_a_finding_whose_rule_was_not_listed_still_gets_a_descriptor() -> None:
    run = _sarif(ScanResult(findings=(_finding(),), rules=()))["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["secret/test-rule"]
    assert run["results"][0]["ruleIndex"] == 0


@pytest.mark.parametrize(
    ("version", "semantic"),
    [("1.2.3", True), ("1.2.3-rc.1", True), ("0.2.0.dev4+g1a2b", False), ("1.2", False)],
)
def test_semantic_version_only_when_it_is_semver(version: str, semantic: bool) -> None:
    driver = _sarif(empty_result(), RenderOptions(tool_version=version))["runs"][0]["tool"]["driver"]
    assert driver["version"] == version
    assert ("semanticVersion" in driver) is semantic


def test_results_beyond_githubs_limit_are_cut_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS_PER_RUN", 2)
    findings = tuple(_finding(f"f{n}.py", secret=f"value-{n:04d}-padding") for n in range(5))
    result = ScanResult(findings=findings, rules=(RULE,), skipped=(Skipped("b.bin", "binary (.bin)"),))
    run = _sarif(result)["runs"][0]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]] == [
        "f0.py",
        "f1.py",
    ]
    first = run["invocations"][0]["toolExecutionNotifications"][0]
    assert first["level"] == "error"
    assert first["message"]["text"].startswith("3 more results left out")


def _suppressed(kind: SuppressionKind, justification: str, comment_line: int | None = None) -> Suppressed:
    return Suppressed(_finding("allowed.py", line=4, secret="y" * 20), kind, justification, comment_line)


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            _suppressed(SuppressionKind.INLINE, "fixture", 4),
            {
                "kind": "inSource",
                "status": "accepted",
                "justification": "fixture",
                "location": {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "allowed.py", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 4},
                    }
                },
            },
        ),
        (
            _suppressed(SuppressionKind.INLINE, "", 3),  # a pragma or an allow without a reason
            {
                "kind": "inSource",
                "status": "accepted",
                "location": {
                    "physicalLocation": {
                        "artifactLocation": {"uri": "allowed.py", "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 3},
                    }
                },
            },
        ),
        (
            _suppressed(SuppressionKind.BASELINE, "rotated in 2023"),
            {"kind": "external", "status": "accepted", "justification": "rotated in 2023"},
        ),
    ],
    ids=["inline", "inline-without-reason", "baseline"],
)
def test_suppressed_findings_are_results_with_suppressions(
    validator: jsonschema.protocols.Validator, item: Suppressed, expected: dict[str, Any]
) -> None:
    open_finding = _finding("open.py")
    document = _sarif(ScanResult(findings=(open_finding,), rules=(RULE,), suppressed=(item,)))
    assert not list(validator.iter_errors(document))
    first, second = document["runs"][0]["results"]
    assert "suppressions" not in first  # the open result comes first
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "open.py"
    assert second["suppressions"] == [expected]
    assert second["ruleId"] == RULE.rule_id and second["level"] == "error"
    assert second["partialFingerprints"] == {"cavraFingerprint/v1": item.finding.fingerprint}
    assert second["locations"][0]["physicalLocation"]["region"]["startLine"] == 4


def test_a_suppressed_finding_whose_rule_was_not_listed_still_gets_a_descriptor() -> None:
    item = _suppressed(SuppressionKind.BASELINE, "ok")
    run = _sarif(ScanResult(findings=(), rules=(), suppressed=(item,)))["runs"][0]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["secret/test-rule"]
    assert run["results"][0]["ruleIndex"] == 0


def test_without_suppressions_no_result_carries_the_key() -> None:
    assert "suppressions" not in render_sarif(ScanResult(findings=(_finding(),), rules=(RULE,)), OPTIONS)


def test_githubs_limit_keeps_open_results_before_suppressed_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS_PER_RUN", 2)
    # The suppressed finding sorts before the open ones by place: it must still be the one left out.
    item = Suppressed(_finding("a.py", secret="z" * 20), SuppressionKind.INLINE, "x", 1)
    findings = (_finding("b.py"), _finding("c.py"))
    run = _sarif(ScanResult(findings=findings, rules=(RULE,), suppressed=(item,)))["runs"][0]
    assert [("suppressions" in r) for r in run["results"]] == [False, False]
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].startswith("1 more result")
