"""The policy detector's one pass per file: every regex rule's patterns, and the keywords of the rules that are
not prefiltered, in one Hyperscan database (``multipattern``), compiled once per policy and kept in the user's
cache folder (``pattern_cache``).

Ids: pattern ``i`` of the flattened regex-rule patterns is id ``i``; keyword ``j`` of the keywords the database
holds is id ``len(patterns) + j``. A regex rule is *prefiltered* when every one of its patterns is in the
database: it runs on the lines the pass reports for its patterns that hold one of its keywords, so the pass
need not look for its keywords too (hundreds of them, ``:`` and ``"`` among them, each reported on nearly every
file). The others (a pattern with non-ASCII text, one Hyperscan refuses, a record rule) keep the keyword-gated
path, as every rule does where no engine is installed: their keywords are in the database, or searched for in
Python when it cannot hold them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
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
    unheld_keywords: tuple[str, ...]  # keywords of rules not prefiltered that it could not hold: searched in Python
    prefiltered: frozenset[int]  # positions of the regex rules whose every pattern is in the database


def build_rule_prefilter(
    rules: Sequence[PolicyRule], keywords: Sequence[str], *, compile_on_miss: bool = True
) -> RulePrefilter | None:
    """The prefilter of ``rules`` (whose keywords, sorted, are ``keywords``), loaded from the cache when an entry
    for exactly these patterns and keywords exists (and loads), else compiled and stored (unless
    ``compile_on_miss`` is false); None without an engine."""
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
    # The keywords of the rules expected not to be prefiltered: a pattern not eligible (Hyperscan refusing an
    # eligible one is rare: the rule's keywords are then searched for in Python, below).
    eligible = [ident for ident, source in expressions if multipattern.relaxed(source) is not None]
    expected = _prefiltered(pattern_rule, eligible)
    gated = _keywords_of(rules, expected)
    keyword_ids = [(len(patterns) + index, word) for index, word in enumerate(w for w in keywords if w in gated)]
    database = cached_database(expressions, keyword_ids, compile_on_miss=compile_on_miss)
    if database is None:
        return None
    prefiltered = _prefiltered(pattern_rule, database.ids)
    held = {ident: word for ident, word in keyword_ids if ident in database.ids}
    needed = _keywords_of(rules, prefiltered)
    in_database = frozenset(held.values())
    unheld = tuple(word for word in keywords if word in needed and word not in in_database)
    return RulePrefilter(database, pattern_rule, held, unheld, prefiltered)


def _prefiltered(pattern_rule: Sequence[int], held: Collection[int]) -> frozenset[int]:
    """The positions of the rules every pattern of which is among the ``held`` pattern ids."""
    held = frozenset(held)
    covered: dict[int, bool] = {}
    for ident, position in enumerate(pattern_rule):
        covered[position] = covered.get(position, True) and ident in held
    return frozenset(position for position, every in covered.items() if every)


def _keywords_of(rules: Sequence[PolicyRule], prefiltered: frozenset[int]) -> frozenset[str]:
    """The keywords of the rules that are not prefiltered: only those need the file-level keyword test."""
    return frozenset(
        keyword for position, rule in enumerate(rules) if position not in prefiltered for keyword in rule.keywords
    )
