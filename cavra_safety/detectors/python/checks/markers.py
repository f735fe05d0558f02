"""Private implementation code: functions and classes that implement tenant provisioning, tenant database
isolation, license validation or entitlement binding (names from the policy), and module-level Enterprise
markers (``__edition__``, a licence header, a private banner in the module docstring)."""

from __future__ import annotations

import ast
import re

from cavra_safety.detectors.python import gates
from cavra_safety.detectors.python.base import Check, Invalid, Valid
from cavra_safety.detectors.python.names import snake_case
from cavra_safety.detectors.python.rules import MARKER_RULE, definition_rule
from cavra_safety.detectors.python.strings import string_value
from cavra_safety.findings import Category
from cavra_safety.regex import CompiledPattern

SAAS = Category.SAAS_BACKEND_SOURCE
ENTERPRISE = Category.ENTERPRISE_IMPLEMENTATION


class PrivateDefinitionCheck(Check):
    """``def provision_tenant(...)``, ``class LicenseValidator``: names the policy lists per category."""

    GATE = gates.definitions

    VALID = (
        Valid("def entitlement_status(tenant):\n    pass\nclass EntitlementStatusResponse:\n    pass\n"),
        Valid("def provision_server():\n    pass\ndef license_text():\n    pass\n"),
        Valid("provision_tenant = None\nprint('def provision_tenant')\n"),
        Valid("class TenantProvisioningRequest:\n    pass\n"),
    )
    INVALID = (
        Invalid("def ▶provision_tenant(name):\n    pass\n", SAAS),
        Invalid("class ▶TenantProvisioner:\n    pass\n", SAAS),
        Invalid("async def ▶deprovisionTenants():\n    pass\n", SAAS),
        Invalid("class Router:\n    def ▶tenant_db_isolation(self):\n        pass\n", SAAS),
        Invalid("def ▶validate_license(key):\n    pass\n", ENTERPRISE),
        Invalid("class ▶LicenceVerifier:\n    pass\n", ENTERPRISE),
        Invalid("def ▶bind_entitlements(tenant, plan):\n    pass\n", ENTERPRISE),
    )

    def _check(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef, keyword: str, kind: str) -> None:
        snake = snake_case(node.name)
        for pattern in self.context.section.implementations:
            if pattern.matches(snake):
                where = self.context.after_keyword(node, keyword, re.escape(node.name))
                self.report(
                    where or self.context.span(node),
                    definition_rule(pattern.category),
                    node.name,
                    f"The {kind} {node.name} implements private functionality ({pattern.category.value}); such "
                    "code belongs in the private SaaS / Enterprise repository, not in the Community edition.",
                )
                return

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._check(node, "def", "function")

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._check(node, r"async(?:[ \t\f]|\\\r?\n)+def", "function")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._check(node, "class", "class")


class _MarkerCheck(Check):
    @classmethod
    def fits_fragment(cls, first_line: int, indent: int) -> bool:
        return first_line == 1 and indent == 0  # a header or docstring opens the module

    def _search(self, offset: int, text: str, patterns: tuple[CompiledPattern, ...], what: str) -> bool:
        """Report the first match of ``patterns`` in ``text``, which starts at ``offset`` of the file."""
        for pattern in patterns:
            match = pattern.regex.search(text)
            if match is not None:
                start, end = match.span(pattern.group)
                self.report(
                    (offset + start, offset + end),
                    MARKER_RULE,
                    match.group(pattern.group),
                    f"The module's {what} marks it as Enterprise / private code; move the module to the private "
                    "repository, or remove the marker if it really is Community code.",
                )
                return True
        return False


class EditionMarkerCheck(_MarkerCheck):
    """``__edition__`` bound to an Enterprise edition name (``"enterprise"``) at module level."""

    GATE = gates.edition

    @classmethod
    def fits_fragment(cls, first_line: int, indent: int) -> bool:
        return indent == 0  # only an unindented fragment is at module level

    VALID = (
        Valid('__edition__ = "community"\n'),
        Valid('if __edition__ == "enterprise":\n    pass\n'),
        # cavra: allow policy/enterprise-edition-marker -- a negative example of this check
        Valid('def f():\n    __edition__ = "enterprise"\n'),
    )
    INVALID = (
        Invalid('__edition__ = ▶"enterprise"\n', ENTERPRISE),
        Invalid('__edition__: str = ▶"Enterprise"\n', ENTERPRISE),
    )

    def visit_Module(self, node: ast.Module) -> None:
        for statement in node.body:
            if isinstance(statement, ast.Assign):
                targets, value = statement.targets, statement.value
            elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
                targets, value = [statement.target], statement.value
            else:
                continue
            named = any(isinstance(target, ast.Name) and target.id == "__edition__" for target in targets)
            edition = string_value(value) if named else None
            if edition is not None and edition.strip().lower() in self.context.section.editions:
                self.report(
                    self.context.span(value),
                    MARKER_RULE,
                    edition,
                    "__edition__ marks this module as Enterprise code; Enterprise-only code must not be "
                    "published in the Community repository.",
                )


class LicenceHeaderCheck(_MarkerCheck):
    """A licence header naming the Enterprise licence, in the comments that open the module."""

    GATE = gates.headers

    VALID = (
        Valid("# SPDX-License-Identifier: Apache-2.0\nimport os\n"),
        Valid("import os\n# LicenseRef-CAVRA-Enterprise is what the private edition uses\n"),
        Valid('"""Compare the CAVRA Enterprise License with the Community licence."""\n'),
    )
    INVALID = (
        # cavra: allow policy/enterprise-license-header -- an example of this check
        Invalid("# SPDX-License-Identifier: ▶LicenseRef-CAVRA-Enterprise\nimport os\n", ENTERPRISE),
        Invalid(
            "#!/usr/bin/env python\n# Copyright CAVRA\n#\n# Licensed under the ▶CAVRA Enterprise License.\n"
            "\nimport os\n",
            ENTERPRISE,
        ),
    )

    def visit_Module(self, node: ast.Module) -> None:
        if node.body:
            first = node.body[0]
            decorators = getattr(first, "decorator_list", ())
            head = self.context.positions.start(decorators[0] if decorators else first)
        else:
            head = len(self.context.text)
        for comment in _COMMENT_LINE.finditer(self.context.text, 0, head):
            if self._search(
                comment.start("comment"), comment.group("comment"), self.context.section.headers, "licence header"
            ):
                return


class DocstringBannerCheck(_MarkerCheck):
    """A private / confidential / Enterprise-only banner in the module docstring."""

    GATE = gates.docstrings

    VALID = (
        Valid('"""Public helpers for the Community edition."""\n'),
        Valid('"""Helpers.\n\nPrivate functions start with an underscore."""\n'),
        Valid('import os\n"""CONFIDENTIAL: not a docstring, a string after an import."""\n'),
    )
    INVALID = (
        # cavra: allow policy/enterprise-confidential-banner -- an example of this check
        Invalid('"""▶CONFIDENTIAL - CAVRA SaaS tenant router."""\n', ENTERPRISE),
        Invalid('"""Tenant billing jobs.\n\n▶PRIVATE: internal use by the SaaS team.\n"""\n', ENTERPRISE),
        Invalid('# coding: utf-8\n"""SSO bridge (▶Enterprise-only)."""\n', ENTERPRISE),
    )

    def visit_Module(self, node: ast.Module) -> None:
        first = node.body[0] if node.body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
            # The docstring's code as written (quotes, escapes, implicitly joined pieces), searched in place.
            start, end = self.context.span(first.value)
            self._search(start, self.context.text[start:end], self.context.section.docstrings, "docstring")


# A comment alone on its line (the head of a module holds nothing else).
_COMMENT_LINE = re.compile(r"(?m)^[ \t\f]*(?P<comment>#[^\r\n]*)")
