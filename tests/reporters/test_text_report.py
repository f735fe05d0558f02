"""The terminal report: colour only on request, grouped by file, nothing that can act on the terminal."""

from __future__ import annotations

import pytest
from reporter_samples import OPTIONS, empty_result, sample_result

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
from cavra_safety.reporters import RenderOptions
from cavra_safety.reporters.text import render_text

ANSI_ESCAPE = "\x1b["
RULE = RuleInfo("policy/demo", Category.TENANT_ID, Severity.HIGH, "Demo")


def _finding(path: str = "a.py", line: int = 1, message: str = "Found it.") -> Finding:
    return Finding.create(RULE, path=path, line=line, column=1, secret="value-for-the-demo", message=message)


@pytest.mark.parametrize(("color", "coloured"), [(False, False), (True, True)])
@pytest.mark.parametrize("sample", [sample_result, empty_result])
def test_colour_codes_only_when_asked(color: bool, coloured: bool, sample: object) -> None:
    assert callable(sample)
    output = render_text(sample(), RenderOptions(color=color, tool_version="1.0.0"))
    assert (ANSI_ESCAPE in output) is coloured


def test_coloured_output_has_the_same_text() -> None:
    import click

    coloured = render_text(sample_result(), RenderOptions(color=True))
    assert click.unstyle(coloured) == render_text(sample_result(), RenderOptions(color=False))


def test_findings_are_grouped_by_file_in_path_order() -> None:
    findings = (_finding("b.py", 9), _finding("a.py", 3), _finding("b.py", 2))
    output = render_text(ScanResult(findings=findings, rules=(RULE,)), OPTIONS)
    headers = [line for line in output.splitlines() if line and not line.startswith(" ")]
    assert headers[:2] == ["a.py", "b.py"]
    assert output.index("  2:1  high") < output.index("  9:1  high")


def test_each_finding_shows_evidence_and_how_to_allow_it() -> None:
    output = render_text(ScanResult(findings=(_finding(line=5),), rules=(RULE,)), OPTIONS)
    assert output.startswith(
        "a.py\n"
        "  5:1  high      policy/demo  [tenant-id]\n"
        "       Found it.\n"
        "       evidence  valu…(18 chars)\n"
        "       allow     cavra: allow policy/demo -- <reason>  (in a comment on line 5, if harmless)\n"
    )


@pytest.mark.parametrize(
    ("result", "summary"),
    [
        (ScanResult(findings=(), rules=(), files_scanned=1), "no findings\n"),
        (
            ScanResult(
                findings=(_finding(),),
                rules=(RULE,),
                files_scanned=2,
                suppressed=(Suppressed(_finding("b.py"), SuppressionKind.BASELINE, "accepted"),),
            ),
            "if harmless)\n\n1 finding (1 high) in 1 file; 1 suppressed (1 baseline)\n",
        ),
    ],
)
def test_summary_comes_last(result: ScanResult, summary: str) -> None:
    assert render_text(result, OPTIONS).endswith(summary)


def test_skipped_files_are_grouped_by_reason_with_a_few_paths() -> None:
    skipped = (*(Skipped(f"img/{n}.png", "binary (.png)") for n in range(6)), Skipped("big.sql", "too large"))
    output = render_text(ScanResult(findings=(), rules=(), skipped=skipped), OPTIONS)
    assert (
        "skipped 7 files\n"
        "  binary: 6 files\n"
        "    img/0.png, img/1.png, img/2.png, … and 3 more\n"
        "  too large: 1 file\n"
        "    big.sql\n"
    ) in output


def test_notes_are_listed_with_their_place() -> None:
    notes = (Note("z.py", 3, "allow comment without a rule id"), Note("a.py", 0, "not valid Python"))
    output = render_text(ScanResult(findings=(), rules=(), notes=notes), OPTIONS)
    assert "notes\n  a.py  not valid Python\n  z.py:3  allow comment without a rule id\n" in output


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("evil\x1b]0;pwned\x07.py", "evil\\x1b]0;pwned\\x07.py"),  # would retitle the terminal
        ("bidi\u202egnp.py", "bidi\\u202egnp.py"),  # would display reversed
        ("two\nlines.py", "two\\x0alines.py"),
        ("lone\udcff.py", "lone\\xff.py"),  # an undecodable byte that escaped display_path
        ("docs/über.md", "docs/über.md"),
    ],
)
def test_paths_cannot_act_on_the_terminal(path: str, shown: str) -> None:
    output = render_text(ScanResult(findings=(_finding(path=path),), rules=(RULE,)), OPTIONS)
    assert output.startswith(shown + "\n")
    output.encode("utf-8")  # always encodable


def _allowed(justification: str, kind: SuppressionKind = SuppressionKind.INLINE) -> Suppressed:
    comment_line = 2 if kind is SuppressionKind.INLINE else None
    return Suppressed(_finding("allowed.py", line=3), kind, justification, comment_line)


@pytest.mark.parametrize(
    ("item", "shown"),
    [
        (_allowed("fixture"), "allowed inline (comment on line 2): fixture"),
        (_allowed(""), "allowed inline (comment on line 2): (no reason given)"),
        (_allowed("rotated", SuppressionKind.BASELINE), "accepted in the baseline: rotated"),
    ],
)
def test_show_suppressed_lists_place_rule_kind_reason_and_evidence(item: Suppressed, shown: str) -> None:
    result = ScanResult(findings=(_finding(),), rules=(RULE,), suppressed=(item,))
    listed = render_text(result, RenderOptions(show_suppressed=True))
    kind = "inline" if item.kind is SuppressionKind.INLINE else "baseline"
    assert (
        f"suppressed 1 finding (1 {kind})\n"
        "  allowed.py:3:1  high      policy/demo  [tenant-id]\n"
        f"      {shown}\n"
        "      evidence  valu…(18 chars)\n"
    ) in listed
    assert listed.index("if harmless)") < listed.index("suppressed 1 finding")  # after the findings
    default = render_text(result, OPTIONS)
    assert "allowed.py" not in default
    assert default.endswith(f"1 finding (1 high) in 1 file; 1 suppressed (1 {kind})\n")


def test_without_suppressions_the_flag_changes_nothing() -> None:
    result = ScanResult(findings=(_finding(),), rules=(RULE,))
    assert render_text(result, RenderOptions(show_suppressed=True)) == render_text(result, OPTIONS)
    assert render_text(result, OPTIONS).endswith("in 1 file\n")


def test_a_clean_scan_still_counts_what_was_suppressed() -> None:
    result = ScanResult(findings=(), rules=(RULE,), suppressed=(_allowed("x"), _allowed("y", SuppressionKind.BASELINE)))
    assert render_text(result, OPTIONS) == "no findings; 2 suppressed (1 inline, 1 baseline)\n"


def test_coloured_suppressed_listing_has_the_same_text() -> None:
    import click

    options = RenderOptions(color=True, show_suppressed=True)
    coloured = render_text(sample_result(), options)
    assert ANSI_ESCAPE in coloured
    assert click.unstyle(coloured) == render_text(sample_result(), RenderOptions(show_suppressed=True))
