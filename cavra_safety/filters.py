"""Inline allow comments: the filter applied to a source's findings after detection (and after overlapping
detections became one finding per value: ``precedence``).

Inline allow syntax, in any comment syntax::

    value = "..."  # cavra: allow policy/tenant-id-value -- fixture for the parser tests
    <!-- cavra: allow secret/jwt, policy/license-key-value -- documented sample token -->

An allow covers exactly what it says: a comment at the end of a line (after code, or with code after a block
comment) covers that line; a comment alone on its line covers the next line; nothing else. "Alone" means the
line holds nothing but the comment: its opener (``#``, ``//``, ``--``, ``;``, ``%``, ``'``, ``!``, ``..``,
``REM``, ``::``, ``*``, ``/*``, ``<!--``, ``{#``, ``{%``, ``(*``, ``<%--``) or none (a line inside a block
comment or docstring), the comment, and its closer if any; a JSON string that holds only the comment
(``"# cavra: allow ... -- ...",``) counts as alone too. A notebook is read cell line by cell line (see
``sources.text``), so a comment alone on a cell line is alone.

The rule id is required: an allow that names none suppresses nothing and is reported as a note, so that a
blanket "ignore everything here" cannot slip in. detect-secrets' ``pragma: allowlist secret`` covers its own
line, and ``pragma: allowlist nextline secret`` the next line, only when alone on its line (as detect-secrets
reads it), for teams coming from detect-secrets. ``fix`` asks the same rule (``allowed_at``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from cavra_safety.findings import Finding, Note, Suppressed, SuppressionKind
from cavra_safety.multipattern import SHARED_GATES
from cavra_safety.redaction import quoted
from cavra_safety.regex import KeywordGate
from cavra_safety.sources import Source

# An allow is ``cavra: allow`` followed by rule ids, ``--`` or the end of the comment. Anything else after it
# (``<rule-id>``, a quote, a backtick) is prose describing the syntax, not an allow, and is ignored.
_ALLOW = re.compile(
    r"cavra:\s*allow(?P<rest>(?:\s+[a-z][a-z0-9_-]*/[\w.*-]+(?:\s*,\s*[a-z][a-z0-9_-]*/[\w.*-]+)*)?(?:\s+--.*|\s*))$",
    re.IGNORECASE,
)
_COMMENT_CLOSERS = re.compile(r"\s*(?:-->|\*/|#\}|%\}|--%>|\*\))\s*$")
# The end of a JSON string holding the comment (a notebook cell line before preparation, a JSON list of lines).
_JSON_STRING_END = re.compile(r'(?:\\n)?"\s*,?\s*$')
# What may stand before the comment's text on a line holding nothing else: an optional quote opening a JSON
# string, then a comment opener or nothing.
_ALONE_PREFIX = re.compile(
    r'\s*(?P<quote>"?)\s*(?P<opener>#+!?|//+!?|/\*+!?|<!--|<%--|\{#|\{%-?|\(\*|--+|;+|%+|\*|\'|!|\.\.'
    r"|(?:@?rem|::)(?=\s|$))?\s*",
    re.IGNORECASE,
)
_BLOCK_CLOSERS = {"/*": "*/", "<!--": "-->", "<%--": "--%>", "{#": "#}", "{%": "%}", "(*": "*)"}
_PRAGMA_SAME_LINE = re.compile(r"pragma:\s*allowlist[ _-]secret", re.IGNORECASE)
_PRAGMA_NEXT_LINE = re.compile(r"pragma:\s*allowlist[ _-]nextline[ _-]secret", re.IGNORECASE)
ALL_RULES = "*"


def parse_allow(text: str) -> tuple[frozenset[str], str] | None:
    """The rule ids and reason of a ``cavra: allow`` comment in ``text``, or None when there is none."""
    match = _ALLOW.search(text)
    if match is None:
        return None
    rest = match.group("rest")
    if text.lstrip().startswith('"'):
        rest = _JSON_STRING_END.sub("", rest)
    rest = _COMMENT_CLOSERS.sub("", rest)
    ids_part, _, reason = rest.partition("--")
    ids = frozenset(token for token in re.split(r"[\s,]+", ids_part.strip()) if token)
    return ids, reason.strip()


@dataclass
class _Allows:
    """What the allow comments of one source say: line -> rule ids allowed there (``*`` for detect-secrets'
    pragma); covered line -> (comment line, rule id) for ids no detector knows; the line after an allow that
    follows code -> (its line, the ids it names), for the hint that it does not cover that line; and notes on
    malformed comments."""

    allowed: dict[int, set[str]] = field(default_factory=dict)
    unknown: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    after_code: dict[int, tuple[int, frozenset[str]]] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)

    def notes_for(self, source: Source, finding: Finding, known_rules: frozenset[str]) -> Iterator[Note]:
        """Notes on the allow comments around a finding that is still reported: an unknown rule id (a typo or
        a renamed rule) in the allow covering its line, or an allow naming its rule at the end of the line
        above, which covers only its own line."""
        for comment_line, rule_id in self.unknown.get(finding.line, ()):
            yield _unknown_id_note(source, comment_line, rule_id, known_rules)
        comment_line, ids = self.after_code.get(finding.line, (0, frozenset()))
        if finding.rule_id in ids:
            yield Note(
                source.path,
                comment_line,
                f"allow comment for {finding.rule_id} follows code, so it covers only line {comment_line}; "
                f"to cover line {finding.line}, put it alone on the line above",
            )


def _alone(line: str, start: int, tail: str) -> bool:
    """Whether the comment starting at ``line[start]`` (its marker), followed by ``tail``, is all the line holds."""
    prefix = _ALONE_PREFIX.fullmatch(line, 0, start)
    if prefix is None:
        return False
    if prefix.group("quote"):
        tail = _JSON_STRING_END.sub("", tail)
        if '"' in tail.replace('\\"', ""):
            return False  # the string ends before the line does
    opener = prefix.group("opener") or ""
    closer = next((end for begin, end in _BLOCK_CLOSERS.items() if opener.startswith(begin)), None)
    if closer is not None:
        body = _COMMENT_CLOSERS.sub("", tail)
        return closer not in body  # a closer before the end: code follows the comment
    return True


def _covers(number: int, line: str, parsed: tuple[frozenset[str], str] | None) -> Iterator[tuple[int, Iterable[str]]]:
    """The lines an allow on line ``number`` covers, each with the rule ids it allows there: the one allow rule,
    for scans and for ``fix``. At the end of a line, the line; alone on its line, the next line."""
    nextline = _PRAGMA_NEXT_LINE.search(line)
    if nextline is not None:
        if _alone(line, nextline.start(), line[nextline.end() :]):
            yield number + 1, (ALL_RULES,)
    elif _PRAGMA_SAME_LINE.search(line):
        yield number, (ALL_RULES,)
    if parsed is not None and parsed[0]:
        match = _ALLOW.search(line)
        assert match is not None
        yield (number + 1 if _alone(line, match.start(), match.group("rest")) else number), parsed[0]


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


# Every line an allow comment or a detect-secrets pragma can be on holds one of these (lower-cased).
_ALLOW_WORDS = ("cavra:", "allowlist")
# Asked of every file: in a large scan, by the shared pass; else by one search of its UTF-8, case folded by
# RE2. Either way a file without an allow is never lower-cased for it.
_ALLOW_GATE = KeywordGate(_ALLOW_WORDS, ignore_case=True)
_ALLOW_SHARED = SHARED_GATES.gate(keywords=_ALLOW_WORDS)


def _read_allows(source: Source, known_rules: frozenset[str]) -> _Allows:
    allows = _Allows()
    shared = _ALLOW_SHARED.present(source.data)
    if not (shared if shared is not None else _ALLOW_GATE.present(source.data)):
        return allows
    lines = source.lines
    # Only lines holding a word can hold an allow: ``# pragma: no cover`` is on most Python files, and a Python
    # step per line of every such file is not free.
    for index in sorted(set().union(*(source.lines_holding(word) for word in _ALLOW_WORDS))):
        number, line = index + 1, lines[index]
        parsed = parse_allow(line) if "cavra:" in line.lower() else None
        targets = set()
        for target, ids in _covers(number, line, parsed):
            allows.allowed.setdefault(target, set()).update(ids)
            targets.add(target)
        if parsed is None:
            continue
        ids, reason = parsed
        if ids and targets == {number}:
            allows.after_code[number + 1] = (number, ids)
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
        for target in targets:
            allows.unknown.setdefault(target, []).extend((number, rule_id) for rule_id in unknown)
    return allows


def _unknown_id_note(source: Source, line: int, rule_id: str, known_rules: frozenset[str]) -> Note:
    import difflib  # a suggestion is rare: a clean run does not import difflib

    close = difflib.get_close_matches(rule_id, sorted(known_rules), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return Note(source.path, line, f"allow comment names unknown rule id {quoted(rule_id)}{hint}")


def apply_inline_allows(
    source: Source,
    findings: list[Finding],
    known_rules: frozenset[str],
    also_seen_by: Mapping[Finding, frozenset[str]] | None = None,
) -> tuple[list[Finding], list[Suppressed], list[Note]]:
    """Drop findings an allow comment covers: (kept findings, the suppressed ones with their allow's reason, notes).

    A finding is covered by an allow naming its rule or one of the rules ``also_seen_by`` says saw the same
    value (one finding per value: the allow was written for the value, whichever rule reports it today).
    An unknown rule id is noted only where a finding it may have meant to allow is still reported (a typo or a
    renamed rule); documentation that merely shows the syntax stays quiet.
    """
    allows = _read_allows(source, known_rules)
    if not allows.allowed:
        return findings, [], allows.notes
    seen = also_seen_by or {}
    kept: list[Finding] = []
    suppressed: list[Suppressed] = []
    for finding in findings:
        names = {finding.rule_id, ALL_RULES, *seen.get(finding, ())}
        if names & allows.allowed.get(finding.line, set()):
            suppressed.append(_suppression(source, finding, names))
        else:
            kept.append(finding)
    notes = list(allows.notes)
    for finding in kept:
        notes.extend(allows.notes_for(source, finding, known_rules))
    return kept, suppressed, sorted(set(notes))


def _suppression(source: Source, finding: Finding, names: set[str]) -> Suppressed:
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
            if target == finding.line and (names & set(ids)):
                named = parsed is not None and bool(names & parsed[0])
                covering.append((number, parsed[1] if parsed is not None and named else ""))
    line, reason = next((item for item in covering if item[1]), covering[0] if covering else (finding.line, ""))
    return Suppressed(finding, SuppressionKind.INLINE, reason, line)
