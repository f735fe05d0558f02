"""The policy detector's one pass per file: every regex rule's patterns and every rule's keywords in one
Hyperscan database (``multipattern``), compiled once per policy and kept in the user's cache folder
(``cached_database``, which the secrets detector's gates use too).

Ids: pattern ``i`` of the flattened regex-rule patterns is id ``i``; keyword ``j`` of the sorted keyword list
is id ``len(patterns) + j``. A regex rule is *prefiltered* when every one of its patterns is in the database;
the others (a pattern with non-ASCII text, one Hyperscan refuses) keep the keyword-gated path, as every rule
does where no engine is installed.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cavra_safety import multipattern
from cavra_safety.multipattern import LinePrefilter
from cavra_safety.policy import PolicyRule, RegexRule
from cavra_safety.policy.cache import prune, read_entry, write_entry

FORMAT = "prefilter-2"  # bump when the database's ids or forms change
CACHE_KIND = "patterns"
KEEP_DATABASES = 8  # the newest few: a default policy, a project's packs, the secrets gates, and their past edits


@dataclass(frozen=True)
class RulePrefilter:
    """The database and the tables that map its ids back to rules and keywords."""

    database: LinePrefilter
    pattern_rule: tuple[int, ...]  # pattern id -> rule position
    keyword_of: dict[int, str]  # keyword id -> keyword, for the keywords in the database
    unheld_keywords: tuple[str, ...]  # keywords the database could not hold: searched for in Python
    prefiltered: frozenset[int]  # positions of the regex rules whose every pattern is in the database


def build_rule_prefilter(
    rules: Sequence[PolicyRule], keywords: Sequence[str], *, compile_on_miss: bool = True
) -> RulePrefilter | None:
    """The prefilter of ``rules``, loaded from the cache when an entry for exactly these patterns and keywords
    exists (and loads), else compiled and stored (unless ``compile_on_miss`` is false); None without an
    engine."""
    if not multipattern.AVAILABLE:
        return None
    patterns = [
        (position, pattern.source)
        for position, rule in enumerate(rules)
        if isinstance(rule, RegexRule)
        for pattern in rule.patterns
    ]
    pattern_rule = tuple(position for position, _ in patterns)
    expressions = [(ident, source) for ident, (_, source) in enumerate(patterns)]
    keyword_ids = [(len(patterns) + index, word) for index, word in enumerate(keywords)]
    database = cached_database(expressions, keyword_ids, compile_on_miss=compile_on_miss)
    if database is None:
        return None
    covered: dict[int, bool] = {}
    for ident, position in enumerate(pattern_rule):
        covered[position] = covered.get(position, True) and ident in database.ids
    prefiltered = frozenset(position for position, every in covered.items() if every)
    held = {ident: word for ident, word in keyword_ids if ident in database.ids}
    unheld = tuple(word for ident, word in keyword_ids if ident not in database.ids)
    return RulePrefilter(database, pattern_rule, held, unheld, prefiltered)


def cached_database(
    patterns: Sequence[tuple[int, str]], keywords: Sequence[tuple[int, str]], *, compile_on_miss: bool = True
) -> LinePrefilter | None:
    """The database of ``patterns`` and ``keywords`` (see ``LinePrefilter.build``), from the cache when it holds
    one for exactly these, else compiled and stored (unless ``compile_on_miss`` is false); None without an
    engine or anything it can hold."""
    if not multipattern.AVAILABLE:
        return None
    name = _entry_name(patterns, keywords)
    stored = read_entry(CACHE_KIND, name)
    database = LinePrefilter.load(stored) if stored is not None else None
    if database is None and compile_on_miss:
        database = LinePrefilter.build(patterns, keywords)
        if database is not None:
            write_entry(CACHE_KIND, name, database.dump())
            prune(CACHE_KIND, KEEP_DATABASES)
    return database


def _entry_name(patterns: Sequence[tuple[int, str]], keywords: Sequence[tuple[int, str]]) -> str:
    """A name that changes with anything that changes the database: its content, this format, the engine's
    version, the machine (a database is compiled for the host's CPU) and the code that writes the database's
    expressions (``multipattern``'s source: a change there needs no one to remember to bump ``FORMAT``)."""
    digest = hashlib.sha256()
    header = (FORMAT, multipattern.engine_version(), platform.machine(), sys.version)
    digest.update("\0".join(header).encode())
    digest.update(_source_of(multipattern.__file__))
    for ident, text in (*patterns, *keywords):
        digest.update(f"\0{ident}\0{text}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest() + ".hs"


def _source_of(module_file: str | None) -> bytes:
    try:
        return Path(module_file).read_bytes() if module_file else b""
    except OSError:
        return b""
