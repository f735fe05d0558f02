"""The named-columns view of a tenant export: a CSV / TSV file named for tenants whose header says nothing.

``tenants.csv``, ``tenant_export.tsv``, ``customers.csv``, ``accounts-prod.csv``: an export named for tenant
rows is tenant rows when its rows carry tenant-id-shaped values (a UUID, a slug with digits such as
``acme-prod-7731``) or owner e-mail addresses, whatever its header calls the columns (``id,contact,tier``, or
a header in another language). The tenant-record rule knows records by their column names; this view gives
the columns the names their values earn, so the rule reads the rows as it reads a known export:

- the identifier: the first column whose values are mostly tenant-id-shaped, else, beside an e-mail column,
  the first column the header names as an id, slug or name, else the first column of names (not numbers);
- the companion: the first other column whose values are mostly e-mail addresses (``owner_email``), else one
  the header names as a plan, tier or owner (``plan``).

Nothing else changes: the rows are copied as they are, so findings point at the identifier values; the rule's
filters apply (``<tenant-id>`` and example.com rows are no records). A file whose header the rule knows already
(a ``tenant_id`` column) gets no view: the plain scan reads it.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence

from cavra_safety.policy.views import View, ViewBuilder

# File names that say tenant rows: one of these words as a part of the name (``accounts-prod``, ``tenant_export``).
FILE_WORDS: tuple[str, ...] = (
    "tenant", "customer", "account", "organization", "organisation", "org", "workspace", "subscriber", "client",
)  # fmt: skip
IDENTIFIER = "tenant_id"
EMAIL_COMPANION = "owner_email"
NAMED_COMPANION = "plan"
SAMPLE_ROWS = 50  # rows read to judge a column
MIN_SHARE = 0.5  # of the non-empty values in a column, to call it tenant-id-shaped or e-mail

# a word of the name (``accounts-prod``, ``org_2024``); ``tenant`` and ``customer`` also in front of another word
# (``tenantExport``, ``customerlist``), which no ordinary word starts with
_FILE_NAME = re.compile(r"(?:^|[-_. ])(?:tenant|customer|(?:" + "|".join(FILE_WORDS) + r")s?(?:$|[-_. ]|\d))")
_KNOWN_HEADER = re.compile(r"(?i)^\s*[\"']?tenant(?:[_-]?id|[_-]?slug)?[\"']?\s*$")
_TENANT_ID_SHAPE = re.compile(
    r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # a UUID
    r"|(?=[a-z0-9_-]{5,64}$)[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*[-_][0-9]+[a-z0-9]*"  # a slug ending in a number
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ID_HEADER = re.compile(r"(?i)^(?:id|.*[_ -]id|.*id$|.*slug|.*name|key|org|account|customer|workspace|company)$")
_NAME = re.compile(r"[^\d\s].*[A-Za-z].*|[A-Za-z]")
_COMPANION_HEADER = re.compile(r"(?i)plan|tier|owner|admin|contact|billing|subscription|seats|mrr|arr")


def tenant_file_view(name: str, suffix: str, lines: Sequence[str]) -> View | None:
    """The view with the identifier and companion columns named, or None (not a tenant export by name, a known
    or unknown-but-empty header, no column that earns a name)."""
    stem = name.rsplit(".", 1)[0].lower()
    if _FILE_NAME.search(stem) is None:
        return None
    header_at = next((index for index, line in enumerate(lines) if line.strip()), None)
    if header_at is None:
        return None
    delimiter = _delimiter(lines[header_at], suffix)
    header = next(csv.reader([lines[header_at]], delimiter=delimiter), [])
    if len(header) < 2 or any(_KNOWN_HEADER.match(cell) for cell in header):
        return None
    if any(_EMAIL.fullmatch(cell.strip()) or _TENANT_ID_SHAPE.fullmatch(cell.strip()) for cell in header):
        return None  # the first line is a row, not names: a file of rows without a header holds no records yet
    try:
        rows = list(csv.reader(lines[header_at + 1 : header_at + 1 + SAMPLE_ROWS], delimiter=delimiter))
    except csv.Error:
        return None
    columns = _named_columns(header, rows)
    if columns is None:
        return None
    names = list(header)
    for column, new_name in columns.items():
        names[column] = new_name
    builder = ViewBuilder()
    for _ in range(header_at):
        builder.add_line([], "")
    builder.add_line([delimiter.join(names)], "")
    named = _described(header, columns)
    note = f"Read as a tenant export (the file's name) with its columns named by their values: {named}."
    for index in range(header_at + 1, len(lines)):
        builder.add_line([(lines[index], index, 0)], note)
    return builder.build()


def _delimiter(header: str, suffix: str) -> str:
    if suffix == "tsv":
        return "\t"
    return max(",;|\t", key=header.count)


def _named_columns(header: Sequence[str], rows: Sequence[Sequence[str]]) -> dict[int, str] | None:
    def share(column: int, pattern: re.Pattern[str]) -> float:
        values = [row[column].strip() for row in rows if column < len(row) and row[column].strip()]
        return sum(1 for value in values if pattern.fullmatch(value)) / len(values) if values else 0.0

    width = len(header)
    emails = [column for column in range(width) if share(column, _EMAIL) >= MIN_SHARE]
    shaped = [
        column for column in range(width) if column not in emails and share(column, _TENANT_ID_SHAPE) >= MIN_SHARE
    ]
    identifier = shaped[0] if shaped else None
    if identifier is None and emails:
        others = [column for column in range(width) if column not in emails]
        named = [column for column in others if _ID_HEADER.match(header[column].strip())]
        # a header in another language (Kunde, client): the first column of names rather than numbers or dates
        texts = [column for column in others if share(column, _NAME) >= MIN_SHARE]
        identifier = next(iter(named + texts), None)
    if identifier is None:
        return None
    if emails:
        return {identifier: IDENTIFIER, emails[0]: EMAIL_COMPANION}
    named = [c for c in range(width) if c != identifier and _COMPANION_HEADER.search(header[c])]
    return {identifier: IDENTIFIER, named[0]: NAMED_COMPANION} if named else None


def _described(header: Sequence[str], columns: dict[int, str]) -> str:
    return ", ".join(f"{header[column].strip() or column + 1} as {name}" for column, name in sorted(columns.items()))
