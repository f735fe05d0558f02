"""The loaded policy: packs, category titles, compiled rules and deny-lists. All frozen values.

A regex rule knows how to find its values on one line (``RegexRule.find``); a record rule delegates to
``records``; a deny-list knows whether a token is listed. Which lines and files reach them (paths, keyword
gates) is the detector's business.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from cavra_safety.findings import Category, RuleInfo
from cavra_safety.policy.denylist import digest
from cavra_safety.policy.placeholders import is_placeholder
from cavra_safety.policy.python_section import PythonSection
from cavra_safety.redaction import shannon_entropy
from cavra_safety.regex import CompiledPattern

if TYPE_CHECKING:
    import pathspec

RULE_PREFIX = "policy/"
DENYLIST_PREFIX = "denylist-"


class Visibility(enum.StrEnum):
    PUBLIC = "public"
    PRIVATE = "private"
    ENTERPRISE = "enterprise"


class Kind(enum.StrEnum):
    REGEX = "regex"
    RECORD = "record"


@dataclass(frozen=True)
class PackInfo:
    """One loaded pack file. ``source`` is the path as shown in messages (relative to the working directory
    when below it)."""

    name: str
    version: str
    path: Path
    sha256: str
    visibility: Visibility = Visibility.PUBLIC
    description: str = ""
    source: str = ""


@dataclass(frozen=True)
class CategoryInfo:
    title: str
    description: str = ""


@dataclass(frozen=True)
class Example:
    """An example text and the path it is scanned as (some rules only run on some file types)."""

    text: str
    path: str = "example.txt"


@dataclass(frozen=True)
class PathFilter:
    """gitignore-style globs on the POSIX path: a file must match an include (if any) and no exclude.

    ``build`` compiles the globs now (a user's pack: a malformed glob is a load error); ``deferred`` compiles
    them on the first path asked about, for packs already known valid (the packs shipped with the scanner,
    which the tests load in full, and a user's pack the cache has seen load cleanly): a hook run then
    compiles only the filters of the rules whose keywords occur in its files."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def build(cls, include: tuple[str, ...], exclude: tuple[str, ...]) -> PathFilter:
        """Raises ``ValueError`` (from pathspec) for a malformed glob."""
        built = cls(include=include, exclude=exclude)
        _ = built.include_spec, built.exclude_spec
        return built

    @classmethod
    def deferred(cls, include: tuple[str, ...], exclude: tuple[str, ...]) -> PathFilter:
        return cls(include=include, exclude=exclude)

    @cached_property
    def include_spec(self) -> pathspec.GitIgnoreSpec | None:
        return _spec(self.include)

    @cached_property
    def exclude_spec(self) -> pathspec.GitIgnoreSpec | None:
        return _spec(self.exclude)

    def accepts(self, path: str) -> bool:
        if self.include_spec is not None and not self.include_spec.match_file(path):
            return False
        return not (self.exclude_spec is not None and self.exclude_spec.match_file(path))


def _spec(globs: tuple[str, ...]) -> pathspec.GitIgnoreSpec | None:
    if not globs:
        return None
    import pathspec  # on the first path a rule with globs is asked about: a hook run often never is

    return pathspec.GitIgnoreSpec.from_lines(globs)


@dataclass(frozen=True)
class ValueFilter:
    """What makes a captured value not worth reporting: placeholders (always), then the rule's own filters."""

    allow: tuple[CompiledPattern, ...] = ()
    stop_words: tuple[str, ...] = ()
    min_length: int = 0
    min_entropy: float = 0.0

    def accepts(self, value: str) -> bool:
        if len(value) < self.min_length or is_placeholder(value):
            return False
        if self.stop_words:
            lowered = value.lower()
            if any(word in lowered for word in self.stop_words):
                return False
        if any(allow.regex.search(value) is not None for allow in self.allow):
            return False
        return not (self.min_entropy and shannon_entropy(value) < self.min_entropy)


@dataclass(frozen=True)
class RuleBase:
    """What every pack rule has. ``id`` is the pack's id; ``info.rule_id`` is ``policy/<id>``."""

    id: str
    info: RuleInfo
    message: str
    keywords: tuple[str, ...]
    values: ValueFilter
    paths: PathFilter | None
    examples: tuple[Example, ...]
    negative_examples: tuple[Example, ...]
    pack: str
    source: str

    def applies_to(self, path: str) -> bool:
        return self.paths is None or self.paths.accepts(path)


@dataclass(frozen=True)
class RegexRule(RuleBase):
    patterns: tuple[CompiledPattern, ...] = ()
    kind: Kind = Kind.REGEX

    def find(self, line: str) -> Iterator[tuple[int, str]]:
        """``(0-based start, value)`` of every accepted value on ``line``, each place reported once."""
        seen: set[tuple[int, int]] = set()
        for pattern in self.patterns:
            for match in pattern.regex.finditer(line):
                start, end = match.span(pattern.group)
                if start < 0 or (start, end) in seen:
                    continue  # the value group did not take part in this alternative, or already reported
                seen.add((start, end))
                value = line[start:end]
                if self.values.accepts(value):
                    yield start, value


@dataclass(frozen=True)
class RecordRule(RuleBase):
    identifier_keys: tuple[str, ...] = ()
    companion_keys: tuple[str, ...] = ()
    min_companions: int = 1
    window: int = 10
    kind: Kind = Kind.RECORD


PolicyRule = RegexRule | RecordRule


@dataclass(frozen=True)
class DenyList:
    """Salted hashes of private values (see ``denylist``); rule id ``policy/denylist-<id>``."""

    id: str
    info: RuleInfo
    message: str
    salt: bytes
    case_sensitive: bool
    hashes: frozenset[str]
    pack: str
    source: str

    def lists(self, token: str) -> bool:
        return digest(self.salt, token, self.case_sensitive) in self.hashes


@dataclass(frozen=True)
class Policy:
    """Everything loaded from the packs. ``rules`` and ``denylists`` include disabled rules: the engine runs
    them and drops their findings only after overlaps are resolved, so that disabling a value's most specific
    rule silences the value (``precedence``)."""

    packs: tuple[PackInfo, ...] = ()
    categories: Mapping[Category, CategoryInfo] = field(default_factory=dict)
    rules: tuple[PolicyRule, ...] = ()
    denylists: tuple[DenyList, ...] = ()
    python: PythonSection = field(default_factory=PythonSection)  # the [python] tables, for the Python detector
    # What is wrong with the packs, when loaded with ``load_policy(..., deferred=True)``: the engine reports it
    # with the configuration's problems and the unknown rule ids of every detector, in one error.
    problems: tuple[str, ...] = ()

    @property
    def rule_infos(self) -> tuple[RuleInfo, ...]:
        """Every policy rule, deny-lists included, in load order."""
        return tuple(rule.info for rule in self.rules) + tuple(deny.info for deny in self.denylists)

    def find_rule(self, rule_id: str) -> PolicyRule | DenyList | None:
        """A rule by ``policy/<id>`` or bare ``<id>``."""
        wanted = rule_id if rule_id.startswith(RULE_PREFIX) else RULE_PREFIX + rule_id
        for candidate in (*self.rules, *self.denylists):
            if candidate.info.rule_id == wanted:
                return candidate
        return None
