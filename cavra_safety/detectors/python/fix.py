"""The codemod behind ``cavra-safety fix``: literal secrets bound in assignments, keyword arguments and default
parameter values become environment look-ups named after the binding (``os.environ["TENANT_ID"]``).

The binding checks (on CPython's tree, as in a scan) say what to replace and where; libcst, which round-trips
the file byte for byte, makes the change: the only edits are the replaced literals and, when the module lacks
one, an ``import os`` after the docstring and ``__future__`` imports. A file that does not parse is never
touched (``plan_fixes`` raises ``NotParsed``).

Robustness: libcst's native parser crashes the process (a stack overflow) on brackets nested about a thousand
deep and slows down quadratically on deep nesting and on very long operator chains, so a cheap scan of the
text refuses such files before they reach it (``structure_problem``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from cavra_safety.detectors.python.base import Candidate, FileContext
from cavra_safety.detectors.python.checks import FIXABLE_CHECKS
from cavra_safety.detectors.python.gates import PythonGates
from cavra_safety.detectors.python.positions import Positions
from cavra_safety.detectors.python.runner import MAX_PARSE_CHARS, NotParsed, collect, parse
from cavra_safety.findings import Category
from cavra_safety.policy.python_section import PythonSection
from cavra_safety.redaction import redact

__all__ = ["FixPlan", "NotParsed", "PlannedFix", "apply_fixes", "plan_fixes", "structure_problem"]

MAX_BRACKET_DEPTH = 50  # CPython itself refuses 200; real code stays far below 20
MAX_OPERATOR_CHAIN = 300  # operators in one operand position (`a + b + ...`, `a.b.c...`) before a separator

# Strings and comments are skipped whole so that brackets and operators inside them do not count.
_STRUCTURE = re.compile(
    r'(?P<string>[rRbBuUfF]{0,2}(?:"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'))'
    r"|(?P<comment>#[^\n]*)|(?P<open>[(\[{])|(?P<close>[)\]}])|(?P<separator>[,;:\n=])"
    r"|(?P<operator>\*\*|//|<<|>>|[-+*/%@&|^~]|\.(?=\s*[A-Za-z_])|\b(?:and|or|not|if|else)\b)"
)


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


@dataclass(frozen=True)
class PlannedFix:
    """One literal to replace: where it is, which rule found it, and the look-up that replaces it."""

    line: int
    column: int
    rule_id: str
    category: Category
    env_name: str
    redacted: str
    replacement: str


@dataclass(frozen=True)
class FixPlan:
    path: str
    text: str
    fixes: tuple[PlannedFix, ...]
    module: cst.Module | None = field(default=None, repr=False, compare=False)
    nodes: tuple[cst.CSTNode, ...] = field(default=(), repr=False, compare=False)


def _replacement(node: cst.CSTNode, env_name: str) -> str:
    first = node
    while isinstance(first, cst.ConcatenatedString):
        first = first.left
    quote = "'" if isinstance(first, cst.SimpleString | cst.FormattedString) and first.quote.startswith("'") else '"'
    lookup = f"os.environ[{quote}{env_name}{quote}]"
    is_bytes = isinstance(first, cst.SimpleString) and "b" in first.prefix.lower()
    return lookup + ".encode()" if is_bytes else lookup


def _rewritable(text: str) -> cst.Module:
    problem = structure_problem(text)
    if problem is not None:
        raise NotParsed(problem[0], f"not rewritten: {problem[1]}")
    try:
        return cst.parse_module(text)
    except (cst.ParserSyntaxError, RecursionError):
        raise NotParsed(1, "not rewritten: libcst cannot parse it") from None


def _nodes_at(module: cst.Module, positions: Positions, candidates: Sequence[Candidate]) -> list[cst.CSTNode | None]:
    """The expression of ``module`` that spans exactly each candidate's evidence (None if there is none)."""
    ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    by_span: dict[tuple[int, int, int, int], cst.CSTNode] = {}
    for node, where in ranges.items():  # children come before their parents: an outer node with the same span wins
        if isinstance(node, cst.BaseExpression):
            by_span[(where.start.line, where.start.column, where.end.line, where.end.column)] = node
    return [
        by_span.get((*positions.cpython_point(candidate.start), *positions.cpython_point(candidate.end)))
        for candidate in candidates
    ]


def plan_fixes(text: str, path: str) -> FixPlan:
    """What ``apply_fixes`` would change in ``text``; ``NotParsed`` when the file does not parse."""
    section = PythonSection()
    gates = PythonGates(section)
    open_gates = gates.open(
        gates.read(text, text.encode("utf-8", "surrogatepass")), tuple({check.GATE: None for check in FIXABLE_CHECKS})
    )
    checks = [check for check in FIXABLE_CHECKS if check.GATE in open_gates]
    if not checks:
        return FixPlan(path, text, ())
    positions = Positions(text)
    found = collect(parse(positions), checks, FileContext(path, section, positions))
    candidates = sorted((c for c in found if c.env_name is not None), key=lambda candidate: candidate.start)
    if not candidates:
        return FixPlan(path, text, ())
    module = _rewritable(positions.parsed_text)
    fixes: list[PlannedFix] = []
    nodes: list[cst.CSTNode] = []
    for candidate, node in zip(candidates, _nodes_at(module, positions, candidates), strict=True):
        if node is None:  # never seen; a literal libcst places elsewhere is left alone rather than guessed
            continue
        line, column = positions.point(candidate.start)
        env_name = candidate.env_name or ""
        fixes.append(
            PlannedFix(
                line,
                column,
                candidate.rule.rule_id,
                candidate.rule.category,
                env_name,
                redact(candidate.value),
                _replacement(node, env_name),
            )
        )
        nodes.append(node)
    return FixPlan(path, text, tuple(fixes), module, tuple(nodes))


class _Replace(cst.CSTTransformer):
    def __init__(self, replacements: dict[int, cst.BaseExpression]) -> None:
        super().__init__()
        self._replacements = replacements

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> cst.CSTNode:  # type: ignore[override]
        return self._replacements.get(id(original_node), updated_node)


def _imports_os(module: cst.Module) -> bool:
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Import) and any(
                    isinstance(alias.name, cst.Name) and alias.name.value == "os" and alias.asname is None
                    for alias in small.names
                ):
                    return True
    return False


def _is_docstring_or_future(statement: cst.BaseStatement, index: int) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine) or not statement.body:
        return False
    small = statement.body[0]
    if index == 0 and isinstance(small, cst.Expr):
        return isinstance(small.value, cst.SimpleString | cst.ConcatenatedString)
    module = small.module if isinstance(small, cst.ImportFrom) else None
    return isinstance(module, cst.Name) and module.value == "__future__"


def _add_import_os(module: cst.Module) -> cst.Module:
    """``import os`` after the docstring and ``__future__`` imports; the comments and blank lines that stood
    before the next statement move above the new import."""
    body = list(module.body)
    index = 0
    while index < len(body) and _is_docstring_or_future(body[index], index):
        index += 1
    new = cst.SimpleStatementLine([cst.Import([cst.ImportAlias(cst.Name("os"))])])
    if index < len(body):
        following = body[index]
        new = new.with_changes(leading_lines=following.leading_lines)
        is_import = (
            isinstance(following, cst.SimpleStatementLine)
            and bool(following.body)
            and isinstance(following.body[0], cst.Import | cst.ImportFrom)
        )
        body[index] = following.with_changes(leading_lines=() if is_import else (cst.EmptyLine(),))
    elif index > 0:
        new = new.with_changes(leading_lines=(cst.EmptyLine(),))
    body.insert(index, new)
    return module.with_changes(body=body)


def apply_fixes(plan: FixPlan, chosen: Iterable[PlannedFix]) -> str:
    """The new text with the ``chosen`` fixes of ``plan`` applied (the original text when there are none)."""
    wanted = set(chosen)
    replacements = {
        id(node): cst.parse_expression(fix.replacement)
        for fix, node in zip(plan.fixes, plan.nodes, strict=True)
        if fix in wanted
    }
    if not replacements or plan.module is None:
        return plan.text
    module = plan.module.visit(_Replace(replacements))
    if not _imports_os(module):
        module = _add_import_os(module)
    return module.code
