"""What every Python check shares: the check base class, its findings-to-be, its examples and its rules.

A check is a small visitor of CPython's syntax tree (``ast``) with its own ``VALID`` and ``INVALID`` examples
(Fixit style). All checks that a file's text selects run in one walk of the tree (``runner.collect``): each
defines ``visit_<NodeType>`` methods and the walk calls them for every node of that type. A check reports a
``Candidate`` with the exact span of its evidence, taken from the tree's positions (``FileContext.span``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from cavra_safety.detectors.python.gates import Gate
from cavra_safety.detectors.python.positions import Positions
from cavra_safety.findings import Category, RuleInfo
from cavra_safety.policy.python_section import PythonSection

EXPECTED_AT = "▶"  # marks where an INVALID example's finding starts; removed before the example is parsed

# Between a keyword and what follows it: spaces, tabs, form feeds and backslash-continued line breaks.
_GAP = r"(?:[ \t\f]|\\\r?\n)+"


@dataclass(frozen=True)
class FileContext:
    """What a check may know about the file besides its tree: its path, its text and the policy's ``[python]``
    tables."""

    path: str
    section: PythonSection
    positions: Positions = field(repr=False)

    @property
    def text(self) -> str:
        return self.positions.text

    @property
    def module_parts(self) -> tuple[str, ...]:
        """The file's dotted module path from its location (``a/b/__init__.py`` -> ``a.b.__init__``)."""
        stem = self.path.rsplit(".", 1)[0] if self.path.endswith((".py", ".pyi", ".pyw")) else self.path
        return tuple(part for part in stem.split("/") if part and part != ".")

    def resolve_relative(self, level: int, module: str) -> str:
        """The absolute module that ``from <level dots><module> import`` names in this file (best effort: the
        package root is unknown, so the path from the scan root stands in for it)."""
        package = self.module_parts[:-1]
        base = package[: max(0, len(package) - (level - 1))]
        return ".".join((*base, *(part for part in module.split(".") if part)))

    def span(self, node: ast.AST) -> tuple[int, int]:
        """The offsets in the text where ``node`` starts and ends (parentheses around it excluded)."""
        return self.positions.start(node), self.positions.end(node)

    def after_keyword(self, node: ast.AST, keyword: str, what: str) -> tuple[int, int] | None:
        """The span of ``what`` (a regex) that follows ``keyword`` (a regex) where ``node`` starts: the name of a
        ``def`` or ``class``, the module of a ``from ... import``, which the tree keeps as plain strings."""
        start = self.positions.start(node)
        match = re.compile(rf"(?:{keyword}){_GAP}(?P<what>{what})").match(self.text, start)
        return match.span("what") if match is not None else None


@dataclass(frozen=True)
class Candidate:
    """A finding before its line and column are known: its rule, its value, and the offsets ``start`` / ``end``
    of its evidence in the text. ``env_name`` is set when ``cavra-safety fix`` may replace the evidence (a
    literal) with an environment look-up of that name."""

    rule: RuleInfo
    value: str
    message: str
    start: int
    end: int
    env_name: str | None = None


@dataclass(frozen=True)
class Valid:
    code: str
    path: str = "app/module.py"


@dataclass(frozen=True)
class Invalid:
    """An example that must produce exactly one finding of ``category``, starting where ``▶`` stands."""

    code: str
    category: Category
    path: str = "app/module.py"


Visit = Callable[[ast.AST], None]


class Check:
    """One check. Subclasses define ``visit_<NodeType>`` methods (``visit_Call``: every ``ast.Call``) that
    append to ``found``, plus the class attributes below."""

    VALID: ClassVar[tuple[Valid, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()
    GATE: ClassVar[Gate]  # the cheap text test of ``gates`` that selects files for this check
    NODE_TYPES: ClassVar[dict[type[ast.AST], str]] = {}  # node type -> name of the visit method, per subclass

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.NODE_TYPES = {
            getattr(ast, name[len("visit_") :]): name
            for name in dir(cls)
            if name.startswith("visit_") and isinstance(getattr(ast, name[len("visit_") :], None), type)
        }

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self.found: list[Candidate] = []

    @classmethod
    def fits_fragment(cls, first_line: int, indent: int) -> bool:
        """Whether the check means anything on a fragment of a file (a diff's or a commit's changed lines,
        parsed alone): a fragment starting at ``first_line``, dedented by ``indent`` characters."""
        return True

    def visitors(self) -> dict[type[ast.AST], Visit]:
        return {node_type: getattr(self, name) for node_type, name in self.NODE_TYPES.items()}

    def report(
        self, span: tuple[int, int], rule: RuleInfo, value: str, message: str, env_name: str | None = None
    ) -> None:
        self.found.append(Candidate(rule, value, message, span[0], span[1], env_name))

    def finish(self) -> None:
        """Called after the walk, for checks that decide once they have seen the whole module."""


def dotted_name(node: ast.expr | None) -> str | None:
    """``a.b.c`` for a Name / Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))
