"""GitHub workflow commands: one annotation per finding, escaped so that no value can break out."""

from __future__ import annotations

from dataclasses import replace

import pytest
from reporter_samples import HISTORY_COMMIT, OPTIONS, empty_result, sample_result

from cavra_safety.findings import Category, Finding, Note, RuleInfo, ScanResult, Severity
from cavra_safety.reporters.github import escape_data, escape_property, render_github


def _render(*findings: Finding, notes: tuple[Note, ...] = ()) -> str:
    return render_github(ScanResult(findings=findings, rules=(), notes=notes), OPTIONS)


def _finding(path: str = "a.py", message: str = "Found it.", severity: Severity = Severity.HIGH) -> Finding:
    rule = RuleInfo("policy/demo", Category.TENANT_ID, severity, "Demo")
    return Finding.create(rule, path=path, line=7, column=3, secret="value-for-the-demo", message=message)


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain text", "plain text", "plain text"),
        ("100%", "100%25", "100%25"),
        ("%0A stays literal", "%250A stays literal", "%250A stays literal"),
        ("two\nlines", "two%0Alines", "two%0Alines"),
        ("crlf\r\nend", "crlf%0D%0Aend", "crlf%0D%0Aend"),
        ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
        ("::error::x", "::error::x", "%3A%3Aerror%3A%3Ax"),
    ],
)
def test_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


@pytest.mark.parametrize(
    ("severity", "command"),
    [
        (Severity.CRITICAL, "error"),
        (Severity.HIGH, "error"),
        (Severity.MEDIUM, "warning"),
        (Severity.LOW, "notice"),
    ],
)
def test_command_per_severity(severity: Severity, command: str) -> None:
    assert _render(_finding(severity=severity)) == (
        f"::{command} file=a.py,line=7,endLine=7,col=3,title=policy/demo::"
        "[tenant-id] Found it. Evidence: valu…(18 chars).\n"
    )


def test_hostile_path_and_message_cannot_inject_a_command() -> None:
    output = _render(_finding(path="x,line=1:y.py", message="bad\n::add-mask::oops\r100%"))
    assert output.count("\n") == 1
    assert output.startswith("::error file=x%2Cline=1%3Ay.py,line=7,")
    assert "::[tenant-id] bad%0A::add-mask::oops%0D100%25. Evidence" in output


def test_control_characters_are_made_visible() -> None:
    output = _render(_finding(path="evil\x1b[31m.py", message="bell\x07"))
    assert "\x1b" not in output and "\x07" not in output
    assert "file=evil\\x1b[31m.py" in output
    assert "bell\\x07" in output


def test_history_finding_names_its_commit() -> None:
    lines = render_github(sample_result(), OPTIONS).splitlines()
    line = next(line for line in lines if "aws-access-key" in line)
    assert (
        f"in commit {HISTORY_COMMIT} (authored 2023-04-05T06:07:08+02:00, added in 3 commits, "
        "no longer in HEAD)." in line
    )


def test_notes_become_notices_and_a_clean_scan_prints_nothing() -> None:
    assert _render(notes=(Note("b.py", 4, "odd"), Note("c.py", 0, "whole file"))) == (
        "::notice file=b.py,line=4,title=cavra-safety note::odd\n"
        "::notice file=c.py,title=cavra-safety note::whole file\n"
    )
    assert render_github(empty_result(), OPTIONS) == ""


def test_one_line_per_finding_then_notes() -> None:
    result = sample_result()
    lines = render_github(result, OPTIONS).splitlines()
    assert len(lines) == len(result.findings) + len(result.notes)
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)


def test_suppressed_findings_are_not_annotated() -> None:
    """Waved through on purpose (an allow, the baseline): the SARIF report and the audit list them instead."""
    result = sample_result()
    assert result.suppressed
    unsuppressed = render_github(replace(result, suppressed=()), OPTIONS)
    assert render_github(result, OPTIONS) == unsuppressed
    for item in result.suppressed:
        assert f"file={item.finding.path},line={item.finding.line}," not in unsuppressed
