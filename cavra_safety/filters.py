"""Filters applied to a source's findings after detection: overlapping detections and inline allow comments.

Inline allow syntax, in any comment syntax, on the finding's line or the line above::

    value = "..."  # cavra: allow policy/tenant-id-value -- fixture for the parser tests
    <!-- cavra: allow secret/jwt, policy/license-key-value -- documented sample token -->

The rule id is required: an allow that names none suppresses nothing and is reported as a note, so that a
blanket "ignore everything here" cannot slip in. detect-secrets' ``pragma: allowlist secret`` (same line) and
``pragma: allowlist nextline secret`` (line above) are honoured for teams coming from detect-secrets.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from cavra_safety.findings import Finding, Note, Suppressed, SuppressionKind
from cavra_safety.sources import Source

# An allow is ``cavra: allow`` followed by rule ids, ``--`` or the end of the comment. Anything else after it
# (``<rule-id>``, a quote, a backtick) is prose describing the syntax, not an allow, and is ignored.
_ALLOW = re.compile(
    r"cavra:\s*allow(?P<rest>(?:\s+[a-z][a-z0-9_-]*/[\w.*-]+(?:\s*,\s*[a-z][a-z0-9_-]*/[\w.*-]+)*)?(?:\s+--.*|\s*))$",
    re.IGNORECASE,
)
_COMMENT_CLOSERS = re.compile(r"\s*(?:-->|\*/|#\}|%\}|--%>|\*\))\s*$")
_PRAGMA_SAME_LINE = re.compile(r"pragma:\s*allowlist[ _-]secret", re.IGNORECASE)
_PRAGMA_NEXT_LINE = re.compile(r"pragma:\s*allowlist[ _-]nextline[ _-]secret", re.IGNORECASE)
ALL_RULES = "*"


def parse_allow(text: str) -> tuple[frozenset[str], str] | None:
    """The rule ids and reason of a ``cavra: allow`` comment in ``text``, or None when there is none."""
    match = _ALLOW.search(text)
    if match is None:
        return None
    rest = _COMMENT_CLOSERS.sub("", match.group("rest"))
    ids_part, _, reason = rest.partition("--")
    ids = frozenset(token for token in re.split(r"[\s,]+", ids_part.strip()) if token)
    return ids, reason.strip()


@dataclass
class _Allows:
    """What the allow comments of one source say: line -> rule ids allowed there (``*`` for detect-secrets'
    pragma), comment line -> rule ids it names that no detector knows, and notes on malformed comments."""

    allowed: dict[int, set[str]] = field(default_factory=dict)
    unknown: dict[int, list[str]] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)


def _covers(number: int, line: str, parsed: tuple[frozenset[str], str] | None) -> Iterator[tuple[int, Iterable[str]]]:
    """The lines an allow on line ``number`` covers, each with the rule ids it allows there: the one allow rule,
    for scans and for ``fix``."""
    if _PRAGMA_NEXT_LINE.search(line):
        yield number + 1, (ALL_RULES,)
    elif _PRAGMA_SAME_LINE.search(line):
        yield number, (ALL_RULES,)
    if parsed is not None and parsed[0]:
        yield number, parsed[0]
        yield number + 1, parsed[0]


def allowed_at(lines: list[str], line: int) -> set[str]:
    """The rule ids (``*`` for all) that allow comments allow on 1-based ``line`` of ``lines``."""
    allowed: set[str] = set()
    for number in (line - 1, line):
        if 1 <= number <= len(lines):
            text = lines[number - 1]
            parsed = parse_allow(text) if "cavra:" in text.lower() else None
            for target, ids in _covers(number, text, parsed):
                if target == line:
                    allowed.update(ids)
    return allowed


def _read_allows(source: Source, known_rules: frozenset[str]) -> _Allows:
    allows = _Allows()
    lower = source.lower
    if "cavra:" not in lower and "pragma" not in lower:
        return allows
    for number, line in enumerate(source.lines, start=1):
        parsed = parse_allow(line) if "cavra:" in line.lower() else None
        for target, ids in _covers(number, line, parsed):
            allows.allowed.setdefault(target, set()).update(ids)
        if parsed is None:
            continue
        ids, reason = parsed
        if not ids:
            allows.notes.append(
                Note(
                    source.path,
                    number,
                    "allow comment names no rule id and suppresses nothing; write `cavra: allow <rule-id> -- <reason>`",
                )
            )
            continue
        if not reason:
            allows.notes.append(Note(source.path, number, "allow comment gives no reason; add `-- <reason>`"))
        unknown = sorted(rule_id for rule_id in ids if rule_id not in known_rules)
        if unknown:
            allows.unknown[number] = unknown
    return allows


def _unknown_id_note(source: Source, line: int, rule_id: str, known_rules: frozenset[str]) -> Note:
    close = difflib.get_close_matches(rule_id, sorted(known_rules), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return Note(source.path, line, f"allow comment names unknown rule id {rule_id!r}{hint}")


def apply_inline_allows(
    source: Source, findings: list[Finding], known_rules: frozenset[str]
) -> tuple[list[Finding], list[Suppressed], list[Note]]:
    """Drop findings an allow comment covers: (kept findings, the suppressed ones with their allow's reason, notes).

    An unknown rule id is noted only where a finding it may have meant to allow is still reported (a typo or a
    renamed rule); documentation that merely shows the syntax stays quiet.
    """
    allows = _read_allows(source, known_rules)
    if not allows.allowed:
        return findings, [], allows.notes
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for finding in findings:
        if {finding.rule_id, ALL_RULES} & allows.allowed.get(finding.line, set()):
            suppressed.append(_suppression(source, finding))
        else:
            kept.append(finding)
    notes = list(allows.notes)
    for finding in kept:
        for comment_line in (finding.line, finding.line - 1):
            notes.extend(
                _unknown_id_note(source, comment_line, rule_id, known_rules)
                for rule_id in allows.unknown.get(comment_line, ())
            )
    return kept, suppressed, sorted(set(notes))


def _suppression(source: Source, finding: Finding) -> Suppressed:
    """``finding`` as the allow that covers it suppresses it (asked of the one allow rule, ``_covers``): the
    comment on its own line before the one above it, and one that gives a reason before one that gives none
    (detect-secrets' pragma never does)."""
    covering: list[tuple[int, str]] = []
    for number in (finding.line, finding.line - 1):
        if not 1 <= number <= len(source.lines):
            continue
        text = source.lines[number - 1]
        parsed = parse_allow(text) if "cavra:" in text.lower() else None
        for target, ids in _covers(number, text, parsed):
            if target == finding.line and ({finding.rule_id, ALL_RULES} & set(ids)):
                named = parsed is not None and finding.rule_id in parsed[0]
                covering.append((number, parsed[1] if parsed is not None and named else ""))
    line, reason = next((item for item in covering if item[1]), covering[0] if covering else (finding.line, ""))
    return Suppressed(finding, SuppressionKind.INLINE, reason, line)


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
