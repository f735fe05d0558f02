"""One pack file's TOML to values: ``[pack]``, ``[categories.*]``, ``[[rules]]`` and ``[[denylist]]``.

Every problem is collected (see ``fields``); a broken rule is left out and the others still parsed, so the
caller can report the whole file at once. Cross-pack checks (duplicate ids, missing categories) are the
loader's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cavra_safety.findings import Category, RuleInfo, Severity, Specificity
from cavra_safety.policy import denylist as hashing
from cavra_safety.policy.fields import Fields
from cavra_safety.policy.model import (
    DENYLIST_PREFIX,
    RULE_PREFIX,
    CategoryInfo,
    DenyList,
    Example,
    Kind,
    PackInfo,
    PathFilter,
    PolicyRule,
    RecordRule,
    RegexRule,
    ValueFilter,
    Visibility,
)
from cavra_safety.policy.python_section import PythonSection, parse_python_section
from cavra_safety.redaction import quoted, redact_secrets
from cavra_safety.regex import CompiledPattern, PatternError

PACK_NAME = re.compile(r"[a-z0-9-]+")
RULE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
EXAMPLE_PATH = re.compile(r"[^/\s][^\s]*")
SALT = re.compile(rf"[0-9a-f]{{{2 * hashing.SALT_BYTES}}}")
HASH = re.compile(rf"[0-9a-f]{{{2 * hashing.DIGEST_BYTES}}}")
SECTIONS = ("pack", "categories", "rules", "denylist", "python")


@dataclass
class ParsedPack:
    info: PackInfo
    categories: dict[Category, CategoryInfo] = field(default_factory=dict)
    rules: list[PolicyRule] = field(default_factory=list)
    denylists: list[DenyList] = field(default_factory=list)
    python: PythonSection | None = None


def _parse_visibility(value: str) -> Visibility:
    try:
        return Visibility(value)
    except ValueError:
        valid = ", ".join(v.value for v in Visibility)
        raise ValueError(f"unknown visibility {quoted(value)} (valid: {valid})") from None


def _parse_kind(value: str) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        raise ValueError(f"unknown kind {quoted(value)} (valid: {', '.join(k.value for k in Kind)})") from None


def _patterns(fields: Fields, key: str, *, required: bool, deferred: bool = False) -> tuple[CompiledPattern, ...]:
    compiled: list[CompiledPattern] = []
    for index, pattern in enumerate(fields.strings(key, required=required)):
        try:
            compiled.append(CompiledPattern.deferred(pattern) if deferred else CompiledPattern.compile(pattern))
        except PatternError as error:
            fields.problem(f"{key}[{index}]", f"invalid regex: {error}")
    return tuple(compiled)


def _examples(fields: Fields, key: str, deferred: bool = False) -> tuple[Example, ...]:
    if deferred:
        # A pack known valid (see ``parse_rule``): the checks below passed when it was first loaded, and a
        # hook run reads thousands of examples it never uses. Anything unexpected (a damaged cache entry)
        # takes the checked path, which reports it.
        quick = [_quick_example(item) for item in fields.items(key)]
        if all(example is not None for example in quick):
            return tuple(example for example in quick if example is not None)
    examples: list[Example] = []
    for index, item in enumerate(fields.items(key)):
        if isinstance(item, str):
            examples.append(Example(item))
        elif isinstance(item, dict):
            sub = fields.nested(item, f"{key}[{index}]")
            text = sub.string("text")
            path = sub.string("path", required=False, pattern=EXAMPLE_PATH, default="example.txt")
            sub.finish()
            examples.append(Example(text, path))
        else:
            fields.problem(f"{key}[{index}]", "expected a string or a table { text = ..., path = ... }")
    return tuple(examples)


def _quick_example(item: object) -> Example | None:
    if isinstance(item, str):
        return Example(item)
    if isinstance(item, dict) and isinstance(item.get("text"), str) and isinstance(item.get("path", ""), str):
        return Example(item["text"], item.get("path", "example.txt"))
    return None


def _paths(fields: Fields, deferred: bool) -> PathFilter | None:
    table = fields.table("paths")
    if table is None:
        return None
    sub = fields.nested(table, "paths")
    include, exclude = sub.strings("include", required=False), sub.strings("exclude", required=False)
    sub.finish()
    if sub.failed:
        return None
    if not include and not exclude:
        fields.problem("paths", "give include and/or exclude globs")
        return None
    try:
        return PathFilter.deferred(include, exclude) if deferred else PathFilter.build(include, exclude)
    except (ValueError, re.error) as error:
        fields.problem("paths", f"invalid glob: {error}")
        return None


def _value_filter(fields: Fields, deferred: bool) -> ValueFilter:
    return ValueFilter(
        allow=_patterns(fields, "allow-patterns", required=False, deferred=deferred),
        stop_words=tuple(word.lower() for word in fields.strings("stop-words", required=False)),
        min_length=fields.integer("min-length", default=0, minimum=0, maximum=10_000),
        min_entropy=fields.number("min-entropy", default=0.0, minimum=0.0, maximum=8.0),
    )


def _lower_keys(fields: Fields, key: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item.lower() for item in fields.strings(key)))


@dataclass
class _Entry:
    """The fields every rule and deny-list share, read at the start of parsing one ``[[rules]]`` or
    ``[[denylist]]`` table; ``before`` counts the problems known until then, so that the entry can tell
    whether it added any."""

    fields: Fields
    before: int
    id: str
    category: Category | None
    severity: Severity | None
    title: str
    message: str

    def info(self, rule_id: str, specificity: Specificity) -> RuleInfo | None:
        """The rule's descriptor, or None when this entry had problems (it is then left out)."""
        if len(self.fields.problems) > self.before or self.category is None or self.severity is None:
            return None
        return RuleInfo(rule_id, self.category, self.severity, self.title, self.message, specificity)


def _open_entry(table: object, index: int, source: str, section: str, noun: str, problems: list[str]) -> _Entry | None:
    if not isinstance(table, dict):
        problems.append(f"{source}: {section}[{index}]: expected a table")
        return None
    raw_id = table.get("id")
    valid_id = isinstance(raw_id, str) and RULE_ID.fullmatch(raw_id) is not None
    where = f'{source}: {noun} "{raw_id}"' if valid_id else f"{source}: {section}[{index}]"
    before = len(problems)
    fields = Fields(table, where, problems)
    return _Entry(
        fields=fields,
        before=before,
        id=fields.string("id", pattern=RULE_ID),
        category=fields.choice("category", Category.parse),
        severity=fields.choice("severity", Severity.parse),
        title=fields.string("title", one_line=True),
        message=fields.string("message"),
    )


def parse_rule(
    table: object, index: int, source: str, pack: str, problems: list[str], *, deferred: bool = False
) -> PolicyRule | None:
    """One ``[[rules]]`` table. ``deferred``: the patterns compile on first use (packs shipped with the scanner,
    which the test suite compiles in full), so that loading them costs no compilation."""
    entry = _open_entry(table, index, source, "rules", "rule", problems)
    if entry is None:
        return None
    fields, rule_id, message = entry.fields, entry.id, entry.message
    kind = fields.choice("kind", _parse_kind, required=False, default=Kind.REGEX)
    specificity = fields.choice("specificity", Specificity.parse, required=False, default=Specificity.SHAPE)
    keywords = _lower_keys(fields, "keywords")
    for position, keyword in enumerate(keywords):
        if "\n" in keyword:
            fields.problem(f"keywords[{position}]", "must be one line")
    values, paths = _value_filter(fields, deferred), _paths(fields, deferred)
    examples, negatives = _examples(fields, "examples", deferred), _examples(fields, "negative-examples", deferred)
    regex_fields, record_fields = ("patterns",), ("identifier-keys", "companion-keys", "min-companions", "window")
    own, foreign = (record_fields, regex_fields) if kind is Kind.RECORD else (regex_fields, record_fields)
    for name in foreign:
        if fields.present(name):
            fields.problem(name, f'not a field of kind = "{kind}" rules (those have: {", ".join(own)})')
    patterns: tuple[CompiledPattern, ...] = ()
    identifiers: tuple[str, ...] = ()
    companions: tuple[str, ...] = ()
    min_companions, window = 1, 10
    if kind is Kind.RECORD:
        identifiers, companions = _lower_keys(fields, "identifier-keys"), _lower_keys(fields, "companion-keys")
        min_companions = fields.integer("min-companions", default=1, minimum=1, maximum=max(1, len(companions)))
        window = fields.integer("window", default=10, minimum=0, maximum=1000)
    else:
        patterns = _patterns(fields, "patterns", required=True, deferred=deferred)
    fields.finish()
    info = entry.info(RULE_PREFIX + rule_id, specificity or Specificity.SHAPE)
    if info is None:
        return None
    if kind is Kind.RECORD:
        return RecordRule(
            id=rule_id,
            info=info,
            message=message,
            keywords=keywords,
            values=values,
            paths=paths,
            examples=examples,
            negative_examples=negatives,
            pack=pack,
            source=source,
            identifier_keys=identifiers,
            companion_keys=companions,
            min_companions=min_companions,
            window=window,
        )
    return RegexRule(
        id=rule_id,
        info=info,
        message=message,
        keywords=keywords,
        values=values,
        paths=paths,
        examples=examples,
        negative_examples=negatives,
        pack=pack,
        source=source,
        patterns=patterns,
    )


def parse_denylist(table: object, index: int, source: str, pack: str, problems: list[str]) -> DenyList | None:
    entry = _open_entry(table, index, source, "denylist", "denylist", problems)
    if entry is None:
        return None
    fields, list_id, message = entry.fields, entry.id, entry.message
    algorithm = fields.string("algorithm", required=False, default=hashing.ALGORITHM)
    if algorithm != hashing.ALGORITHM:
        fields.problem("algorithm", f"unsupported {quoted(algorithm)} (supported: {hashing.ALGORITHM})")
    salt = fields.string("salt", pattern=SALT)
    case_sensitive = fields.boolean("case-sensitive", default=False)
    hashes = fields.strings("hashes")
    for position, value in enumerate(hashes):
        if HASH.fullmatch(value) is None:
            fields.problem(f"hashes[{position}]", f"expected {2 * hashing.DIGEST_BYTES} lowercase hex digits")
    fields.finish()
    info = entry.info(f"{RULE_PREFIX}{DENYLIST_PREFIX}{list_id}", Specificity.LISTED)
    if info is None:
        return None
    return DenyList(
        id=list_id,
        info=info,
        message=message,
        salt=bytes.fromhex(salt),
        case_sensitive=case_sensitive,
        hashes=frozenset(hashes),
        pack=pack,
        source=source,
    )


def _categories(table: Mapping[str, object], source: str, problems: list[str]) -> dict[Category, CategoryInfo]:
    found: dict[Category, CategoryInfo] = {}
    for key, value in table.items():
        where = f'{source}: category "{redact_secrets(key)}"'
        try:
            category = Category.parse(key)
        except ValueError as error:
            problems.append(f"{where}: {error}")
            continue
        if not isinstance(value, dict):
            problems.append(f"{where}: expected a table with title and description")
            continue
        fields = Fields(value, where, problems)
        info = CategoryInfo(fields.string("title", one_line=True), fields.string("description", required=False))
        fields.finish()
        found[category] = info
    return found


def parse_pack(
    document: Mapping[str, object],
    source: str,
    path: Path,
    sha256: str,
    problems: list[str],
    *,
    deferred: bool = False,
) -> ParsedPack | None:
    top = Fields(document, source, problems)
    for section in SECTIONS:
        top.present(section)
    top.finish()
    pack_table = top.table("pack")
    if pack_table is None:
        if "pack" not in document:
            top.problem("[pack]", "required table is missing")
        return None
    fields = top.nested(pack_table, "pack")
    name = fields.string("name", pattern=PACK_NAME)
    info = PackInfo(
        name=name,
        version=fields.string("version", one_line=True),
        description=fields.string("description", required=False),
        visibility=fields.choice("visibility", _parse_visibility, required=False, default=Visibility.PUBLIC)
        or Visibility.PUBLIC,
        path=path,
        sha256=sha256,
        source=source,
    )
    fields.finish()
    parsed = ParsedPack(info)
    categories = top.table("categories")
    if categories is not None:
        parsed.categories = _categories(categories, source, problems)
    for key in ("rules", "denylist"):
        if not top.present(key):
            continue
        tables = document[key]
        if not isinstance(tables, list):
            top.problem(key, f"expected an array of tables ([[{key}]])")
            continue
        for index, table in enumerate(tables):
            if key == "rules":
                rule = parse_rule(table, index, source, name, problems, deferred=deferred)
                if rule is not None:
                    parsed.rules.append(rule)
            else:
                deny = parse_denylist(table, index, source, name, problems)
                if deny is not None:
                    parsed.denylists.append(deny)
    if top.present("python"):
        parsed.python = parse_python_section(document["python"], source, problems)
    return parsed
