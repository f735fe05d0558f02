"""Parsing a file once, running the selected checks in one traversal, and placing their candidates.

Robustness: libcst's native parser crashes the process (a stack overflow) on brackets nested about a thousand
deep and slows down quadratically on deep nesting and on very long operator chains, so a cheap scan of the
text refuses such files before they reach the parser; files above ``MAX_PARSE_CHARS`` are not parsed either.
A refused or unparsable file yields a ``Note``: the text detectors still ran on it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from cavra_safety.detectors.python_checks.base import Candidate, Check, FileContext

MAX_PARSE_CHARS = 1_000_000
MAX_BRACKET_DEPTH = 50  # CPython itself refuses 200; real code stays far below 20
MAX_OPERATOR_CHAIN = 300  # operators in one operand position (`a + b + ...`, `a.b.c...`) before a separator

# Strings and comments are skipped whole so that brackets and operators inside them do not count.
_STRUCTURE = re.compile(
    r'(?P<string>[rRbBuUfF]{0,2}(?:"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'))'
    r"|(?P<comment>#[^\n]*)|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<separator>[,;:\n=])"
    r"|(?P<operator>\*\*|//|<<|>>|[-+*/%@&|^~]|\.(?=\s*[A-Za-z_])|\b(?:and|or|not|if|else)\b)"
)


@dataclass(frozen=True)
class Located:
    candidate: Candidate
    line: int
    column: int  # 1-based
    end_line: int
    end_column: int  # 1-based, exclusive


class NotParsed(Exception):
    """The file was not parsed; ``line`` and the message say why (for a ``Note``)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def structure_problem(text: str) -> tuple[int, str] | None:
    """Why the parser must not see ``text`` (line, reason), or None. One linear pass over brackets, separators
    and operators outside strings and comments."""
    if len(text) > MAX_PARSE_CHARS:
        return 1, f"larger than {MAX_PARSE_CHARS} characters"
    depth, chain, line = 0, 0, 1
    for match in _STRUCTURE.finditer(text):
        kind = match.lastgroup
        if kind == "string" or kind == "comment":
            line += match.group(0).count("\n")
            continue
        if kind == "open":
            depth, chain = depth + 1, 0
            if depth > MAX_BRACKET_DEPTH:
                return line, f"brackets nested more than {MAX_BRACKET_DEPTH} deep"
        elif kind == "close":
            depth, chain = max(0, depth - 1), 0
        elif kind == "separator":
            chain = 0
            line += match.group(0) == "\n"
        else:
            chain += 1
            if chain > MAX_OPERATOR_CHAIN:
                return line, f"an expression chains more than {MAX_OPERATOR_CHAIN} operators"
    return None


_ERROR_AT = re.compile(r"error at (\d+):(\d+)")


def _cpython_error_line(text: str) -> int | None:
    """CPython's line for a syntax error (libcst's often points at the token after the mistake)."""
    try:
        compile(text, "<python-check>", "exec", ast.PyCF_ONLY_AST)
    except SyntaxError as error:
        return error.lineno
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


def parse(text: str) -> cst.Module:
    """The module, or ``NotParsed`` (a syntax error, a structure the parser must not see, or too deep)."""
    problem = structure_problem(text)
    if problem is not None:
        raise NotParsed(problem[0], f"not parsed by the Python checks: {problem[1]}")
    try:
        return cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        place = _ERROR_AT.search(error.message)
        line = _cpython_error_line(text) or (int(place.group(1)) if place else error.raw_line)
        raise NotParsed(line, f"does not parse as Python (syntax error at line {line}); "
                              "the Python checks skipped it") from None
    except RecursionError:
        raise NotParsed(1, "nested too deeply for the Python checks") from None


def collect(module: cst.Module, checks: Sequence[type[Check]], context: FileContext) -> list[Candidate]:
    """Every candidate of ``checks`` in one traversal of ``module``."""
    visitors = [check(context) for check in checks]
    try:
        cst.visit_batched(module, visitors)
    except RecursionError:
        raise NotParsed(1, "nested too deeply for the Python checks") from None
    found: list[Candidate] = []
    for visitor in visitors:
        visitor.finish()
        found.extend(visitor.found)
    return found


def _unique_offset(text: str, code: str) -> int | None:
    """Where ``code`` starts in ``text`` when it occurs there exactly once."""
    first = text.find(code)
    return first if first >= 0 and text.find(code, first + 1) < 0 else None


def _start(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _code_without_parentheses(module: cst.Module, node: cst.CSTNode) -> str:
    """The node's code as positions see it: the parentheses around an expression are not part of its range."""
    if getattr(node, "lpar", None):
        node = node.with_changes(lpar=(), rpar=())
    return module.code_for_node(node)


def locate(module: cst.Module, text: str, candidates: Sequence[Candidate]) -> list[Located]:
    """Line and column of each candidate. libcst round-trips, so a node's code occurs in ``text`` where the node
    stands: when it occurs exactly once (a secret literal nearly always does) that is its place. Otherwise the
    positions of the whole module are resolved, once (about three parses' worth of work)."""
    starts: list[tuple[int, int] | None] = []
    codes = [_code_without_parentheses(module, candidate.node) for candidate in candidates]
    for code in codes:
        offset = _unique_offset(text, code) if code else None
        starts.append(_start(text, offset) if offset is not None else None)
    positions = None
    if any(start is None for start in starts):
        try:
            positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        except RecursionError:
            raise NotParsed(1, "nested too deeply for the Python checks") from None
    placed: list[Located] = []
    for candidate, code, start in zip(candidates, codes, starts, strict=True):
        if start is None:
            assert positions is not None
            where: CodeRange = positions[candidate.node]
            start = (where.start.line, where.start.column + 1)
        line, column = _advance(*start, code[: candidate.offset])
        length = candidate.length if candidate.length is not None else len(code) - candidate.offset
        end_line, end_column = _advance(line, column, code[candidate.offset : candidate.offset + length])
        placed.append(Located(candidate, line, column, end_line, end_column))
    return placed


def _advance(line: int, column: int, text: str) -> tuple[int, int]:
    """The position after ``text`` when it starts at (line, column)."""
    newlines = text.count("\n")
    if not newlines:
        return line, column + len(text)
    return line + newlines, len(text) - text.rfind("\n")
