"""``kind = "record"`` rules: tenant records in JSON, YAML, CSV and SQL (and code that spells them out).

A record is an identifier (``tenant_id``) with a *literal* value plus at least ``min-companions`` companion
fields (``owner``, ``plan``, ``billing_email``...) with literal values:

- key/value text (JSON, YAML, TOML, INI, ``.env``, Python/JS literals and keyword arguments): an identifier
  assignment on one line and distinct companion assignments within ``window`` lines of it;
- SQL: ``INSERT INTO t (tenant_id, owner, ...) VALUES (...), (...)``, one record per row tuple;
- CSV/TSV: a header naming an identifier and companion columns, one record per data row.

A literal is a quoted string or a number, or, in data files (YAML, ``.env``, INI, text), a bare scalar. So a
JSON Schema or OpenAPI document describing the fields (``"tenant_id": {"type": "string"}``, or a YAML key
with a nested mapping) is not a record, and neither is code (``tenant_id=tenant.id``, ``tenant_id: str``).
Placeholders (``placeholders``) are not literals either. The patterns here are fixed (keys from packs are
compared as strings, never compiled) and written so that no line makes them backtrack more than linearly
(a key cannot contain ``.``, so ``self.tenant_id`` is matched from ``tenant_id``), so the standard ``re``
module is safe to use.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from cavra_safety.policy.placeholders import is_placeholder

# Files where an unquoted value is a literal (YAML scalars, KEY=value); elsewhere a bare word is code.
BARE_VALUE_SUFFIXES = frozenset({"yaml", "yml", "env", "ini", "cfg", "conf", "properties", "txt", "md", "rst", ""})
CSV_DELIMITERS = {"csv": ",;|\t", "tsv": "\t"}
MAX_SQL_ROWS = 100_000

_ASSIGNMENT = re.compile(
    r"""(?<![\w$-])(?P<quote>["'`]?)(?P<key>[A-Za-z_$][\w$-]*)(?P=quote)\s*(?:=>|:(?![:=])|=(?!=))[ \t]*"""
    r"""(?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;}\]#]+)?"""
)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_INSERT = re.compile(
    r"insert\s+(?:ignore\s+)?into\s+[\w.`\"\[\]]+\s*\((?P<columns>[^()]{1,4000})\)\s*values\s*", re.IGNORECASE
)


@dataclass(frozen=True)
class RecordHit:
    """A record found: the 0-based line index and column of the identifier value, and the value."""

    line: int
    column: int
    value: str


def literal(token: str | None, bare_allowed: bool) -> tuple[int, str] | None:
    """``(offset in token, text)`` of a literal value, or ``None`` for code, structure or placeholders."""
    if not token:
        return None
    if token[0] in "\"'`":
        offset, text = 1, token[1:-1]
    elif _NUMBER.fullmatch(token) or (bare_allowed and token[0] not in "{[(|>&*!~@%$="):
        offset, text = 0, token
    else:
        return None
    return None if is_placeholder(text) else (offset, text)


class _KeyValueScan:
    """Identifier and companion assignments of a text, parsed lazily per line."""

    def __init__(self, lines: Sequence[str], bare_allowed: bool) -> None:
        self.lines = lines
        self.bare_allowed = bare_allowed
        self.cache: dict[int, list[tuple[str, int, str | None]]] = {}

    def assignments(self, index: int) -> list[tuple[str, int, str | None]]:
        """``(key, value column, literal value or None)`` of each assignment on line ``index``."""
        if index not in self.cache:
            found: list[tuple[str, int, str | None]] = []
            for match in _ASSIGNMENT.finditer(self.lines[index]):
                value = literal(match.group("value"), self.bare_allowed)
                if value is None:
                    found.append((match.group("key").lower(), -1, None))
                else:
                    found.append((match.group("key").lower(), match.start("value") + value[0], value[1]))
            self.cache[index] = found
        return self.cache[index]


def key_value_records(
    lines: Sequence[str],
    lower_lines: Sequence[str],
    suffix: str,
    identifiers: frozenset[str],
    companions: frozenset[str],
    min_companions: int,
    window: int,
) -> Iterator[RecordHit]:
    scan = _KeyValueScan(lines, suffix in BARE_VALUE_SUFFIXES)
    for index, lower in enumerate(lower_lines):
        if not any(key in lower for key in identifiers):
            continue
        for key, column, value in scan.assignments(index):
            if key not in identifiers or value is None:
                continue
            seen: set[str] = set()
            for near in range(max(0, index - window), min(len(lines), index + window + 1)):
                seen.update(k for k, _, v in scan.assignments(near) if k in companions and v is not None)
            if len(seen) >= min_companions:
                yield RecordHit(index, column, value)


def _sql_items(text: str, start: int) -> tuple[list[tuple[int, str]], int] | None:
    """The items of the parenthesised tuple at ``start`` as ``(offset, raw text)``, and the offset after it."""
    if start >= len(text) or text[start] != "(":
        return None
    items: list[tuple[int, str]] = []
    position, depth, item_start = start + 1, 0, start + 1
    while position < len(text):
        char = text[position]
        if char == "'":
            closing = position + 1
            while True:
                closing = text.find("'", closing)
                if closing == -1:
                    return None
                if text.startswith("''", closing):
                    closing += 2
                    continue
                break
            position = closing + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        elif (char == "," and not depth) or char == ")":
            raw = text[item_start:position]
            stripped = raw.lstrip()
            items.append((item_start + len(raw) - len(stripped), stripped.rstrip()))
            item_start = position + 1
            if char == ")":
                return items, position + 1
        position += 1
    return None


def _sql_literal(raw: str) -> tuple[int, str] | None:
    if len(raw) >= 2 and raw[0] == "'" and raw[-1] == "'":
        text = raw[1:-1].replace("''", "'")
        return None if is_placeholder(text) else (1, text)
    return (0, raw) if _NUMBER.fullmatch(raw) else None


def sql_records(
    text: str, identifiers: frozenset[str], companions: frozenset[str], min_companions: int
) -> Iterator[tuple[int, str]]:
    """``(offset in text, identifier value)`` for each ``INSERT ... VALUES`` row that is a record."""
    for insert in _INSERT.finditer(text):
        columns = [c.strip().strip('`"[]').lower() for c in insert.group("columns").split(",")]
        id_columns = [i for i, c in enumerate(columns) if c in identifiers]
        companion_columns = [i for i, c in enumerate(columns) if c in companions]
        if not id_columns or len(companion_columns) < min_companions:
            continue
        position = insert.end()
        for _ in range(MAX_SQL_ROWS):
            parsed = _sql_items(text, position)
            if parsed is None:
                break
            items, position = parsed
            if len(items) == len(columns):
                present = sum(1 for i in companion_columns if _sql_literal(items[i][1]) is not None)
                for i in id_columns:
                    value = _sql_literal(items[i][1])
                    if value is not None and present >= min_companions:
                        yield items[i][0] + value[0], value[1]
            while position < len(text) and text[position].isspace():
                position += 1
            if not text.startswith(",", position):
                break
            position += 1
            while position < len(text) and text[position].isspace():
                position += 1


def _csv_header(
    line: str, delimiters: str, identifiers: frozenset[str], companions: frozenset[str], min_companions: int
) -> tuple[str, list[int], list[int]] | None:
    """The delimiter and the identifier and companion columns of a header line, if it is a record header."""
    for delimiter in delimiters:
        header = [cell.strip().lower() for cell in next(csv.reader([line], delimiter=delimiter), [])]
        id_columns = [i for i, c in enumerate(header) if c in identifiers]
        companion_columns = [i for i, c in enumerate(header) if c in companions]
        if id_columns and len(companion_columns) >= min_companions:
            return delimiter, id_columns, companion_columns
    return None


def csv_records(
    lines: Sequence[str], suffix: str, identifiers: frozenset[str], companions: frozenset[str], min_companions: int
) -> Iterator[RecordHit]:
    delimiters = CSV_DELIMITERS.get(suffix)
    header_at = next((i for i, line in enumerate(lines) if line.strip()), None) if delimiters else None
    if not delimiters or header_at is None:
        return
    try:
        header = _csv_header(lines[header_at], delimiters, identifiers, companions, min_companions)
        if header is None:
            return
        delimiter, id_columns, companion_columns = header
        reader = csv.reader(lines[header_at + 1 :], delimiter=delimiter)
        for row in reader:
            index = header_at + reader.line_num  # the row's last physical line
            present = sum(1 for i in companion_columns if i < len(row) and literal(f'"{row[i]}"', False))
            if present < min_companions:
                continue
            for i in id_columns:
                if i < len(row) and literal(f'"{row[i]}"', False) is not None:
                    column = max(0, lines[index].find(row[i])) if index < len(lines) else 0
                    yield RecordHit(index, column, row[i])
    except csv.Error:
        return  # not CSV after all (a field over the csv module's size limit, a stray NUL...)


def offset_to_line(text: str, offset: int) -> tuple[int, int]:
    """0-based ``(line, column)`` of an offset in ``text``."""
    return text.count("\n", 0, offset), offset - (text.rfind("\n", 0, offset) + 1)
