"""Inline allow comments and overlapping detections."""

from __future__ import annotations

import pytest

from cavra_safety.filters import ALL_RULES, allowed_at, apply_inline_allows, drop_overlaps, parse_allow
from cavra_safety.findings import Category, Finding, RuleInfo, Severity
from cavra_safety.sources import Source

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


def test_overlapping_detections_keep_the_most_severe_most_specific() -> None:
    policy_hit = finding(RULE_A, 1, column=5, value="abcdefgh")
    secret_hit = finding(RULE_B, 1, column=7, value="cdefghij")
    elsewhere = finding(RULE_B, 1, column=30, value="zzzzzzzz")
    next_line = finding(RULE_B, 2, column=5, value="abcdefgh")
    assert drop_overlaps([secret_hit, elsewhere, policy_hit, next_line]) == [policy_hit, elsewhere, next_line]
