"""Filters applied to a source's findings after detection: overlapping detections and inline allow comments.

Inline allow syntax, in any comment syntax, on the finding's line or the line above::

    value = "..."  # cavra: allow policy/tenant-id-value -- fixture for the parser tests
    <!-- cavra: allow secret/jwt, policy/license-key-value -- documented sample token -->

The rule id is required: an allow that names none suppresses nothing and is reported as a note, so that a
blanket "ignore everything here" cannot slip in. detect-secrets' ``pragma: allowlist secret`` (same line) and
``pragma: allowlist nextline secret`` (line above) are honoured for teams coming from detect-secrets.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from cavra_safety.findings import Finding, Note
from cavra_safety.sources import Source

_ALLOW = re.compile(r"cavra:\s*allow\b(?P<rest>.*)$", re.IGNORECASE)
_RULE_ID = re.compile(r"^[a-z][a-z0-9_-]*/[a-z0-9][a-z0-9._-]*$")
_COMMENT_CLOSERS = re.compile(r"\s*(?:-->|\*/|#\}|%\}|--%>|\*\))\s*$")
_PRAGMA_SAME_LINE = re.compile(r"pragma:\s*allowlist[ _-]secret", re.IGNORECASE)
_PRAGMA_NEXT_LINE = re.compile(r"pragma:\s*allowlist[ _-]nextline[ _-]secret", re.IGNORECASE)
ALL_RULES = "*"


@dataclass(frozen=True)
class AllowComment:
    line: int
    rule_ids: frozenset[str]
    reason: str


def parse_allow(text: str) -> tuple[frozenset[str], str] | None:
    """The rule ids and reason of a ``cavra: allow`` comment in ``text``, or None when there is none."""
    match = _ALLOW.search(text)
    if match is None:
        return None
    rest = _COMMENT_CLOSERS.sub("", match.group("rest"))
    ids_part, _, reason = rest.partition("--")
    ids = frozenset(token for token in re.split(r"[\s,]+", ids_part.strip()) if token)
    return ids, reason.strip()


def _allowed_lines(source: Source, known_rules: frozenset[str]) -> tuple[dict[int, set[str]], list[Note]]:
    """Line number -> rule ids allowed there (``*`` for detect-secrets' pragma), and notes on bad comments."""
    allowed: dict[int, set[str]] = {}
    notes: list[Note] = []
    lower = source.lower
    if "cavra:" not in lower and "pragma" not in lower:
        return allowed, notes
    for number, line in enumerate(source.lines, start=1):
        if _PRAGMA_NEXT_LINE.search(line):
            allowed.setdefault(number + 1, set()).add(ALL_RULES)
        elif _PRAGMA_SAME_LINE.search(line):
            allowed.setdefault(number, set()).add(ALL_RULES)
        parsed = parse_allow(line) if "cavra:" in line.lower() else None
        if parsed is None:
            continue
        ids, reason = parsed
        if not ids:
            notes.append(Note(source.path, number, "allow comment names no rule id and suppresses nothing; "
                                                  "write `cavra: allow <rule-id> -- <reason>`"))
            continue
        for rule_id in sorted(ids):
            if not _RULE_ID.match(rule_id) or rule_id not in known_rules:
                notes.append(Note(source.path, number, f"allow comment names unknown rule id {rule_id!r}"))
        if not reason:
            notes.append(Note(source.path, number, "allow comment gives no reason; add `-- <reason>`"))
        for target in (number, number + 1):
            allowed.setdefault(target, set()).update(ids)
    return allowed, notes


def apply_inline_allows(
    source: Source, findings: list[Finding], known_rules: frozenset[str]
) -> tuple[list[Finding], int, list[Note]]:
    """Drop findings an allow comment covers: (kept findings, how many were suppressed, notes)."""
    allowed, notes = _allowed_lines(source, known_rules)
    if not allowed:
        return findings, 0, notes
    kept = [f for f in findings if not ({f.rule_id, ALL_RULES} & allowed.get(f.line, set()))]
    return kept, len(findings) - len(kept), notes


def _detector_rank(rule_id: str) -> int:
    """Between two detections of one value, prefer the one that knows most about its context."""
    return {"python": 3, "policy": 2, "secret": 1}.get(rule_id.split("/", 1)[0], 0)


def drop_overlaps(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per value: where detections overlap on a line, keep the most severe, most specific one."""
    ordered = sorted(findings, key=lambda f: (-f.severity, -_detector_rank(f.rule_id), f.sort_key()))
    kept: list[Finding] = []
    spans: dict[tuple[str | None, int], list[tuple[int, int]]] = {}
    for finding in ordered:
        taken = spans.setdefault((finding.commit, finding.line), [])
        if finding.line == finding.end_line and any(
            finding.column < end and start < finding.end_column for start, end in taken
        ):
            continue
        if finding.line == finding.end_line:
            taken.append((finding.column, finding.end_column))
        kept.append(finding)
    return sorted(kept, key=Finding.sort_key)
