"""Tenant records in text tables: Markdown / pipe tables, whitespace-aligned tables (a printed DataFrame, a
``psql`` result) and comma- or tab-separated blocks, in documentation, logs and notebook outputs.

A table is a header line of column names (an identifier column and enough companion columns) followed by rows
that split into as many cells (a printed DataFrame adds an index cell in front). A blank line or any line of
another shape ends it. In a notebook only the outputs are data (``notebook_output_lines``); its cells are code.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Collection, Iterator, Sequence

from cavra_safety.policy.placeholders import is_placeholder

# Where a table in plain text is data: docs, logs and notebook outputs (CSV files have their own reader).
TABLE_SUFFIXES = frozenset({"md", "markdown", "mdx", "rst", "txt", "text", "log", "out", "ipynb", ""})
MAX_TABLE_ROWS = 100_000

_COLUMN_NAME = re.compile(r"[A-Za-z_][\w.-]{0,80}")
_SEPARATOR_ROW = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$|^\s*-{3,}(?:[\s+]+-{3,})*\s*$")
_NOT_VALUES = frozenset({"", "nan", "none", "null", "nat", "-", "\\n", "<na>", "..."})
# nbformat's output text fields: stream text, and the text forms of display data and results.
_OUTPUT_FIELD = re.compile(r'^\s*"(?:text|text/plain|text/csv|text/markdown|text/tab-separated-values)"\s*:\s*\[\s*$')
_ARRAY_END = re.compile(r"^\s*\]\s*,?\s*$")
_ID_LIKE = re.compile(r"[0-9_-]")

Splitter = Callable[[str], list[str]]


def notebook_output_lines(lines: Sequence[str]) -> set[int]:
    """The 0-based indexes of a notebook's output text lines (as ``sources.text.prepare_notebook`` leaves them:
    one output line per file line, unescaped, between its field's brackets)."""
    found: set[int] = set()
    inside = False
    for index, line in enumerate(lines):
        if inside:
            if _ARRAY_END.match(line):
                inside = False
            else:
                found.add(index)
        elif '"' in line and _OUTPUT_FIELD.match(line):
            inside = True
    return found


def _pipes(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def _delimited(delimiter: str) -> Splitter:
    def split(line: str) -> list[str]:
        return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter), [])]

    return split


def _splitters(line: str) -> list[Splitter]:
    stripped = line.strip()
    if stripped.startswith("|") or " | " in stripped:
        return [_pipes]
    chosen: list[Splitter] = [_delimited(d) for d in ",\t;" if d in stripped]
    return [*chosen, str.split]


def _value(cell: str) -> str | None:
    text = cell.strip().strip("\"'`")
    return None if text.lower() in _NOT_VALUES or is_placeholder(text) else text


def table_records(
    lines: Sequence[str],
    lower_lines: Sequence[str],
    candidates: Collection[int],
    identifiers: frozenset[str],
    companions: frozenset[str],
    min_companions: int,
) -> Iterator[tuple[int, int, str]]:
    """``(line, column, identifier value)`` of each table row that is a record; a header must be one of
    ``candidates`` (line indexes) and its rows follow it within ``candidates``."""
    for index in sorted(candidates):
        if not any(key in lower_lines[index] for key in identifiers):
            continue
        for split in _splitters(lines[index]):
            header = [cell.lower() for cell in split(lines[index])]
            names = [cell for cell in header if cell]
            if len(names) < 2 or not all(_COLUMN_NAME.fullmatch(cell) for cell in names):
                continue
            id_columns = [i for i, cell in enumerate(header) if cell in identifiers]
            companion_columns = [i for i, cell in enumerate(header) if cell in companions]
            if not id_columns or len(companion_columns) < min_companions:
                continue
            yield from _rows(
                lines, candidates, index, split, len(header), id_columns, companion_columns, min_companions
            )
            break


def _rows(
    lines: Sequence[str],
    candidates: Collection[int],
    header_at: int,
    split: Splitter,
    width: int,
    id_columns: list[int],
    companion_columns: list[int],
    min_companions: int,
) -> Iterator[tuple[int, int, str]]:
    row_at = header_at + 1
    for _ in range(MAX_TABLE_ROWS):
        if row_at >= len(lines) or row_at not in candidates or not lines[row_at].strip():
            return
        line = lines[row_at]
        if _SEPARATOR_ROW.match(line):
            row_at += 1
            continue
        cells = split(line)
        if split is str.split and len(cells) == width + 1:
            cells = cells[1:]  # a printed DataFrame's index
        if len(cells) != width:
            return
        values = [_value(cell) for cell in cells]
        if split is str.split and not any(_ID_LIKE.search(values[i] or "") for i in id_columns):
            return  # words in columns are prose more often than a table: an identifier has digits or joins
        if sum(1 for i in companion_columns if values[i] is not None) >= min_companions:
            for i in id_columns:
                value = values[i]
                if value is not None:
                    yield row_at, max(0, line.find(value)), value
        row_at += 1
