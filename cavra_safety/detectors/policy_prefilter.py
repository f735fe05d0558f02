"""The policy detector's one pass per file: every regex rule's patterns and every rule's keywords in one
Hyperscan database (``multipattern``), compiled once per policy and kept in the user's cache folder
(``pattern_cache``).

Ids: pattern ``i`` of the flattened regex-rule patterns is id ``i``; keyword ``j`` of the sorted keyword list
is id ``len(patterns) + j``. A regex rule is *prefiltered* when every one of its patterns is in the database;
the others (a pattern with non-ASCII text, one Hyperscan refuses) keep the keyword-gated path, as every rule
does where no engine is installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cavra_safety import multipattern
from cavra_safety.detectors.pattern_cache import cached_database
from cavra_safety.multipattern import LinePrefilter
from cavra_safety.policy import PolicyRule, RegexRule


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
