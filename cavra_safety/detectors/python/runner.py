"""Parsing a file once with CPython's own parser and running the selected checks in one walk of its tree.

``ast.parse`` is the running interpreter's grammar, implemented in C: about 30 times faster than a concrete
syntax tree in Python, with every node's position built in, and robust on hostile input: nesting or chains
too deep for it are a ``SyntaxError``, ``RecursionError`` or ``MemoryError``, never a crash. Files above
``MAX_PARSE_CHARS`` are not parsed (their tree would dwarf the scanner's memory budget). A file that is not
parsed yields a ``Note``: the text detectors still ran on it.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Sequence

from cavra_safety.detectors.python.base import Candidate, Check, FileContext, Visit
from cavra_safety.detectors.python.positions import Positions

MAX_PARSE_CHARS = 1_000_000


class NotParsed(Exception):
    """The file was not parsed; ``line`` and the message say why (for a ``Note``)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def parse(positions: Positions) -> ast.Module:
    """The tree of ``positions.text``, or ``NotParsed`` (a syntax error, too large, or nested too deeply)."""
    text = positions.parsed_text
    if len(text) > MAX_PARSE_CHARS:
        raise NotParsed(1, f"not parsed by the Python checks: larger than {MAX_PARSE_CHARS} characters")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like: the file's business
            return ast.parse(text)
    except SyntaxError as error:
        line = positions.point(positions.offset(error.lineno, 0))[0] if error.lineno else 1
        raise NotParsed(
            line, f"does not parse as Python (syntax error at line {line}); the Python checks skipped it"
        ) from None
    except (RecursionError, MemoryError):
        raise NotParsed(1, "nested too deeply for the Python checks") from None
    except ValueError as error:  # a NUL byte in the source (Python 3.11; later versions raise SyntaxError)
        raise NotParsed(1, f"does not parse as Python ({error}); the Python checks skipped it") from None


def collect(tree: ast.Module, checks: Sequence[type[Check]], context: FileContext) -> list[Candidate]:
    """Every candidate of ``checks`` in one walk of ``tree``."""
    instances = [check(context) for check in checks]
    visits: dict[type[ast.AST], list[Visit]] = {}
    for instance in instances:
        for node_type, visit in instance.visitors().items():
            visits.setdefault(node_type, []).append(visit)
    try:
        for node in ast.walk(tree):  # iterative: no recursion however deep the tree
            for visit in visits.get(type(node), ()):
                visit(node)
        for instance in instances:
            instance.finish()
    except RecursionError:  # a check's own recursion (a sum of thousands of literals)
        raise NotParsed(1, "nested too deeply for the Python checks") from None
    return [candidate for instance in instances for candidate in instance.found]
