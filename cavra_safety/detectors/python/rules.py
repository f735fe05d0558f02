"""The rules of the Python checks (no checks here: the detector lists its rules without importing them).

Rule ids name the category first, like the policy rules (``policy/tenant-id-value``): one rule per category, so
that ``--category`` and ``--exclude-category`` select Python findings exactly.
"""

from __future__ import annotations

from cavra_safety.findings import Category, RuleInfo, Severity, Specificity
from cavra_safety.policy.python_section import PythonSection

RULE_PREFIX = "python/"
BINDING_CATEGORIES = (
    Category.TENANT_ID,
    Category.LICENSE_KEY,
    Category.WEBHOOK_SECRET,
    Category.BILLING_SECRET,
    Category.CONNECTOR_CREDENTIAL,
)
_CATEGORY_NOUNS = {
    Category.TENANT_ID: "tenant ID",
    Category.LICENSE_KEY: "license key",
    Category.WEBHOOK_SECRET: "webhook secret",
    Category.BILLING_SECRET: "billing secret",
    Category.CONNECTOR_CREDENTIAL: "credential",
}


def category_noun(category: Category) -> str:
    return _CATEGORY_NOUNS.get(category, category.value)


def binding_rule(category: Category) -> RuleInfo:
    return RuleInfo(
        f"{RULE_PREFIX}{category.value}-binding",
        category,
        Severity.HIGH,
        f"Literal {category_noun(category)} bound to a sensitive name in Python code",
        "A string literal is assigned, passed or defaulted to a name that holds a secret.",
        Specificity.GENERIC,
    )


def import_rule(category: Category) -> RuleInfo:
    return RuleInfo(
        f"{RULE_PREFIX}{category.value}-import",
        category,
        Severity.HIGH,
        f"Python import of a private module ({category.value})",
        "An import statement or a dynamic import names a module the policy marks as private.",
    )


def definition_rule(category: Category) -> RuleInfo:
    return RuleInfo(
        f"{RULE_PREFIX}{category.value}-definition",
        category,
        Severity.MEDIUM,
        f"Python implementation of private functionality ({category.value})",
        "A function or class whose name says it implements private SaaS / Enterprise functionality.",
    )


MARKER_RULE = RuleInfo(
    f"{RULE_PREFIX}enterprise-marker",
    Category.ENTERPRISE_IMPLEMENTATION,
    Severity.HIGH,
    "Enterprise marker in a Python module",
    "__edition__, a licence header or a docstring banner marks the module as Enterprise code.",
)


def python_rules(section: PythonSection) -> tuple[RuleInfo, ...]:
    """Every rule the checks can report under ``section``."""
    rules = [binding_rule(category) for category in BINDING_CATEGORIES]
    rules += [import_rule(category) for category in dict.fromkeys(p.category for p in section.modules)]
    rules += [definition_rule(category) for category in dict.fromkeys(p.category for p in section.implementations)]
    if section.editions or section.headers or section.docstrings:
        rules.append(MARKER_RULE)
    return tuple(rules)
