"""Imports of private modules: import statements anywhere (functions, try/except ImportError, if TYPE_CHECKING),
relative imports, and dynamic imports (``importlib.import_module``, ``__import__``, ``import_module`` under any
alias), including module names built from literal pieces."""

from __future__ import annotations

import ast
from collections.abc import Sequence

from cavra_safety.detectors.python import gates
from cavra_safety.detectors.python.base import Check, FileContext, Invalid, Valid, dotted_name
from cavra_safety.detectors.python.rules import import_rule
from cavra_safety.detectors.python.strings import static_text
from cavra_safety.findings import Category
from cavra_safety.policy.python_section import ModulePattern

SAAS = Category.SAAS_BACKEND_SOURCE
ENTERPRISE = Category.ENTERPRISE_IMPLEMENTATION


def _match(patterns: Sequence[ModulePattern], module: str) -> ModulePattern | None:
    return next((pattern for pattern in patterns if pattern.matches(module)), None)


class _ImportCheck(Check):
    def _report(self, span: tuple[int, int], module: str, *, relative: bool = False) -> bool:
        """Report ``node`` when ``module`` is private. A relative import resolved from the file's path may carry
        folders above the package root (``src.cavra_saas.x``), so each of its suffixes is tried too."""
        parts = module.split(".")
        tries = [".".join(parts[start:]) for start in range(len(parts))] if relative else [module]
        for attempt in tries:
            pattern = _match(self.context.section.modules, attempt)
            if pattern is not None:
                self.report(
                    span,
                    import_rule(pattern.category),
                    attempt,
                    f"Imports the private module {attempt} (policy pattern {pattern.text!r}, "
                    f"{pattern.category.value}). "
                    "The Community code must not depend on it: remove the import or depend on the public contract.",
                )
                return True
        return False


class ImportStatementCheck(_ImportCheck):
    """``import x``, ``from x import y``, ``from .x import y``: wherever the statement stands."""

    GATE = gates.imports

    VALID = (
        Valid("import cavra_saasy\nimport mycavra_saas.billing\n"),
        Valid("from cavra_safety.policy import load_policy\n"),
        Valid("from cavra import community\nfrom . import views\n", path="cavra/app.py"),
        Valid("from .provisioning_docs import text\n", path="cavra/app.py"),
        Valid("# import cavra_saas\ntext = 'from cavra_saas import x'\n"),
    )
    INVALID = (
        Invalid("import ▶cavra_saas\n", SAAS),
        Invalid("import ▶cavra_cloud.storage as storage\n", SAAS),
        Invalid("from ▶cavra_saas.billing import charge\n", SAAS),
        Invalid("from ▶cavra_enterprise import sso as single_sign_on\n", ENTERPRISE),
        Invalid("def load():\n    import ▶cavra_enterprise.audit\n", ENTERPRISE),
        Invalid("try:\n    from ▶cavra_saas import tenants\nexcept ImportError:\n    tenants = None\n", SAAS),
        Invalid("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ▶cavra_cloud import Client\n", SAAS),
        Invalid("from cavra import ▶provisioning\n", SAAS),
        Invalid("from ▶.provisioning import create\n", SAAS, path="cavra/api/views.py"),
        Invalid("from . import ▶provisioning\n", SAAS, path="cavra/api/__init__.py"),
        Invalid("from ▶..enterprise import sso\n", ENTERPRISE, path="cavra/api/views.py"),
        Invalid("from ▶cavra.jobs.tenant_provisioning import run\n", SAAS),
    )

    def _alias_span(self, alias: ast.alias) -> tuple[int, int]:
        """The imported name (``a.b`` of ``import a.b as c``)."""
        start, end = self.context.span(alias)
        return (start, start + len(alias.name)) if self.context.text.startswith(alias.name, start) else (start, end)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._report(self._alias_span(alias), alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        level, module = node.level, node.module or ""
        base = self.context.resolve_relative(level, module) if level else module
        # The finding starts at the module's name, dots included: the tree keeps the name as a plain string.
        where = self.context.after_keyword(node, "from", r"[\w.\s\\]*?(?=\bimport\b)")
        if base and where is not None and self._report(_trimmed(self.context.text, where), base, relative=bool(level)):
            return
        for alias in node.names:
            if alias.name != "*":
                full = f"{base}.{alias.name}" if base else alias.name
                self._report(self._alias_span(alias), full, relative=bool(level))


def _trimmed(text: str, span: tuple[int, int]) -> tuple[int, int]:
    """``span`` without the white space that ends it."""
    start, end = span
    return start, start + len(text[start:end].rstrip(" \t\f\\\r\n"))


class DynamicImportCheck(_ImportCheck):
    """``importlib.import_module("...")``, ``__import__("...")`` and ``import_module`` under another name."""

    GATE = gates.dynamic_imports

    VALID = (
        Valid("import importlib\nplugin = importlib.import_module('cavra_saasy.plugin')\n"),
        Valid("import importlib\nplugin = importlib.import_module(name)\n"),
        Valid("from importlib import import_module\nimport_module('cavra_community.' + name)\n"),
        Valid("def import_module(name):\n    return name\nimport_module\n"),
        Valid("load = __import__\nprint('cavra_saas')\n"),
    )
    INVALID = (
        Invalid("import importlib\nbackend = importlib.import_module(▶'cavra_saas.backend')\n", SAAS),
        Invalid("import importlib as il\nil.import_module(▶'cavra_enterprise')\n", ENTERPRISE),
        Invalid("from importlib import import_module as load\nload(▶'cavra_cloud.billing')\n", SAAS),
        Invalid("def f():\n    return load(▶'cavra_cloud')\nfrom importlib import import_module as load\n", SAAS),
        Invalid("backend = __import__(▶'cavra_saas')\n", SAAS),
        Invalid("import importlib\nimportlib.import_module(▶'cavra_' 'saas')\n", SAAS),
        Invalid("import importlib\nimportlib.import_module(▶'cavra_' + 'enterprise.sso')\n", ENTERPRISE),
        Invalid("import importlib\nimportlib.import_module(▶f'cavra_saas.{name}')\n", SAAS),
        Invalid("import importlib\nimportlib.import_module(▶'.provisioning', package='cavra.jobs')\n", SAAS),
    )

    def __init__(self, context: FileContext) -> None:
        super().__init__(context)
        self._module_names = {"importlib"}
        self._function_names = {"__import__"}
        self._calls: list[ast.Call] = []

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "importlib":
                self._module_names.add(alias.asname or "importlib")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module != "importlib":
            return
        for alias in node.names:
            if alias.name == "import_module":
                self._function_names.add(alias.asname or alias.name)

    def visit_Call(self, node: ast.Call) -> None:
        if (node.args or node.keywords) and isinstance(node.func, ast.Name | ast.Attribute):
            self._calls.append(node)

    def _is_dynamic_import(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in self._function_names
        return (
            isinstance(func, ast.Attribute)
            and func.attr == "import_module"
            and dotted_name(func.value) in self._module_names
        )

    def finish(self) -> None:
        # Decided after the walk: an alias may be imported below the function that uses it.
        for call in self._calls:
            if not self._is_dynamic_import(call.func):
                continue
            first = call.args[0] if call.args else _keyword(call, "name")
            module = _module_of(first, _package_argument(call)) if first is not None else ""
            if module and first is not None:
                self._report(self.context.span(first), module)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


def _package_argument(call: ast.Call) -> str | None:
    argument = call.args[1] if len(call.args) > 1 else _keyword(call, "package")
    if argument is None:
        return None
    text = static_text(argument)
    return text.text if text is not None and text.complete else None


def _module_of(node: ast.expr, package: str | None) -> str:
    """The module a dynamic import names, as far as its literal parts tell: an unknown tail drops the
    incomplete segment (``f"cavra_saas.{x}"`` -> ``cavra_saas``; ``"cavra_sa" + x`` -> nothing)."""
    text = static_text(node, partial=True)
    if text is None:
        return ""
    name = text.text if text.complete else text.prefix
    if not text.complete:
        name = name.rsplit(".", 1)[0] if "." in name else ""
    if name.startswith("."):
        if package is None:
            return ""
        level = len(name) - len(name.lstrip("."))
        parts = package.split(".")
        base = parts[: max(0, len(parts) - (level - 1))]
        name = ".".join((*base, *(part for part in name[level:].split(".") if part)))
    return name
