"""Inline allow comments (overlapping detections: tests/test_precedence.py)."""

from __future__ import annotations

import json

import pytest

from cavra_safety.filters import ALL_RULES, allowed_at, apply_inline_allows, parse_allow
from cavra_safety.findings import Category, Finding, RuleInfo, Severity
from cavra_safety.sources import Source
from cavra_safety.sources.text import blob_source

RULE_A = RuleInfo("policy/a", Category.TENANT_ID, Severity.HIGH, "A")
RULE_B = RuleInfo("secret/b", Category.CONNECTOR_CREDENTIAL, Severity.MEDIUM, "B")
KNOWN = frozenset({"policy/a", "secret/b"})
# Built at run time: written out, it would be an allow comment without a rule id in this very file.
NO_ID_ALLOW = "cavra" + ": allow -- no id"


def finding(rule: RuleInfo, line: int, column: int = 1, value: str = "value-1234") -> Finding:
    return Finding.create(rule, path="f.txt", line=line, column=column, secret=value, message="m")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x = 1  # cavra: allow policy/a -- fixture", (frozenset({"policy/a"}), "fixture")),
        ("<!-- cavra: allow policy/a, secret/b -- sample -->", (frozenset({"policy/a", "secret/b"}), "sample")),
        ("/* cavra: allow secret/b -- doc */", (frozenset({"secret/b"}), "doc")),
        ("// CAVRA: Allow policy/a", (frozenset({"policy/a"}), "")),
        ("# " + NO_ID_ALLOW, (frozenset(), "no id")),
        ("nothing here", None),
    ],
)
def test_parse_allow(text: str, expected: tuple[frozenset[str], str] | None) -> None:
    assert parse_allow(text) == expected


@pytest.mark.parametrize(
    ("lines", "finding_line", "suppressed"),
    [
        (["v = 1  # cavra: allow policy/a -- fixture"], 1, True),
        (["# cavra: allow policy/a -- fixture", "v = 1"], 2, True),
        (["# cavra: allow policy/a -- fixture", "", "v = 1"], 3, False),
        (["v = 1  # cavra: allow secret/b -- other rule"], 1, False),
        (["v = 1  # " + NO_ID_ALLOW], 1, False),
        (["v = 1  # pragma: allowlist secret"], 1, True),
        (["# pragma: allowlist nextline secret", "v = 1"], 2, True),
    ],
    ids=["same-line", "line-above", "two-lines-above", "other-rule", "no-rule-id", "pragma", "pragma-nextline"],
)
def test_inline_allow(lines: list[str], finding_line: int, suppressed: bool) -> None:
    source = Source(path="f.txt", text="\n".join(lines))
    kept, allowed, _ = apply_inline_allows(source, [finding(RULE_A, finding_line)], KNOWN)
    assert (len(allowed) == 1) is suppressed
    assert (kept == []) is suppressed
    # ``fix`` asks the same rule one line at a time: it must agree with the scan.
    assert bool({RULE_A.rule_id, ALL_RULES} & allowed_at(source.lines, finding_line)) is suppressed


def test_allow_without_rule_id_or_reason_is_noted_and_a_mistyped_id_where_a_finding_stands() -> None:
    allow = "cavra" + ": allow"  # built at run time, so that this file's own scan sees no allow comments
    text = f"a  # {allow} -- why\nb  # {allow} secret/b\nc  # {allow} policy/aa -- x\nd  # {allow} policy/zz -- x"
    source = Source(path="f.txt", text=text)
    kept, _, notes = apply_inline_allows(source, [finding(RULE_A, 3)], KNOWN)
    assert kept == [finding(RULE_A, 3)]
    assert [(n.line, n.message.split(";")[0]) for n in notes] == [
        (1, "allow comment names no rule id and suppresses nothing"),
        (2, "allow comment gives no reason"),
        (3, "allow comment names unknown rule id 'policy/aa' (did you mean policy/a?)"),
    ]


def test_text_that_only_describes_the_syntax_is_not_an_allow() -> None:
    allow = "cavra" + ": allow"
    for text in [f"write `{allow} <rule-id> -- <reason>`", f'"{allow} {{RULE}} -- x"', f"{allow}ed values"]:
        assert parse_allow(text) is None, text


# --- An allow covers exactly what it says, in every comment syntax (DESIGN.md, section 3) ---------------------

# Built at run time, so that this file's own scan sees no allow comments.
ALLOW_A = "cavra" + ": allow policy/a -- fixture"
PRAGMA_SAME = "pragma" + ": allowlist secret"
PRAGMA_NEXT = "pragma" + ": allowlist nextline secret"

# (name, the comment holding ``{}`` alone on its line, the same comment after code)
SYNTAXES = [
    ("hash", "# {}", "value = 1  # {}"),
    ("double-slash", "// {}", "let value = 1;  // {}"),
    ("triple-slash", "/// {}", "let value = 1; /// {}"),
    ("sql-dashes", "-- {}", "SELECT 1;  -- {}"),
    ("semicolon", "; {}", "value = 1  ; {}"),
    ("percent", "% {}", "value = 1;  % {}"),
    ("apostrophe", "' {}", "value = 1  ' {}"),
    ("bang", "! {}", "value = 1  ! {}"),
    ("rem", "REM {}", "set VALUE=1 & REM {}"),
    ("double-colon", ":: {}", "set VALUE=1 & :: {}"),
    ("block", "/* {} */", "int value = 1; /* {} */"),
    ("doc-block-line", " * {}", "value = 1 * {}"),
    ("html", "<!-- {} -->", "<p>value</p> <!-- {} -->"),
    ("jinja", "{{# {} #}}", "{{ value }} {{# {} #}}"),
    ("ocaml", "(* {} *)", "let value = 1 (* {} *)"),
    ("jsp", "<%-- {} --%>", "<b>value</b> <%-- {} --%>"),
    ("indented", "        # {}", "        value = 1  # {}"),
    ("inside-docstring", "{}", "value = 1  {}"),
    ("json-string", '    "# {}\\n",', '    "value = 1  # {}\\n",'),
]


def _suppressed(lines: list[str], finding_line: int, rule: RuleInfo = RULE_A) -> bool:
    source = Source(path="f.txt", text="\n".join(lines))
    kept, suppressed, _ = apply_inline_allows(source, [finding(rule, finding_line)], KNOWN)
    by_scan = not kept and len(suppressed) == 1
    by_fix = bool({rule.rule_id, ALL_RULES} & allowed_at(lines, finding_line))  # ``fix`` asks one line at a time
    assert by_scan == by_fix, (lines, finding_line)
    return by_scan


@pytest.mark.parametrize(("alone", "after_code"), [pytest.param(a, c, id=n) for n, a, c in SYNTAXES])
@pytest.mark.parametrize("comment", [ALLOW_A, PRAGMA_NEXT, PRAGMA_SAME], ids=["allow", "pragma-nextline", "pragma"])
def test_an_allow_covers_exactly_what_it_says(alone: str, after_code: str, comment: str) -> None:
    code = "token = 'value'"
    alone_line, trailing_line = alone.format(comment), after_code.format(comment)
    covers_next_when_alone = comment != PRAGMA_SAME  # detect-secrets' same-line pragma covers only its own line
    covers_own_line_after_code = comment != PRAGMA_NEXT  # the nextline pragma counts only alone
    # At the end of a line: that line, never the next one.
    assert _suppressed([trailing_line], 1) is covers_own_line_after_code
    assert _suppressed([trailing_line, code], 2) is False
    # Alone on its line: the next line, not its own line, not the line after next.
    assert _suppressed([alone_line, code], 2) is covers_next_when_alone
    assert _suppressed([alone_line, code], 1) is (comment == PRAGMA_SAME)
    assert _suppressed([alone_line, "", code], 3) is False
    assert _suppressed([alone_line, code, code], 3) is False


@pytest.mark.parametrize(
    "line",
    [
        "/* " + ALLOW_A + " */ int value = 1;",  # a block comment with code after it is not alone
        '  "comment": "' + ALLOW_A + '",',  # a JSON string under a key shares its line with the key
        "remark " + ALLOW_A,  # "remark" is prose, not REM
        "x = '# " + ALLOW_A + "'",
    ],
)
def test_a_comment_sharing_its_line_covers_only_that_line(line: str) -> None:
    assert _suppressed([line, "token = 'value'"], 1) is True
    assert _suppressed([line, "token = 'value'"], 2) is False


def test_a_notebook_cell_line_holding_only_the_comment_is_alone() -> None:
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "source": ["# " + ALLOW_A + "\n", "token = 'value'\n", "other = 1  # " + ALLOW_A + "\n", "more = 2\n"],
            }
        ]
    }
    text = json.dumps(notebook, indent=1)
    source = blob_source("n.ipynb", text.encode())
    assert isinstance(source, Source)
    lines = source.lines
    token, other, more = (
        next(number for number, line in enumerate(lines, 1) if name in line) for name in ("token", "other", "more")
    )
    findings = [finding(RULE_A, line) for line in (token, other, more)]
    kept, suppressed, notes = apply_inline_allows(source, findings, KNOWN)
    assert sorted(s.finding.line for s in suppressed) == [token, other]
    assert [f.line for f in kept] == [more]
    assert [note.line for note in notes] == [other]  # the allow after code, with the hint


def test_an_allow_after_code_says_why_it_misses_the_next_line() -> None:
    lines = ["TIMEOUT = 3  # " + ALLOW_A, "token = 'value'"]
    source = Source(path="f.txt", text="\n".join(lines))
    kept, suppressed, notes = apply_inline_allows(source, [finding(RULE_A, 2)], KNOWN)
    assert (len(kept), suppressed) == (1, [])
    assert [(note.line, note.message) for note in notes] == [
        (
            1,
            "allow comment for policy/a follows code, so it covers only line 1; to cover line 2, put it alone "
            "on the line above",
        )
    ]
    # Another rule's finding below it gets no hint: the allow never named it.
    assert apply_inline_allows(source, [finding(RULE_B, 2)], KNOWN)[2] == []


def test_an_unknown_rule_id_is_noted_where_its_allow_would_have_covered_a_finding() -> None:
    allow = "cavra" + ": allow policy/aa -- typo"
    alone = Source(path="f.txt", text=f"# {allow}\ntoken = 1\n")
    trailing = Source(path="f.txt", text=f"x = 1  # {allow}\ntoken = 1\n")
    assert [n.line for n in apply_inline_allows(alone, [finding(RULE_A, 2)], KNOWN)[2]] == [1]
    assert apply_inline_allows(trailing, [finding(RULE_A, 2)], KNOWN)[2] == []  # it never covered line 2
    assert [n.line for n in apply_inline_allows(trailing, [finding(RULE_A, 1)], KNOWN)[2]] == [1]


def test_a_json_string_allow_keeps_its_reason_clean() -> None:
    assert parse_allow('    "# ' + ALLOW_A + '\\n",') == (frozenset({"policy/a"}), "fixture")
    assert parse_allow('  "<!-- ' + ALLOW_A + ' -->\\n",') == (frozenset({"policy/a"}), "fixture")


@pytest.mark.parametrize("comment", [ALLOW_A, PRAGMA_NEXT], ids=["allow", "pragma-nextline"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_an_allow_deep_in_a_file_covers_its_line_whatever_comes_before(comment: str, newline: str) -> None:
    """Only the lines that can hold an allow are read (``_candidate_lines``): one far down a file, after lines that
    lower-case to other lengths (U+0130) and after unrelated pragmas, still covers the right line, and only it."""
    filler = ["x = 1  # pragma: no cover", "name = 'İstanbul'", "", "y = 2"] * 50
    lines = [*filler, "# " + comment, "token = 'value'", "token = 'value'"]
    source = Source(path="f.py", text=newline.join(lines))
    target = len(filler) + 2
    for line, covered in ((target, True), (target + 1, False), (target - 1, False)):
        kept, suppressed, _ = apply_inline_allows(source, [finding(RULE_A, line)], KNOWN)
        assert (not kept and len(suppressed) == 1) is covered, line
