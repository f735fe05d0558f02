"""What every Python check shares: the check base class, its findings-to-be, its examples and its rules.

A check is a small libcst visitor with its own ``VALID`` and ``INVALID`` examples (Fixit style). All checks that
a file's text selects run in one traversal (``libcst.visit_batched``) and collect ``Candidate`` nodes; positions
are resolved afterwards, and only when there is a candidate (position metadata costs about three parses).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import libcst as cst

from cavra_safety.detectors.python_checks.gates import Gate
from cavra_safety.findings import Category, RuleInfo
from cavra_safety.policy.python_section import PythonSection

EXPECTED_AT = "▶"  # marks where an INVALID example's finding starts; removed before the example is parsed


@dataclass(frozen=True)
class FileContext:
    """What a check may know about the file besides its tree: its path and the policy's ``[python]`` tables."""

    path: str
    section: PythonSection

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


@dataclass(frozen=True)
class Candidate:
    """A finding before its position is known. ``offset`` / ``length`` narrow the evidence to part of the
    node's code (a marker inside a docstring); ``env_name`` is set when ``cavra-safety fix`` may replace the node
    with an environment look-up of that name."""

    node: cst.CSTNode
    rule: RuleInfo
    value: str
    message: str
    offset: int = 0
    length: int | None = None
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


class Check(cst.BatchableCSTVisitor):
    """One check. Subclasses define ``visit_*`` methods that append to ``found``, plus the class methods below."""

    VALID: ClassVar[tuple[Valid, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()
    GATE: ClassVar[Gate]  # the cheap text test of ``gates`` that selects files for this check

    def __init__(self, context: FileContext) -> None:
        super().__init__()
        self.context = context
        self.found: list[Candidate] = []

    @classmethod
    def gate(cls, section: PythonSection, text: str, lower: str) -> bool:
        return cls.GATE(section, text, lower)

    def finish(self) -> None:
        """Called after the traversal, for checks that decide once they have seen the whole module."""


def dotted_name(node: cst.BaseExpression | cst.ImportFrom | None) -> str | None:
    """``a.b.c`` for a Name / Attribute chain, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted_name(node.value)
        return f"{head}.{node.attr.value}" if head is not None else None
    return None
