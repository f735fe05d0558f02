"""From CPython's syntax-tree positions to offsets in the scanned text, and from offsets to the scanner's lines.

CPython numbers lines at ``\\n``, ``\\r\\n`` and a lone ``\\r`` and counts columns in UTF-8 bytes; the scanner
numbers lines at ``\\n`` only (as git and editors do) and counts columns in characters. Both conversions go
through a character offset into the text, and are computed only for what a check reports.
"""

from __future__ import annotations

import ast
import bisect
import re
from functools import cached_property
from itertools import accumulate

_CPYTHON_NEWLINE = re.compile(r"\r\n|\r|\n")
BOM = "\ufeff"


def _newline_starts(text: str) -> list[int]:
    """Offsets where the lines of ``text`` start, lines ending at ``\\n``."""
    return list(accumulate((len(line) + 1 for line in text.split("\n")[:-1]), initial=0))


class Positions:
    """Offsets of one text. ``parsed_text`` is what CPython parses: the text without a leading BOM, which
    CPython refuses in a string (the BOM is a character of the text, so every offset shifts by one)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._shift = 1 if text.startswith(BOM) else 0

    @property
    def parsed_text(self) -> str:
        return self.text[self._shift :]

    @cached_property
    def _line_starts(self) -> list[int]:
        """Character offsets (in ``parsed_text``) where CPython's lines start."""
        text = self.parsed_text
        if "\r" not in text:
            return _newline_starts(text)
        return [0, *(match.end() for match in _CPYTHON_NEWLINE.finditer(text))]

    def offset(self, line: int, byte_column: int) -> int:
        """The offset in ``text`` of CPython's (1-based line, UTF-8 byte column)."""
        starts = self._line_starts
        start = starts[min(line, len(starts)) - 1]
        end = starts[line] if line < len(starts) else len(self.parsed_text)
        row = self.parsed_text[start:end]
        if row.isascii():
            column = byte_column
        else:
            column = len(row.encode("utf-8", "surrogatepass")[:byte_column].decode("utf-8", "replace"))
        return self._shift + start + min(column, len(row))

    def start(self, node: ast.AST) -> int:
        return self.offset(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> int:
        end_line, end_column = node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]
        return self.offset(end_line, end_column) if end_line is not None else self.start(node)

    def cpython_point(self, offset: int) -> tuple[int, int]:
        """CPython's (1-based line, 0-based character column) of ``offset``: how libcst places nodes too."""
        local = offset - self._shift
        line = bisect.bisect_right(self._line_starts, local)
        return line, local - self._line_starts[line - 1]

    @cached_property
    def _scanner_line_starts(self) -> list[int]:
        return _newline_starts(self.text)

    def point(self, offset: int) -> tuple[int, int]:
        """The scanner's (1-based line, 1-based column) of ``offset``."""
        line = bisect.bisect_right(self._scanner_line_starts, offset)
        return line, offset - self._scanner_line_starts[line - 1] + 1
