"""``kind = "record"`` rules: tenant records in JSON, YAML, CSV and SQL (and code that spells them out).

A record is an identifier (``tenant_id``) with a *literal* value plus at least ``min-companions`` companion
fields (``owner``, ``plan``, ``billing_email``...) with literal values:

- key/value text (JSON, YAML, TOML, INI, ``.env``, Python/JS literals and keyword arguments): an identifier
  assignment on one line and distinct companion assignments within ``window`` lines of it;
- SQL (``records_sql``): ``INSERT ... VALUES`` rows and ``COPY ... FROM stdin`` data, one record per row;
- CSV/TSV: a header naming an identifier and companion columns, one record per data row; the same in the
  tables of docs, logs and notebook outputs (``records_tables``).

In a notebook, cells are code and outputs are data: bare values are literals on output lines only.

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
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

from cavra_safety.policy.placeholders import is_placeholder
from cavra_safety.policy.records_sql import may_hold_records, sql_records
from cavra_safety.policy.records_tables import TABLE_SUFFIXES, notebook_output_lines, table_records

__all__ = [
    "RecordHit",
    "csv_records",
    "key_value_records",
    "literal",
    "may_hold_records",
    "offset_to_line",
    "sql_records",
]

# Files where an unquoted value is a literal (YAML scalars, KEY=value); elsewhere a bare word is code.
BARE_VALUE_SUFFIXES = frozenset({"yaml", "yml", "env", "ini", "cfg", "conf", "properties", "txt", "md", "rst", ""})
CSV_DELIMITERS = {"csv": ",;|\t", "tsv": "\t"}

_ASSIGNMENT = re.compile(
    r"""(?<![\w$-])(?P<quote>["'`]?)(?P<key>[A-Za-z_$][\w$-]*)(?P=quote)\s*(?P<sep>=>|:(?![:=])|=(?!=))[ \t]*"""
    r"""(?P<value>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;}\]#]+)?"""
)
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


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
    """Identifier and companion assignments of a text, parsed lazily per line. ``bare_lines``: lines where a
    bare value is a literal even though the file type says code (a notebook's outputs)."""

    def __init__(self, lines: Sequence[str], bare_allowed: bool, bare_lines: frozenset[int] = frozenset()) -> None:
        self.lines = lines
        self.bare_allowed = bare_allowed
        self.bare_lines = bare_lines
        self.cache: dict[int, list[tuple[str, int, str | None]]] = {}

    def assignments(self, index: int) -> list[tuple[str, int, str | None]]:
        """``(key, value column, literal value or None)`` of each assignment on line ``index``."""
        if index not in self.cache:
            found: list[tuple[str, int, str | None]] = []
            line = self.lines[index]
            bare = self.bare_allowed or index in self.bare_lines
            for match in _ASSIGNMENT.finditer(line):
                # a keyword argument (after "(" or ",", with "="), even in a code block of a data file, is code
                argument = match.group("sep") == "=" and line[: match.start()].rstrip().endswith(("(", ","))
                value = literal(match.group("value"), bare and not argument)
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
    outputs = frozenset(notebook_output_lines(lines)) if suffix == "ipynb" else frozenset()
    scan = _KeyValueScan(lines, suffix in BARE_VALUE_SUFFIXES, outputs)
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
    """Rows of a CSV/TSV file, and of the tables in docs, logs and notebook outputs (``records_tables``)."""
    if suffix in TABLE_SUFFIXES:
        candidates: Collection[int] = notebook_output_lines(lines) if suffix == "ipynb" else range(len(lines))
        lower_lines = [line.lower() for line in lines]
        for line, column, value in table_records(
            lines, lower_lines, candidates, identifiers, companions, min_companions
        ):
            yield RecordHit(line, column, value)
        return
    yield from _csv_file_records(lines, suffix, identifiers, companions, min_companions)


def _csv_file_records(
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
