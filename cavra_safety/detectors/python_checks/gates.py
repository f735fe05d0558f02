"""The cheap text tests that decide whether a file is parsed at all (no libcst here, so that a scan that parses
nothing never imports it). Each check names its gate; the detector evaluates each gate once per file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from cavra_safety.detectors.python_checks.names import snake_case
from cavra_safety.detectors.python_checks.prefilter import may_bind_a_secret
from cavra_safety.policy.patterns import CompiledPattern
from cavra_safety.policy.python_section import ModulePattern, PythonSection

Gate = Callable[[PythonSection, str, str], bool]
"""``gate(section, text, lower)``: whether the file could hold a violation of the checks behind it."""

DYNAMIC_IMPORT_WORDS = ("import_module", "__import__")
# Headers and docstring banners open a module: their gates only read this much of the text.
HEAD_CHARS = 4096
_BINDING_WORDS = ("tenant", "licen", "product", "activation", "hook", "signing", "whsec", "billing", "payment",
                  "stripe", "braintree", "adyen", "paddle", "chargebee", "recurly", "paypal", "pass", "pwd",
                  "secret", "token", "credential", "key")


def any_keyword(keywords: Iterable[str], lower: str) -> bool:
    return any(keyword in lower for keyword in keywords)


def imports(section: PythonSection, text: str, lower: str) -> bool:
    """The literal part of some private module's name occurs."""
    return any(not pattern.keyword or pattern.keyword in lower for pattern in section.modules)


def _stems(pattern: ModulePattern) -> tuple[str, ...]:
    """The words (4+ letters) of a pattern's literal parts: ``cavra_saas`` -> ``cavra``, ``saas``."""
    return tuple(word for word in re.split(r"[^a-z0-9]+", pattern.keyword) if len(word) >= 4)


def dynamic_imports(section: PythonSection, text: str, lower: str) -> bool:
    """A dynamic import, and a word of some private module's name (the name may be built from pieces)."""
    if not section.modules or not any_keyword(DYNAMIC_IMPORT_WORDS, lower):
        return False
    return any(not stems or any_keyword(stems, lower) for stems in map(_stems, section.modules))


def bindings(section: PythonSection, text: str, lower: str) -> bool:
    """A literal bound to a sensitive name whose value could be reported (see ``prefilter``)."""
    return any_keyword(_BINDING_WORDS, lower) and may_bind_a_secret(text)


def definitions(section: PythonSection, text: str, lower: str) -> bool:
    """A def or class whose name has a keyword and matches a pattern (``def provision_tenant``)."""
    if not section.implementations or not any_keyword(section.implementation_keywords, lower):
        return False
    alternatives = "|".join(re.escape(keyword) for keyword in section.implementation_keywords)
    names = re.findall(rf"(?i)\b(?:def|class)\s+(\w*(?:{alternatives})\w*)", text)
    return any(pattern.matches(snake_case(name)) for name in names for pattern in section.implementations)


def edition(section: PythonSection, text: str, lower: str) -> bool:
    return bool(section.editions) and "__edition__" in lower


def _head(section: PythonSection, text: str, lower: str, patterns: tuple[CompiledPattern, ...]) -> bool:
    """A keyword, then one of ``patterns``, in the head of the module (the tree then says whether the match is
    in a header comment or the docstring)."""
    if not patterns or not any_keyword(section.marker_keywords, lower[:HEAD_CHARS]):
        return False
    head = text[:HEAD_CHARS]
    return any(pattern.regex.search(head) is not None for pattern in patterns)


def headers(section: PythonSection, text: str, lower: str) -> bool:
    return _head(section, text, lower, section.headers)


def docstrings(section: PythonSection, text: str, lower: str) -> bool:
    return _head(section, text, lower, section.docstrings)


GATES: tuple[Gate, ...] = (imports, dynamic_imports, bindings, definitions, edition, headers, docstrings)
