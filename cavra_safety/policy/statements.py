"""The joined-statement view: SQL statements that tenant isolation is written in, read as one line each.

Migrations split a row-level security policy over lines (``CREATE POLICY ... ON invoices``, then ``FOR ALL``,
then ``USING (tenant_id = ...);``, the tenant read from a session setting), and so do per-tenant
``SET search_path`` and ``ALTER ROLE ... SET app.tenant`` statements; ``tenant-isolation-sql`` reads one
line at a time. This view joins each such statement that runs over several lines into one line (each line's
text without its indentation, one space between), in SQL files and in the SQL strings of code (Python
triple-quoted strings, JavaScript template literals, Go raw strings), so that a match across the lines is
reported at the statement's first line (``pipeline.views``).

A statement starts at ``CREATE POLICY``, ``ALTER ROLE`` / ``ALTER USER``, ``ALTER TABLE``, ``SET search_path``
or ``CREATE`` / ``DROP SCHEMA`` and ends at the line holding its ``;``, a closing string quote (triple quote
or backtick), a blank line, the next statement's start, or after ``MAX_LINES`` lines. A statement inside an
ordinary quoted string of code (``cursor.execute("CREATE SCHEMA analytics")``) ends where the string is closed
and followed by code; it runs on only into strings that continue it (``"CREATE POLICY p ON t "`` then
``"USING (...)"`` on the next line, Python's implicit concatenation, or after a ``+``), never into code.
Comments are read as text, as the line rule reads them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cavra_safety.policy.views import View, ViewBuilder

MAX_LINES = 12

_START = re.compile(
    r"(?i)\b(?:create\s+policy|alter\s+(?:role|user|table)|set\s+(?:local\s+|session\s+)?search_path"
    r"|(?:create|drop)\s+schema)\b"
)
_END = re.compile(r";|\"\"\"|'''|`")


def statement_view(lines: Sequence[str], lower: str) -> View | None:
    """One view line per statement that runs over more than one line; None when there is none."""
    builder = ViewBuilder()
    lower_lines = lower.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        start = _START.search(line) if _may_start(lower_lines, index) else None
        if start is None:
            index += 1
            continue
        quote = _outer_quote(line[: start.start()])
        if _ends(line[start.end() :], quote):
            index += 1
            continue
        parts: list[str | tuple[str, int, int]] = [(line[start.start() :].rstrip(), index, start.start())]
        last = index
        while last + 1 < len(lines) and last + 1 - index < MAX_LINES:
            following = lines[last + 1]
            stripped = following.strip()
            if not stripped or _START.search(following) or (quote and not _continues(stripped, quote)):
                break
            last += 1
            parts += [" ", (stripped, last, len(following) - len(following.lstrip()))]
            if _ends(stripped[stripped.index(quote) + 1 :] if quote else stripped, quote):
                break
        if last > index:
            builder.add_line(parts, f"Read as one statement from line {index + 1} to line {last + 1}.")
        index = last + 1
    return builder.build()


def _may_start(lower_lines: Sequence[str], index: int) -> bool:
    line = lower_lines[index] if index < len(lower_lines) else ""
    return any(word in line for word in ("policy", "alter", "search_path", "schema"))


def _outer_quote(before: str) -> str | None:
    """The quote of an ordinary string of code the statement starts in (``"`` or ``'``), or None: SQL text,
    or a multi-line string (triple quotes, backticks), which ``_END`` closes."""
    if '"""' in before or "'''" in before or "`" in before:
        return None
    return next((quote for quote in "\"'" if before.count(quote) % 2 == 1), None)


def _ends(rest: str, quote: str | None) -> bool:
    """Whether the statement ends on a line, given the line's text after where the statement (or a string
    continuing it) starts: at ``_END``, or where its string is closed and code follows."""
    if _END.search(rest):
        return True
    return quote is not None and re.search(re.escape(quote) + r"[ \t]*[^\s+\\]", rest) is not None


def _continues(stripped: str, quote: str) -> bool:
    """A line that continues a quoted statement: another string in the same quotes, maybe after ``+``."""
    return re.match(r"(?:\+\s*)?[rbfuRBFU]{0,2}" + re.escape(quote), stripped) is not None
