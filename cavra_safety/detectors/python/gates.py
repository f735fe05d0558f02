"""The cheap text tests that decide whether a file is parsed at all, and for which checks.

One RE2 set pass over the lower-cased text finds which of every gate's literal keywords occur
(``PythonGates.open``); each gate then decides from that set, and only a few look at the text again (the binding
prefilter, the names after ``def`` / ``class``, the head of the module). Each check names its gate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from cavra_safety.detectors.python.names import snake_case
from cavra_safety.detectors.python.prefilter import may_bind_a_secret
from cavra_safety.multipattern import SHARED_GATES
from cavra_safety.policy.python_section import ModulePattern, PythonSection
from cavra_safety.regex import CompiledPattern, KeywordGate


@dataclass(frozen=True)
class FileText:
    """A file as the gates see it: its text, which gate keywords occur in it (case-insensitively), and its head
    lower-cased."""

    text: str
    present: frozenset[str]

    @cached_property
    def lower_head(self) -> str:
        return self.text[:HEAD_CHARS].lower()


Gate = Callable[[PythonSection, FileText], bool]
"""``gate(section, file)``: whether the file could hold a violation of the checks behind it."""

DYNAMIC_IMPORT_WORDS = ("import_module", "__import__")
EDITION_WORD = "__edition__"
# Headers and docstring banners open a module: their gates only read this much of the text.
HEAD_CHARS = 4096
BINDING_WORDS = (
    "tenant",
    "licen",
    "product",
    "activation",
    "hook",
    "signing",
    "whsec",
    "billing",
    "payment",
    "stripe",
    "braintree",
    "adyen",
    "paddle",
    "chargebee",
    "recurly",
    "paypal",
    "pass",
    "pwd",
    "secret",
    "token",
    "credential",
    "key",
)


def _stems(pattern: ModulePattern) -> tuple[str, ...]:
    """The words (4+ letters) of a pattern's literal parts: ``cavra_saas`` -> ``cavra``, ``saas``."""
    return tuple(word for word in re.split(r"[^a-z0-9]+", pattern.keyword) if len(word) >= 4)


def imports(section: PythonSection, file: FileText) -> bool:
    """The literal part of some private module's name occurs."""
    return any(not pattern.keyword or pattern.keyword in file.present for pattern in section.modules)


def dynamic_imports(section: PythonSection, file: FileText) -> bool:
    """A dynamic import, and a word of some private module's name (the name may be built from pieces)."""
    if not section.modules or file.present.isdisjoint(DYNAMIC_IMPORT_WORDS):
        return False
    return any(not stems or not file.present.isdisjoint(stems) for stems in map(_stems, section.modules))


def bindings(section: PythonSection, file: FileText) -> bool:
    """A literal bound to a sensitive name whose value could be reported (see ``prefilter``)."""
    return not file.present.isdisjoint(BINDING_WORDS) and may_bind_a_secret(file.text)


def definitions(section: PythonSection, file: FileText) -> bool:
    """A def or class whose name has a keyword and matches a pattern (``def provision_tenant``)."""
    keywords = [keyword for keyword in section.implementation_keywords if keyword in file.present]
    if not section.implementations or not keywords:
        return False
    alternatives = "|".join(re.escape(keyword) for keyword in keywords)
    names = re.findall(rf"(?i)\b(?:def|class)\s+(\w*(?:{alternatives})\w*)", file.text)
    return any(pattern.matches(snake_case(name)) for name in names for pattern in section.implementations)


def edition(section: PythonSection, file: FileText) -> bool:
    return bool(section.editions) and EDITION_WORD in file.present


def _head(section: PythonSection, file: FileText, patterns: tuple[CompiledPattern, ...]) -> bool:
    """A keyword, then one of ``patterns``, in the head of the module (the tree then says whether the match is
    in a header comment or the docstring)."""
    if not patterns or file.present.isdisjoint(section.marker_keywords):
        return False
    if not any(keyword in file.lower_head for keyword in section.marker_keywords):
        return False
    head = file.text[:HEAD_CHARS]
    return any(pattern.regex.search(head) is not None for pattern in patterns)


def headers(section: PythonSection, file: FileText) -> bool:
    return _head(section, file, section.headers)


def docstrings(section: PythonSection, file: FileText) -> bool:
    return _head(section, file, section.docstrings)


GATES: tuple[Gate, ...] = (imports, dynamic_imports, bindings, definitions, edition, headers, docstrings)


def gate_keywords(section: PythonSection) -> tuple[str, ...]:
    """Every literal some gate of ``section`` asks about."""
    module_words = [word for pattern in section.modules for word in (pattern.keyword, *_stems(pattern)) if word]
    return tuple(
        dict.fromkeys(
            (
                *BINDING_WORDS,
                *DYNAMIC_IMPORT_WORDS,
                EDITION_WORD,
                *module_words,
                *section.implementation_keywords,
                *section.marker_keywords,
            )
        )
    )


class PythonGates:
    """The gates of one ``[python]`` section, their keywords compiled once into one RE2 set."""

    def __init__(self, section: PythonSection) -> None:
        self.section = section
        keywords = gate_keywords(section)
        self._keywords = KeywordGate(keywords, ignore_case=True)
        self._shared = SHARED_GATES.gate(keywords=keywords)  # a large scan's one pass answers it instead
        self._words = keywords

    def read(self, text: str, data: bytes) -> FileText:
        """``data``: the text's UTF-8, where the keywords are looked for without a lower-cased copy."""
        shared = self._shared.present(data)
        if shared is None:
            return FileText(text, frozenset(self._keywords.present(data)))
        return FileText(text, frozenset(self._words[index] for index in shared))

    def open(self, file: FileText, gates: tuple[Gate, ...] = GATES) -> set[Gate]:
        """Which of ``gates`` say the file may hold a violation."""
        return {gate for gate in gates if gate(self.section, file)}
