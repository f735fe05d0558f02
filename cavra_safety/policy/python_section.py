"""The ``[python]`` table of a policy pack: what the Python syntax-tree checks look for.

```toml
[python.modules]                 # dotted module patterns per category
saas-backend-source = ["cavra_saas", "cavra_cloud", "**.provisioning"]
enterprise-implementation = ["cavra_enterprise"]

[python.implementations]         # RE2 patterns on snake_case function / class names, per category
keywords = ["provision", "licen"]  # cheap literals: a file is parsed for these checks only when one occurs
saas-backend-source = ['''(?:^|_)provision(?:s|ed|ing|er)?_tenants?(?:_|$)''']

[python.markers]                 # module-level Enterprise markers
keywords = ["enterprise", "confidential"]
editions = ["enterprise"]        # values of __edition__ that mark Enterprise code
headers = ['''LicenseRef-CAVRA-Enterprise''']   # RE2, searched in the comments that open the module
docstrings = ['''\\bCONFIDENTIAL\\b''']          # RE2, searched in the module docstring
```

A module pattern is a dotted path whose segments are globs (``*`` inside one segment, ``**`` for any number
of whole segments); it matches a module and every submodule of it, segment by segment, so ``cavra_saas``
matches ``cavra_saas.billing`` but not ``cavra_saasy`` or ``mycavra_saas``. Several packs' tables are merged.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

from cavra_safety.findings import Category
from cavra_safety.policy.fields import Fields
from cavra_safety.redaction import quoted
from cavra_safety.regex import CompiledPattern, PatternError

SECTION = "python"
_SEGMENT = re.compile(r"\*\*|[A-Za-z0-9_*?\[\]!-]+")
_WILDCARDS = re.compile(r"[*?\[\]!]+")


@dataclass(frozen=True)
class ModulePattern:
    text: str
    category: Category
    segments: tuple[str, ...]

    @cached_property
    def keyword(self) -> str:
        """The longest literal in the pattern, lower-cased: a file that lacks it cannot import the module by
        name ('' when the pattern has no literal, which disables the gate)."""
        literals = [part for segment in self.segments for part in _WILDCARDS.split(segment)]
        return max(literals, key=len, default="").lower()

    def matches(self, module: str) -> bool:
        """Whether ``module`` (dotted) is the pattern's module or a submodule of it."""
        parts = tuple(part for part in module.split(".") if part)
        return bool(parts) and _match_prefix(self.segments, parts)


def _match_prefix(pattern: tuple[str, ...], parts: tuple[str, ...]) -> bool:
    """Whether ``pattern`` matches some leading run of ``parts`` (the module or one of its parents)."""
    if not pattern:
        return True
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        return any(_match_prefix(rest, parts[skip:]) for skip in range(len(parts) + 1))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], head) and _match_prefix(rest, parts[1:])


@dataclass(frozen=True)
class NamePattern:
    pattern: CompiledPattern
    category: Category

    def matches(self, snake_name: str) -> bool:
        return self.pattern.regex.search(snake_name) is not None


@dataclass(frozen=True)
class PythonSection:
    """Everything the ``[python]`` tables of the loaded packs ask for (empty: only the built-in checks run)."""

    modules: tuple[ModulePattern, ...] = ()
    implementations: tuple[NamePattern, ...] = ()
    implementation_keywords: tuple[str, ...] = ()
    marker_keywords: tuple[str, ...] = ()
    editions: tuple[str, ...] = ()
    headers: tuple[CompiledPattern, ...] = ()
    docstrings: tuple[CompiledPattern, ...] = ()


def merge_sections(sections: Iterable[PythonSection]) -> PythonSection:
    """One section from several packs, in load order, duplicates kept once."""
    parts = list(sections)

    def union(name: str) -> tuple[object, ...]:
        return tuple(dict.fromkeys(item for part in parts for item in getattr(part, name)))

    return PythonSection(**{name: union(name) for name in PythonSection.__dataclass_fields__})  # type: ignore[arg-type]


def _module_pattern(fields: Fields, key: str, index: int, text: str, category: Category) -> ModulePattern | None:
    segments = tuple(text.split("."))
    if not text or not all(_SEGMENT.fullmatch(segment) for segment in segments):
        fields.problem(
            f"{key}[{index}]",
            f"{quoted(text)} is not a dotted module pattern (segments of letters, digits, _ and globs, or **)",
        )
        return None
    if all(segment == "**" for segment in segments):
        fields.problem(f"{key}[{index}]", f"{quoted(text)} would match every module")
        return None
    return ModulePattern(text, category, segments)


def _categories(fields: Fields, table: Mapping[str, object], reserved: tuple[str, ...]) -> list[tuple[str, Category]]:
    """The keys of ``table`` that name categories; any other key not in ``reserved`` is reported."""
    found: list[tuple[str, Category]] = []
    for key in table:
        if key in reserved:
            continue
        try:
            found.append((key, Category.parse(key)))
        except ValueError as error:
            fields.problem(key, str(error))
            fields.known.add(key)  # reported here; not again as an unknown field
    return found


def _regexes(fields: Fields, key: str) -> tuple[CompiledPattern, ...]:
    compiled: list[CompiledPattern] = []
    for index, text in enumerate(fields.strings(key, required=False)):
        try:
            compiled.append(CompiledPattern.compile(text))
        except PatternError as error:
            fields.problem(f"{key}[{index}]", f"invalid regex: {error}")
    return tuple(compiled)


def _lower(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value.lower() for value in values))


def parse_python_section(table: object, source: str, problems: list[str]) -> PythonSection | None:
    """The ``[python]`` table of the pack ``source``; problems are appended as ``source: python.field: ...``."""
    top = Fields({SECTION: table}, source, problems)
    python = top.table(SECTION)
    if python is None:
        return None
    fields = top.nested(python, SECTION)
    modules: list[ModulePattern] = []
    names: list[NamePattern] = []
    implementation_keywords: tuple[str, ...] = ()
    marker = PythonSection()
    module_table = fields.table("modules")
    if module_table is not None:
        sub = fields.nested(module_table, "modules")
        for key, category in _categories(sub, module_table, ()):
            for index, text in enumerate(sub.strings(key)):
                pattern = _module_pattern(sub, key, index, text, category)
                if pattern is not None:
                    modules.append(pattern)
        sub.finish()
    implementation_table = fields.table("implementations")
    if implementation_table is not None:
        sub = fields.nested(implementation_table, "implementations")
        implementation_keywords = _lower(sub.strings("keywords"))
        for key, category in _categories(sub, implementation_table, ("keywords",)):
            names.extend(NamePattern(pattern, category) for pattern in _regexes(sub, key))
        sub.finish()
    marker_table = fields.table("markers")
    if marker_table is not None:
        sub = fields.nested(marker_table, "markers")
        marker = PythonSection(
            marker_keywords=_lower(sub.strings("keywords")),
            editions=_lower(sub.strings("editions", required=False)),
            headers=_regexes(sub, "headers"),
            docstrings=_regexes(sub, "docstrings"),
        )
        sub.finish()
    fields.finish()
    return PythonSection(
        modules=tuple(modules),
        implementations=tuple(names),
        implementation_keywords=implementation_keywords,
        marker_keywords=marker.marker_keywords,
        editions=marker.editions,
        headers=marker.headers,
        docstrings=marker.docstrings,
    )
