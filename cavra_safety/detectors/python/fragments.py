"""The pieces of a partial file that can be parsed alone.

A diff or history source holds only the new side of its hunks, blank lines elsewhere: often not a whole
module that parses (a hunk inside a function, an ``else:`` without its ``if``). Its runs of consecutive
non-blank lines, each dedented, are parsed one by one instead. A run that does not parse is split
(``split``): into its top-level statements when it has several, else into the body of its one statement
(``else:`` and its block: the block), each dedented and parsed alone in turn. What never parses is left to the
text detectors, without a note, since the file it came from may well be valid.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise


@dataclass(frozen=True)
class Fragment:
    """Lines ``first_line`` onwards of the scanned text (1-based), with ``indent`` leading characters removed
    from each: a fragment position (line, column) is the text's (first_line + line - 1, column + indent)."""

    first_line: int
    indent: int
    text: str


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t\f"))


def _fragment(lines: list[str], first_line: int, indent: int) -> Fragment:
    """``lines`` (no blank one) as a fragment, dedented by their common indentation on top of ``indent``."""
    common = min(_indent(row) for row in lines)
    return Fragment(first_line, indent + common, "\n".join(row[common:] for row in lines) + "\n")


def split(fragment: Fragment) -> list[Fragment]:
    """The smaller fragments to try when ``fragment`` does not parse (none when it is one line)."""
    lines = fragment.text.split("\n")[:-1]
    heads = [index for index, row in enumerate(lines) if _indent(row) == 0]  # the first line is one
    if len(heads) > 1:
        bounds = [*heads, len(lines)]
        return [
            _fragment(lines[start:end], fragment.first_line + start, fragment.indent) for start, end in pairwise(bounds)
        ]
    body = lines[1:]
    return [_fragment(body, fragment.first_line + 1, fragment.indent)] if body else []


def fragments(text: str) -> Iterator[Fragment]:
    lines = text.split("\n")
    start: int | None = None
    for index, line in enumerate([*lines, ""]):
        if line.strip():
            if start is None:
                start = index
            continue
        if start is not None:
            yield _fragment(lines[start:index], start + 1, 0)
            start = None
