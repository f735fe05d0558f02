"""Terminal polish: long messages wrap under their first word on a terminal only; the progress bar says what it
counts and labels its estimate; a history's summary counts commits."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from cavra_safety.commands.output import Progress, report_width, time_left
from cavra_safety.commands.scan import summary_line
from cavra_safety.findings import Category, Finding, Note, RuleInfo, ScanResult, Severity
from cavra_safety.reporters import RenderOptions
from cavra_safety.reporters.text import render_text, wrapped

RULE = RuleInfo("policy/demo", Category.TENANT_ID, Severity.HIGH, "Demo")
LONG = (
    "A demo value was found in a file that will be published. Remove it, rotate it where it was issued, "
    "then read it from https://vault.example.invalid/v1/very/long/path/that/must/not/be/cut at start-up."
)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("elapsed", "done", "total", "shown"),
    [
        (0.0, 0, 10, "ETA -:--"),
        (5.0, 0, 10, "ETA -:--"),
        (4.0, 1, 4, "ETA 0:12"),
        (30.0, 10, 30, "ETA 1:00"),
        (1.0, 1, 3725, "ETA 1:02:04"),
        (9.0, 10, 10, "ETA 0:00"),
        (9.0, 12, 10, "ETA 0:00"),  # a total that grew past its estimate
    ],
)
def test_the_estimate_is_labelled(elapsed: float, done: int, total: int, shown: str) -> None:
    assert time_left(elapsed, done, total) == shown


@pytest.mark.parametrize(
    ("label", "unit", "shown"),
    [
        ("Scanning commits", "commits", "Scanning commits  [##"),
        ("Scanning files", "files", "Scanning files  [##"),
    ],
)
def test_the_bar_counts_its_unit_and_labels_its_estimate(label: str, unit: str, shown: str) -> None:
    now = [100.0]
    screen = _Terminal()
    bar = Progress(label, True, stream=screen, delay=0, unit=unit, clock=lambda: now[0])
    now[0] += 12.0
    bar(3, 12)  # 4 s each, 9 to go
    assert bar.status(3, 12) == f"3/12 {unit}  ETA 0:36"
    bar.close()
    drawn = screen.getvalue()
    assert shown in drawn and f"3/12 {unit}  ETA 0:36" in drawn
    assert "00:00:" not in drawn  # click's own unlabelled estimate is off


@pytest.mark.parametrize(
    ("result", "opening"),
    [
        (ScanResult(findings=(), rules=(), files_scanned=1), "cavra-safety: 1 file scanned, 0 findings, "),
        (ScanResult(findings=(), rules=(), files_scanned=7), "cavra-safety: 7 files scanned, 0 findings, "),
        (
            ScanResult(findings=(), rules=(), files_scanned=7, commits_scanned=3),
            "cavra-safety: 3 commits (7 files) scanned, 0 findings, ",
        ),
        (
            ScanResult(findings=(), rules=(), files_scanned=1, commits_scanned=1),
            "cavra-safety: 1 commit (1 file) scanned, 0 findings, ",
        ),
        (
            ScanResult(findings=(), rules=(), files_scanned=0, commits_scanned=0),
            "cavra-safety: 0 commits (0 files) scanned, 0 findings, ",
        ),
    ],
)
def test_the_summary_counts_commits_for_a_history(result: ScanResult, opening: str) -> None:
    assert summary_line(result).startswith(opening)


@pytest.mark.parametrize(
    ("width", "expected"),
    [
        (None, ["      " + "word " * 29 + "word"]),
        (
            40,  # 6 + 7 words of 4 and their 6 spaces: exactly 40
            ["      word word word word word word word"] * 4 + ["      word word"],
        ),
        # too narrow to be useful: at least MIN_WRAPPED_TEXT (30) characters of text per line
        (10, ["      word word word word word word", *["      word word word word word word"] * 4]),
    ],
)
def test_wrapped_text_hangs_under_its_first_word(width: int | None, expected: list[str]) -> None:
    assert wrapped("      ", "word " * 29 + "word", width).split("\n") == expected


def test_a_long_word_is_never_cut() -> None:
    url = "https://example.invalid/" + "a" * 80
    assert wrapped("  ", f"see {url} now", 40).split("\n") == ["  see", f"  {url}", "  now"]


def _finding(message: str) -> Finding:
    return Finding.create(RULE, path="a.py", line=5, column=1, secret="value-for-the-demo", message=message)


def test_a_long_message_wraps_under_the_message_on_a_terminal() -> None:
    result = ScanResult(findings=(_finding(LONG),), rules=(RULE,))
    lines = render_text(result, RenderOptions(width=80)).split("\n")
    assert lines[:6] == [
        "a.py",
        "  5:1  high      policy/demo  [tenant-id]",
        "       A demo value was found in a file that will be published. Remove it,",  # 74 (+ " rotate": 81)
        "       rotate it where it was issued, then read it from",
        "       https://vault.example.invalid/v1/very/long/path/that/must/not/be/cut at",  # the URL whole
        "       start-up.",
    ]
    assert lines[6].startswith("       evidence  valu…(18 chars)")


def test_without_a_width_each_message_keeps_one_line() -> None:
    result = ScanResult(findings=(_finding(LONG),), rules=(RULE,))
    lines = render_text(result, RenderOptions()).split("\n")
    assert lines[2] == "       " + LONG


def test_a_long_note_wraps_under_the_note_text() -> None:
    note = Note("docs/setup.md", 4, "allow comment without a rule id: " + "name the rule it allows " * 4)
    result = ScanResult(findings=(), rules=(), notes=(note,))
    lines = render_text(result, RenderOptions(width=60)).split("\n")
    indent = " " * len("  docs/setup.md:4  ")
    assert lines[:5] == [
        "notes",
        "  docs/setup.md:4  allow comment without a rule id: name the",  # 60
        indent + "rule it allows name the rule it allows",
        indent + "name the rule it allows name the rule it",
        indent + "allows",
    ]


@pytest.mark.parametrize(
    ("output", "is_tty", "wraps"),
    [(None, True, True), (None, False, False), (Path("report.txt"), True, False), (Path("r.txt"), False, False)],
)
def test_the_report_wraps_only_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch, output: Path | None, is_tty: bool, wraps: bool
) -> None:
    monkeypatch.setenv("COLUMNS", "93")
    assert report_width(output, is_tty) == (93 if wraps else None)
