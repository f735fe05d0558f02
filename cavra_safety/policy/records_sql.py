"""Tenant records in SQL: ``INSERT ... VALUES`` rows (one or many, with or without a column list) and the data
block of ``COPY ... FROM stdin`` (what ``pg_dump`` writes).

A row is a record when its identifier column and at least ``min_companions`` companion columns hold literals.
The columns come from the statement's own list, else from a ``CREATE TABLE`` of the same table in the same
text (``mysqldump`` leaves the list out). In a table of tenants (``tenants``, ``app.tenant``, ``org_tenants``)
the row *is* a tenant, so its ``id`` / ``slug`` / ``uuid`` / ``name`` column identifies it. A tenant table with
no known columns still holds a record when a row pairs a value with a contact e-mail address.

The patterns are fixed and linear (bounded, no nested quantifiers), so the standard ``re`` module is safe.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cavra_safety.policy.placeholders import is_placeholder

MAX_SQL_ROWS = 100_000
# Columns that identify a row of a tenant table, most telling first; the first one present is the identifier.
TENANT_TABLE_ID_COLUMNS = ("tenant_id", "id", "uuid", "slug", "external_id", "key", "code", "handle", "name")
NON_COLUMNS = frozenset({"constraint", "primary", "unique", "foreign", "check", "key", "index", "exclude", "fulltext"})

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_TABLE = r"(?P<table>[\w.`\"\[\]]{1,200})"
_INSERT = re.compile(
    r"insert\s+(?:ignore\s+)?into\s+" + _TABLE + r"\s*(?:\((?P<columns>[^()]{1,4000})\)\s*)?values\s*", re.IGNORECASE
)
_CREATE = re.compile(
    r"create\s+(?:(?:temporary|temp|unlogged)\s+)?table\s+(?:if\s+not\s+exists\s+)?" + _TABLE + r"\s*(?=\()",
    re.IGNORECASE,
)
_COPY = re.compile(
    r"^copy\s+" + _TABLE + r"\s*(?:\((?P<columns>[^()]{1,4000})\)\s*)?"
    r"from\s+stdin\b(?P<options>[^;\n]{0,200});?[ \t]*\r?$",
    re.IGNORECASE | re.MULTILINE,
)
_TENANT_TABLE = re.compile(r"(?:[a-z0-9]+_)*tenants?")
_EMAIL = re.compile(r"[^@\s'\"]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")


def may_hold_records(lower: str) -> bool:
    """A cheap test on the lower-cased text: could any statement here hold rows?"""
    return ("insert" in lower and "values" in lower) or ("copy " in lower and "stdin" in lower)


def _name(raw: str) -> str:
    return raw.strip().strip('`"[]').lower()


def _table(raw: str) -> str:
    return _name(raw.rsplit(".", 1)[-1])


def sql_items(text: str, start: int) -> tuple[list[tuple[int, str]], int] | None:
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


def sql_literal(raw: str) -> tuple[int, str] | None:
    if len(raw) >= 2 and raw[0] == "'" and raw[-1] == "'":
        text = raw[1:-1].replace("''", "'")
        return None if not text or is_placeholder(text) else (1, text)
    return (0, raw) if _NUMBER.fullmatch(raw) else None


def _created_columns(text: str) -> dict[str, list[str]]:
    """The column names of each ``CREATE TABLE`` in ``text``, by table name."""
    tables: dict[str, list[str]] = {}
    for create in _CREATE.finditer(text):
        parsed = sql_items(text, create.end())
        if parsed is None:
            continue
        names = [item.split(None, 1)[0] for _, item in parsed[0] if item.strip()]
        tables[_table(create.group("table"))] = [_name(n) for n in names if _name(n) not in NON_COLUMNS]
    return tables


class _Shape:
    """Which columns of a table identify a row and which are companions."""

    def __init__(
        self, table: str, columns: list[str] | None, identifiers: frozenset[str], companions: frozenset[str]
    ) -> None:
        self.tenant_table = _TENANT_TABLE.fullmatch(table) is not None
        self.width = len(columns) if columns is not None else None
        names = columns or []
        self.ids = [i for i, c in enumerate(names) if c in identifiers]
        if not self.ids and self.tenant_table:
            present = [c for c in TENANT_TABLE_ID_COLUMNS if c in names]
            self.ids = [names.index(present[0])] if present else []
        self.companions = [i for i, c in enumerate(names) if c in companions]

    def usable(self, min_companions: int) -> bool:
        if self.width is None:
            return self.tenant_table  # judged row by row: an e-mail beside a value
        return bool(self.ids) and len(self.companions) >= min_companions

    def records(self, cells: list[tuple[int, str | None]], min_companions: int) -> Iterator[tuple[int, str]]:
        """``(offset, identifier)`` of a row, given each cell's offset and literal value (None: not a literal)."""
        if self.width is None:
            values = [(offset, value) for offset, value in cells if value is not None]
            if len(values) >= 2 and any(_EMAIL.fullmatch(value) for _, value in values):
                yield next((item for item in values if not _EMAIL.fullmatch(item[1])), values[0])
            return
        if len(cells) != self.width:
            return
        if sum(1 for i in self.companions if cells[i][1] is not None) < min_companions:
            return
        for i in self.ids:
            offset, value = cells[i]
            if value is not None:
                yield offset, value


def _statement_shape(
    statement: re.Match[str], created: dict[str, list[str]], identifiers: frozenset[str], companions: frozenset[str]
) -> _Shape:
    """The rows' shape of an INSERT or COPY: its column list, else the columns of the file's CREATE TABLE."""
    table = _table(statement.group("table"))
    listed = statement.group("columns")
    columns = [_name(c) for c in listed.split(",")] if listed is not None else created.get(table)
    return _Shape(table, columns, identifiers, companions)


def _insert_records(
    text: str, created: dict[str, list[str]], identifiers: frozenset[str], companions: frozenset[str], minimum: int
) -> Iterator[tuple[int, str]]:
    for insert in _INSERT.finditer(text):
        shape = _statement_shape(insert, created, identifiers, companions)
        if not shape.usable(minimum):
            continue
        position = insert.end()
        for _ in range(MAX_SQL_ROWS):
            parsed = sql_items(text, position)
            if parsed is None:
                break
            items, position = parsed
            cells: list[tuple[int, str | None]] = []
            for offset, raw in items:
                value = sql_literal(raw)
                cells.append((offset + value[0], value[1]) if value is not None else (offset, None))
            yield from shape.records(cells, minimum)
            while position < len(text) and text[position].isspace():
                position += 1
            if not text.startswith(",", position):
                break
            position += 1
            while position < len(text) and text[position].isspace():
                position += 1


def _copy_delimiter(options: str) -> str:
    lowered = options.lower()
    chosen = re.search(r"delimiter\s+(?:as\s+)?e?'(.)'", lowered)
    if chosen is not None:
        return chosen.group(1)
    return "," if re.search(r"\bcsv\b", lowered) else "\t"


def _copy_records(
    text: str, created: dict[str, list[str]], identifiers: frozenset[str], companions: frozenset[str], minimum: int
) -> Iterator[tuple[int, str]]:
    for copy in _COPY.finditer(text):
        shape = _statement_shape(copy, created, identifiers, companions)
        if not shape.usable(minimum):
            continue
        delimiter = _copy_delimiter(copy.group("options"))
        position = text.find("\n", copy.end())
        for _ in range(MAX_SQL_ROWS):
            if position == -1:
                break
            start = position + 1
            end = text.find("\n", start)
            line = text[start : end if end != -1 else len(text)].rstrip("\r")
            if line == "\\." or not line:
                break
            cells: list[tuple[int, str | None]] = []
            offset = start
            for cell in line.split(delimiter):
                value = cell.strip('"') if delimiter == "," else cell
                literal = value and value != "\\N" and not is_placeholder(value)
                cells.append((offset + (1 if cell.startswith('"') else 0), value if literal else None))
                offset += len(cell) + 1
            yield from shape.records(cells, minimum)
            position = end


def sql_records(
    text: str, identifiers: frozenset[str], companions: frozenset[str], min_companions: int
) -> Iterator[tuple[int, str]]:
    """``(offset in text, identifier value)`` of each SQL row that is a record."""
    created = _created_columns(text)
    yield from _insert_records(text, created, identifiers, companions, min_companions)
    yield from _copy_records(text, created, identifiers, companions, min_companions)
