"""Private implementation code: functions and classes that implement tenant provisioning, tenant database
isolation, license validation or entitlement binding (names from the policy), and module-level Enterprise
markers (``__edition__``, a licence header, a private banner in the module docstring)."""

from __future__ import annotations

import libcst as cst

from cavra_safety.detectors.python_checks import gates
from cavra_safety.detectors.python_checks.base import Candidate, Check, Invalid, Valid
from cavra_safety.detectors.python_checks.names import snake_case
from cavra_safety.detectors.python_checks.rules import MARKER_RULE, definition_rule
from cavra_safety.detectors.python_checks.strings import string_value
from cavra_safety.findings import Category
from cavra_safety.policy.patterns import CompiledPattern

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



    def _check(self, name: cst.Name, kind: str) -> None:
        snake = snake_case(name.value)
        for pattern in self.context.section.implementations:
            if pattern.matches(snake):
                self.found.append(Candidate(
                    name, definition_rule(pattern.category), name.value,
                    f"The {kind} {name.value} implements private functionality ({pattern.category.value}); such "
                    "code belongs in the private SaaS / Enterprise repository, not in the Community edition.",
                ))
                return

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._check(node.name, "function")

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._check(node.name, "class")


class _MarkerCheck(Check):

    def _search(self, node: cst.CSTNode, text: str, patterns: tuple[CompiledPattern, ...], what: str) -> bool:
        for pattern in patterns:
            match = pattern.regex.search(text)
            if match is not None:
                start, end = match.span(pattern.group)
                self.found.append(Candidate(
                    node, MARKER_RULE, match.group(pattern.group),
                    f"The module's {what} marks it as Enterprise / private code; move the module to the private "
                    "repository, or remove the marker if it really is Community code.",
                    offset=start, length=end - start,
                ))
                return True
        return False


class EditionMarkerCheck(_MarkerCheck):
    """``__edition__`` bound to an Enterprise edition name (``"enterprise"``) at module level."""

    GATE = gates.edition

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


    def visit_Module(self, node: cst.Module) -> None:
        for statement in node.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    targets = [target.target for target in small.targets]
                    value: cst.BaseExpression | None = small.value
                elif isinstance(small, cst.AnnAssign):
                    targets, value = [small.target], small.value
                else:
                    continue
                named = any(isinstance(t, cst.Name) and t.value == "__edition__" for t in targets)
                edition = string_value(value) if value is not None and named else None
                if edition is not None and edition.strip().lower() in self.context.section.editions:
                    self.found.append(Candidate(
                        value, MARKER_RULE, edition,  # type: ignore[arg-type]
                        "__edition__ marks this module as Enterprise code; Enterprise-only code must not be "
                        "published in the Community repository.",
                    ))


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
        Invalid("#!/usr/bin/env python\n# Copyright CAVRA\n#\n# Licensed under the ▶CAVRA Enterprise License.\n"
                "\nimport os\n", ENTERPRISE),
    )


    def visit_Module(self, node: cst.Module) -> None:
        lines = list(node.header)
        if node.body:
            lines.extend(node.body[0].leading_lines)
        for line in lines:
            if line.comment is not None and self._search(line.comment, line.comment.value,
                                                         self.context.section.headers, "licence header"):
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


    def visit_Module(self, node: cst.Module) -> None:
        docstring = _docstring_node(node)
        if docstring is None:
            return
        code = docstring.value if isinstance(docstring, cst.SimpleString) else cst.Module([]).code_for_node(docstring)
        self._search(docstring, code, self.context.section.docstrings, "docstring")


def _docstring_node(module: cst.Module) -> cst.BaseString | None:
    if not module.body or not isinstance(module.body[0], cst.SimpleStatementLine):
        return None
    first = module.body[0].body[0] if module.body[0].body else None
    if isinstance(first, cst.Expr) and isinstance(first.value, cst.SimpleString | cst.ConcatenatedString):
        return first.value
    return None
