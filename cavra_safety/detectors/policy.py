"""The policy detector: the rules and deny-lists of the loaded packs, keyword-gated so most lines never reach
a regex.

A rule's pattern runs only on lines holding one of its keywords, and only in files its ``paths`` accept. Two
ways find those lines, with the same findings (a test compares them on every rule's examples):

- **One pass** (``policy_prefilter``, where Hyperscan is installed): one scan of the file reports, for every
  regex rule at once, the lines where its patterns may match and which keywords occur; the exact RE2 pattern
  then runs on the reported lines that hold a keyword. The cost barely grows with the number of rules.
- **Keyword-gated** (elsewhere, for rules the database does not hold, and for a file the prefilter declines):
  one RE2 set match over the lower-cased text says which keywords occur; the occurrences of a rule's keywords
  give the lines its patterns run on, screened first in one RE2 pass when there are many (``LineScreen``).

Record rules run on files containing one of their keywords; deny-lists tokenise the text only when a pack has
one. ``check_examples`` runs every rule's examples through a detector of that rule alone.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from functools import cached_property
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from cavra_safety.config import Config
from cavra_safety.findings import Finding, Note, RuleInfo
from cavra_safety.policy import DenyList, Example, Policy, PolicyRule, RecordRule, RegexRule
from cavra_safety.policy.denylist import tokens, unique_tokens
from cavra_safety.regex import KeywordGate, compile_regex
from cavra_safety.sources import Source

if TYPE_CHECKING:
    from cavra_safety.detectors.policy_prefilter import RulePrefilter

# A rule with more candidate lines than this in one file is first screened on all of them at once (see
# ``LineScreen``); below it, per-line matching is as cheap.
SCREEN_MIN_LINES = 4

# The one pass pays off with the amount of text: loading the pattern database from the cache (importing
# Hyperscan, reading 2 MB) costs about as much as the keyword-gated path spends on 1 MB of text, and compiling
# it a second or two. A scan loads it once it has read LOAD_AFTER_BYTES, and compiles it (when the cache does
# not hold it) after COMPILE_AFTER_BYTES, so that a hook run on a few files never waits for either. Pool
# workers, which serve large scans, load or compile it at once (``prepare``).
LOAD_AFTER_BYTES = 1 << 20
COMPILE_AFTER_BYTES = 4 << 20

# A runaway rule (a pattern matching every token of a minified file) must not flood the report: beyond this
# many findings of one rule in one file the rest are summed up in a note.
MAX_FINDINGS_PER_RULE = 200


class LineScreen:
    """Which of many candidate lines a regex rule can match at all, in one RE2 pass instead of one per line.

    The whole text (``lines_in``), or the candidate lines joined with newlines (``keep``), is searched with
    the rule's patterns in multi-line mode, where ``^`` and ``$`` hold at each line's edges as they do on the
    line alone; a match on a line alone is therefore also a match at the same place in the searched text, and
    a line is kept when any match found there overlaps it (a match that runs across lines keeps them all).
    Kept lines then go through the rule's own per-line matching, so findings are exactly those of per-line
    matching. Patterns using ``\\A`` or
    ``\\z`` (text edges, which differ between a line and the joined text) get no screen.
    """

    def __init__(self, rule: RegexRule) -> None:
        sources = [pattern.source for pattern in rule.patterns]
        usable = not any("\\A" in text or "\\z" in text for text in sources)
        self.regexes: tuple[Any, ...] | None = (
            tuple(compile_regex("(?m)" + text) for text in sources) if usable else None
        )

    def lines_in(self, data: bytes) -> set[int]:
        """0-based indexes of the lines of ``data`` (UTF-8, split on newlines) that a match overlaps."""
        assert self.regexes is not None
        spans = sorted(match.span() for regex in self.regexes for match in regex.finditer(data))
        kept: set[int] = set()
        line, counted_to = 0, 0
        for start, end in spans:
            line += data.count(b"\n", counted_to, start)
            counted_to = start
            kept.update(range(line, line + data.count(b"\n", start, max(start, end - 1)) + 1))
        return kept

    def keep(self, lines: list[str], candidates: set[int]) -> set[int]:
        if self.regexes is None:
            return candidates
        order = sorted(candidates)
        joined = "\n".join(lines[index] for index in order)
        starts = list(accumulate((len(lines[index]) + 1 for index in order), initial=0))
        kept: set[int] = set()
        for regex in self.regexes:
            for match in regex.finditer(joined):
                start, end = match.span()
                first = bisect.bisect_right(starts, start) - 1
                last = bisect.bisect_right(starts, max(start, end - 1)) - 1
                kept.update(order[first : last + 1])
        return kept


class _FileView:
    """The per-file values the rules share, each computed once and only when a rule needs it."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self._counts: dict[str, int] = {}

    @cached_property
    def lower_lines(self) -> list[str]:
        return self.source.lower.split("\n")

    def keyword_count(self, keyword: str) -> int:
        count = self._counts.get(keyword)
        if count is None:
            count = self._counts[keyword] = self.source.lower.count(keyword)
        return count

    def keyword_lines(self, keyword: str) -> set[int]:
        """0-based indexes of the lines containing ``keyword``."""
        return self.source.lines_holding(keyword)


class PolicyDetector:
    def __init__(self, rules: Sequence[PolicyRule], denylists: Sequence[DenyList], *, one_pass: bool = True) -> None:
        self._rules = tuple(rules)
        self._denylists = tuple(denylists)
        self._keywords = sorted({keyword for rule in self._rules for keyword in rule.keywords})
        self._rules_by_keyword: dict[str, list[int]] = {keyword: [] for keyword in self._keywords}
        for position, rule in enumerate(self._rules):
            for keyword in rule.keywords:
                self._rules_by_keyword[keyword].append(position)
        self._screens: dict[str, LineScreen] = {}  # built on a rule's first busy file
        self._one_pass = one_pass and bool(self._keywords)
        self._prefilter: RulePrefilter | None = None
        self._looked_in_cache = False
        self._bytes_seen = 0

    @cached_property
    def _gate(self) -> KeywordGate | None:
        return KeywordGate(self._keywords) if self._keywords else None

    def prepare(self) -> None:
        """Load (or compile) the pattern database now: a pool worker serves a large scan."""
        self._load_prefilter(compile_on_miss=True)

    def _load_prefilter(self, *, compile_on_miss: bool) -> RulePrefilter | None:
        if self._prefilter is None and self._one_pass and (compile_on_miss or not self._looked_in_cache):
            # Imported here: a hook run on a few files never reaches this line, nor pays for the import.
            from cavra_safety.detectors.policy_prefilter import build_rule_prefilter

            self._looked_in_cache = True
            self._prefilter = build_rule_prefilter(self._rules, self._keywords, compile_on_miss=compile_on_miss)
            self._one_pass = self._prefilter is not None or not compile_on_miss  # no engine: never try again
        return self._prefilter

    def _screen(self, rule: RegexRule) -> LineScreen:
        screen = self._screens.get(rule.id)
        if screen is None:
            screen = self._screens[rule.id] = LineScreen(rule)
        return screen

    @property
    def rules(self) -> tuple[RuleInfo, ...]:
        return tuple(rule.info for rule in self._rules) + tuple(deny.info for deny in self._denylists)

    def detect(self, source: Source) -> Iterator[Finding | Note]:
        counts: dict[str, int] = {}
        for finding in self._findings(source):
            counts[finding.rule_id] = counts.get(finding.rule_id, 0) + 1
            if counts[finding.rule_id] <= MAX_FINDINGS_PER_RULE:
                yield finding
        for rule_id, count in sorted(counts.items()):
            if count > MAX_FINDINGS_PER_RULE:
                yield Note(
                    source.path,
                    1,
                    f"{rule_id}: {count - MAX_FINDINGS_PER_RULE} more findings in this file "
                    f"not reported (limit {MAX_FINDINGS_PER_RULE} per rule and file)",
                )

    def _findings(self, source: Source) -> Iterator[Finding]:
        self._bytes_seen += len(source.text)
        prefilter = self._prefilter
        if prefilter is None and self._bytes_seen >= LOAD_AFTER_BYTES:
            prefilter = self._load_prefilter(compile_on_miss=self._bytes_seen >= COMPILE_AFTER_BYTES)
        hits = prefilter.database.lines(source.data) if prefilter is not None else None
        if prefilter is None or hits is None:
            present = self._gate.present(source.lower) if self._gate is not None else []
            candidates = {position for keyword in present for position in self._rules_by_keyword[keyword]}
        else:
            # A prefiltered rule is a candidate by a hit of its patterns (its lines are then kept only where one
            # of its keywords is: ``_prefiltered_work``); the others by their keywords, as without the pass.
            present = self._present(source, prefilter, hits)
            prefiltered = prefilter.prefiltered  # hundreds of rules: filter the few candidates, not that set
            candidates = {prefilter.pattern_rule[i] for i in hits if i < len(prefilter.pattern_rule)}
            candidates = {p for p in candidates if p in prefiltered}
            candidates.update(p for keyword in present for p in self._rules_by_keyword[keyword] if p not in prefiltered)
        if candidates:
            positions = [p for p in sorted(candidates) if self._rules[p].applies_to(source.path)]
            view = _FileView(source)
            work: dict[int, set[int]] = {}  # line -> positions of the regex rules to run on it
            if prefilter is not None and hits is not None:
                self._prefiltered_work(
                    view, prefilter, hits, [p for p in positions if p in prefilter.prefiltered], work
                )
                positions_gated = [p for p in positions if p not in prefilter.prefiltered]
            else:
                positions_gated = positions
            regex_gated = [p for p in positions_gated if isinstance(self._rules[p], RegexRule)]
            self._gated_work(view, regex_gated, set(present), work)
            yield from self._regex_findings(view, work)
            for position in positions:
                rule = self._rules[position]
                if isinstance(rule, RecordRule):
                    yield from self._record_findings(view, rule)
        if self._denylists:
            yield from self._denylist_findings(source)

    def _present(self, source: Source, prefilter: RulePrefilter, hits: dict[int, list[int]]) -> list[str]:
        """The keywords occurring in ``source``, from the pass (those the database could not hold, by search)."""
        found = {prefilter.keyword_of[ident] for ident in hits if ident in prefilter.keyword_of}
        if prefilter.unheld_keywords:
            # Those are (nearly always) not ASCII: an ASCII text, lower-cased, holds none, and is not lower-cased.
            ascii_text = source.data.isascii()
            found.update(
                keyword
                for keyword in prefilter.unheld_keywords
                if (keyword.isascii() or not ascii_text) and keyword in source.lower
            )
        return sorted(found)

    def _prefiltered_work(
        self,
        view: _FileView,
        prefilter: RulePrefilter,
        hits: dict[int, list[int]],
        positions: list[int],
        work: dict[int, set[int]],
    ) -> None:
        """Each prefiltered rule's lines: those the pass reports for one of its patterns that hold one of its
        keywords (as the keyword-gated path would give it)."""
        if not positions:
            return  # the usual file: nothing to do, and its lines need not be split for it
        wanted = set(positions)
        lines_of: dict[int, set[int]] = {}
        for ident, lines in hits.items():
            if ident < len(prefilter.pattern_rule) and (position := prefilter.pattern_rule[ident]) in wanted:
                lines_of.setdefault(position, set()).update(lines)
        text_lines = view.source.lines
        lowered: dict[int, str] = {}
        for position in positions:
            keywords = self._rules[position].keywords
            for index in lines_of.get(position, ()):
                if index >= len(text_lines):
                    continue
                lower = lowered.get(index)
                if lower is None:
                    lower = lowered[index] = text_lines[index].lower()
                if any(keyword in lower for keyword in keywords):
                    work.setdefault(index, set()).add(position)

    def _gated_work(self, view: _FileView, positions: list[int], present: set[str], work: dict[int, set[int]]) -> None:
        """Each keyword-gated rule's lines: those holding one of its keywords (screened when there are many)."""
        lines_of: dict[str, set[int]] = {}  # computed only for keywords of rules that apply to this path
        for position in positions:
            rule = self._rules[position]
            assert isinstance(rule, RegexRule)
            keywords = [keyword for keyword in rule.keywords if keyword in present]
            if sum(view.keyword_count(keyword) for keyword in keywords) > SCREEN_MIN_LINES:
                lines = self._screened_lines(view, rule, keywords, lines_of)
            else:
                lines = set()
                for keyword in keywords:
                    if keyword not in lines_of:
                        lines_of[keyword] = view.keyword_lines(keyword)
                    lines |= lines_of[keyword]
            for line in lines:
                work.setdefault(line, set()).add(position)

    def _regex_findings(self, view: _FileView, work: dict[int, set[int]]) -> Iterator[Finding]:
        source = view.source
        for index in sorted(work):
            text = source.lines[index]
            for position in sorted(work[index]):
                rule = self._rules[position]
                assert isinstance(rule, RegexRule)
                for start, value in rule.find(text):
                    yield Finding.create(
                        rule.info,
                        path=source.path,
                        line=index + 1,
                        column=start + 1,
                        secret=value,
                        message=rule.message,
                        commit=source.commit,
                    )

    def _screened_lines(
        self, view: _FileView, rule: RegexRule, keywords: list[str], lines_of: dict[str, set[int]]
    ) -> set[int]:
        """The keyword lines of a busy rule that its patterns can match: the screen runs over the whole text
        when lines are the text split on newlines (no carriage returns), and only then are keywords looked
        for, on the few lines it keeps; otherwise over the keyword lines joined."""
        screen = self._screen(rule)
        source = view.source
        if screen.regexes is not None and "\r" not in source.text:
            text_lines = source.lines  # the few kept lines are lower-cased one by one, not the whole file
            return {
                index
                for index in screen.lines_in(source.data)
                if any(keyword in text_lines[index].lower() for keyword in keywords)
            }
        lines: set[int] = set()
        for keyword in keywords:
            if keyword not in lines_of:
                lines_of[keyword] = view.keyword_lines(keyword)
            lines |= lines_of[keyword]
        return screen.keep(source.lines, lines)

    def _record_findings(self, view: _FileView, rule: RecordRule) -> Iterator[Finding]:
        # Imported on the first file a record rule's keywords reach: most hook runs never need the parsers (csv).
        from cavra_safety.policy.records import (
            csv_records,
            key_value_records,
            may_hold_records,
            offset_to_line,
            sql_records,
        )

        source = view.source
        identifiers, companions = frozenset(rule.identifier_keys), frozenset(rule.companion_keys)
        hits: dict[tuple[int, int], str] = {}
        for hit in key_value_records(
            source.lines, view.lower_lines, source.suffix, identifiers, companions, rule.min_companions, rule.window
        ):
            hits.setdefault((hit.line, hit.column), hit.value)
        for hit in csv_records(source.lines, source.suffix, identifiers, companions, rule.min_companions):
            hits.setdefault((hit.line, hit.column), hit.value)
        if may_hold_records(source.lower):
            for offset, value in sql_records(source.text, identifiers, companions, rule.min_companions):
                hits.setdefault(offset_to_line(source.text, offset), value)
        for (line, column), value in sorted(hits.items()):
            if rule.values.accepts(value):
                yield Finding.create(
                    rule.info,
                    path=source.path,
                    line=line + 1,
                    column=column + 1,
                    secret=value,
                    message=rule.message,
                    commit=source.commit,
                )

    def _denylist_findings(self, source: Source) -> Iterator[Finding]:
        unique = unique_tokens(source.text)
        listed: dict[str, list[DenyList]] = {}
        for deny in self._denylists:
            for token in unique:
                if deny.lists(token):
                    listed.setdefault(token, []).append(deny)
        if not listed:
            return
        for index, line in enumerate(source.lines):
            for start, token in tokens(line):
                for deny in listed.get(token, ()):
                    yield Finding.create(
                        deny.info,
                        path=source.path,
                        line=index + 1,
                        column=start + 1,
                        secret=token,
                        message=deny.message,
                        commit=source.commit,
                    )


def build_policy_detector(config: Config, policy: Policy) -> PolicyDetector:
    """Compile the gates once. Every rule runs, disabled ones and unwanted categories included: the engine
    drops their findings after one finding per value is chosen (``precedence``)."""
    return PolicyDetector(policy.rules, policy.denylists)


def _example_problems(
    detector: PolicyDetector, rule: PolicyRule, field: str, example: Example, positive: bool
) -> Iterator[str]:
    where = f'{rule.source}: rule "{rule.id}": {field}'
    if positive and not any(keyword in example.text.lower() for keyword in rule.keywords):
        yield f"{where}: contains none of the keywords ({', '.join(rule.keywords)}), so the rule never runs on it"
        return
    found = [
        item
        for item in detector.detect(Source(path=example.path, text=example.text))
        if isinstance(item, Finding) and item.rule_id == rule.info.rule_id
    ]
    if positive and not found:
        yield f"{where}: expected a finding of {rule.info.rule_id}, got none (scanned as {example.path})"
    if not positive and found:
        places = ", ".join(f"line {f.line} column {f.column}" for f in found)
        yield f"{where}: expected no finding of {rule.info.rule_id}, got one at {places} (scanned as {example.path})"


def check_examples(policy: Policy) -> list[str]:
    """Every example that does not behave: positives must yield a finding of their rule, negatives none.

    Each rule's examples run through a detector of that rule alone, keyword gate included: a rule's findings
    do not depend on the other rules, and one detector of every rule would run each example past every rule
    sharing a keyword with it (quadratic in the pack's size: 2,000 rules took 81 s)."""
    problems: list[str] = []
    for rule in policy.rules:
        detector = PolicyDetector([rule], (), one_pass=False)
        for index, example in enumerate(rule.examples):
            problems.extend(_example_problems(detector, rule, f"examples[{index}]", example, positive=True))
        for index, example in enumerate(rule.negative_examples):
            problems.extend(_example_problems(detector, rule, f"negative-examples[{index}]", example, positive=False))
    return problems
