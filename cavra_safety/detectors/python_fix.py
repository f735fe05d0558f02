"""The codemod behind ``cavra-safety fix``: literal secrets bound in assignments, keyword arguments and default
parameter values become environment look-ups named after the binding (``os.environ["TENANT_ID"]``).

libcst round-trips the file byte for byte, so the only changes are the replaced literals and, when the module
lacks one, an ``import os`` after the docstring and ``__future__`` imports. A file that does not parse is never
touched (``plan_fixes`` raises ``NotParsed``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import libcst as cst

from cavra_safety.detectors.python_checks.base import FileContext
from cavra_safety.detectors.python_checks.registry import FIXABLE_CHECKS
from cavra_safety.detectors.python_checks.runner import NotParsed, collect, locate, parse
from cavra_safety.findings import Category, redact
from cavra_safety.policy.python_section import PythonSection

__all__ = ["FixPlan", "NotParsed", "PlannedFix", "apply_fixes", "plan_fixes"]


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


def plan_fixes(text: str, path: str) -> FixPlan:
    """What ``apply_fixes`` would change in ``text``; ``NotParsed`` when the file does not parse."""
    lower = text.lower()
    checks = [check for check in FIXABLE_CHECKS if check.gate(PythonSection(), text, lower)]
    if not checks:
        return FixPlan(path, text, ())
    module = parse(text)
    candidates = [c for c in collect(module, checks, FileContext(path, PythonSection())) if c.env_name is not None]
    fixes: list[PlannedFix] = []
    nodes: list[cst.CSTNode] = []
    for item in sorted(locate(module, text, candidates), key=lambda placed: (placed.line, placed.column)):
        candidate = item.candidate
        env_name = candidate.env_name or ""
        fixes.append(PlannedFix(item.line, item.column, candidate.rule.rule_id, candidate.rule.category, env_name,
                                redact(candidate.value), _replacement(candidate.node, env_name)))
        nodes.append(candidate.node)
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
        is_import = isinstance(following, cst.SimpleStatementLine) and bool(following.body) and isinstance(
            following.body[0], cst.Import | cst.ImportFrom)
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
