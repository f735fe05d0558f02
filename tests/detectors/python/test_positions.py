"""Python findings are placed where the scanner's other detectors place theirs: lines split at ``\\n`` only,
columns counted in characters, whatever CPython's tree says (lines at ``\\r`` too, columns in UTF-8 bytes)."""

from __future__ import annotations

import pytest
from python_fixtures import detect

from cavra_safety.detectors.python.positions import Positions

# Built at run time so that this file passes the repository's own scan.
API_KEY = "".join(["sk-", "proj-", "7hG2kLm9", "Qw3eRt5y"])
LITERAL = f'"{API_KEY}"'


def _expected(code: str) -> tuple[int, int, int, int]:
    """Line and column (1-based, end exclusive) of LITERAL in ``code``, numbered as the scanner numbers them."""
    start = code.index(LITERAL)
    end = start + len(LITERAL)
    line = code.count("\n", 0, start) + 1
    column = start - (code.rfind("\n", 0, start) + 1) + 1
    end_column = end - (code.rfind("\n", 0, end) + 1) + 1
    return line, column, line, end_column


@pytest.mark.parametrize(
    "code",
    [
        f"import os\npassword = {LITERAL}\n",
        f"import os\r\npassword = {LITERAL}\r\n",
        f"import os\rx = 1\rpassword = {LITERAL}\n",  # lone CRs: new lines for CPython, not for git
        f"label = 'größe ✓ 😀'; password = {LITERAL}\n",  # multi-byte characters before it
        f"if True:\n\tpassword = {LITERAL}\n",
        f"\ufeffpassword = {LITERAL}\n",  # a BOM CPython would refuse in a string
        f"x = 1\f\npassword = {LITERAL}\n",  # a form feed is not a line break for either
    ],
    ids=["lf", "crlf", "lone-cr", "non-ascii", "tab", "bom", "form-feed"],
)
def test_a_finding_is_placed_as_the_scanner_numbers_lines_and_columns(code: str) -> None:
    findings, notes = detect(code)
    assert notes == []
    assert [(f.line, f.column, f.end_line, f.end_column) for f in findings] == [_expected(code)]


def test_a_syntax_error_is_noted_on_the_scanner_line() -> None:
    code = f"x = 1\ry = 2\rpassword = {LITERAL}\ndef broken(:\n"
    _, notes = detect(code)
    assert [note.line for note in notes] == [2]


@pytest.mark.parametrize(
    ("text", "line", "byte_column", "offset"),
    [
        ("ab\ncd\n", 2, 1, 4),
        ("é = 1\n", 1, 2, 1),  # "é" is two bytes
        ("a\r\nb\rc\n", 3, 0, 5),
        ("\ufeffx = 1\n", 1, 4, 5),
        ("x = 1", 1, 99, 5),  # past the end of the line: clamped
    ],
)
def test_offsets_from_cpython_positions(text: str, line: int, byte_column: int, offset: int) -> None:
    assert Positions(text).offset(line, byte_column) == offset
