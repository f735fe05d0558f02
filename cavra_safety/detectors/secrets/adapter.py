"""The detect-secrets adapter: every offline detect-secrets plugin, gated, filtered, mapped to categories.

This is the only module that imports ``detect_secrets``, and it is itself imported only when a file first passes
a cheap pre-gate (``lazy.LazySecretsDetector``, the registered detector). It never runs detect-secrets'
whole-file scan machinery (``detect-secrets scan`` spends ~170 CPU-seconds on the Django sdist; this adapter,
under one second): instead

1. one RE2 set of *gates* (``plugins``) runs over the file and says which plugins can match at all;
2. each such plugin's gate finds the lines (or, on very long lines, windows) that can hold a match;
3. only there does the plugin's own ``analyze_string`` run, followed by detect-secrets' heuristic filters
   and our named precision filters (``precision.FILTERS``); config files are also read with their values
   quoted, as detect-secrets' transformers read them (``text.quoted_copy``);
4. overlapping reports on one line keep the most specific rule.

Never less than detect-secrets: a value detect-secrets would report is ours unless a named filter removes it;
``explain`` lists those removals (file, line, plugin, filter, redacted value), and
``tests/detectors/secrets/test_parity.py`` runs detect-secrets itself to hold us to it.

detect-secrets' global settings are touched once, while the eager builder instantiates the plugins inside
``transient_settings``; afterwards nothing reads them. Verification (network) lives in
``BasePlugin.analyze_line`` and in a settings filter, neither of which is ever called here.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cavra_safety.config import Config
from cavra_safety.detectors.secrets import pem, precision
from cavra_safety.detectors.secrets.entropy import entropy_of
from cavra_safety.detectors.secrets.lazy import (
    DENYLIST_SUPERSET,
    GATE_MAX_MEM,
    LazySecretsDetector,
    build_secrets_detector,
    gate_pattern,
    rule_infos,
)
from cavra_safety.detectors.secrets.offline_import import requests_deferred
from cavra_safety.detectors.secrets.plugins import PLUGIN_SPECS, PluginSpec, SecretRule
from cavra_safety.detectors.secrets.text import (
    LONG_LINE,
    Text,
    decode,
    quoted_copy,
    windows,
)
from cavra_safety.findings import Finding, Note, RuleInfo
from cavra_safety.multipattern import SHARED_GATES, SharedGate, relaxed
from cavra_safety.policy import Policy
from cavra_safety.redaction import redact
from cavra_safety.regex import compile_own, pattern_set
from cavra_safety.sources import Source
from cavra_safety.sources.generated import is_generated

KEYWORD_PLUGIN = "KeywordDetector"
# The reason recorded when detect-secrets' own filters drop a value: detect-secrets does not report it either.
THEIRS = "detect-secrets"
GENERATED_FILE = "generated-file"
PRIVATE_KEY_PLUGIN = "PrivateKeyDetector"
# Paths whose facts (``SecretsDetector._path_facts``) are remembered at once; beyond, the memo starts afresh.
PATHS_REMEMBERED = 4096


@dataclass(frozen=True)
class Filtered:
    """A value detect-secrets reports and we do not, and the named precision filter that removed it."""

    path: str
    line: int
    plugin: str
    filter: str
    redacted: str


@dataclass(frozen=True)
class _Candidate:
    order: int
    line: int
    column: int
    secret: str
    rule: SecretRule
    identity: str | None = None  # what the finding is keyed on when not the secret (a private key's body)

    @property
    def end(self) -> int:
        return self.column + len(self.secret)


class _Plugin:
    """One plugin instance with its gate, rules and the detect-secrets filters that apply to it."""

    def __init__(self, order: int, spec: PluginSpec, instance: Any, gate: Any, heuristics: Any) -> None:
        self.order = order
        self.spec = spec
        self.instance = instance
        self.gate = gate
        self.heuristics = heuristics
        self.shapes = tuple((re.compile(rule.shape) if rule.shape else None, rule) for rule in spec.rules)
        self.entropy = entropy_of(spec.plugin, instance) if spec.limit is not None else None

    def rule_for(self, secret: str) -> SecretRule:
        for shape, rule in self.shapes:
            if shape is None or shape.search(secret):
                return rule
        return self.spec.rules[-1]

    def hit_spans(self, text: Text) -> dict[int, list[tuple[int, int]]]:
        """Gate hits grouped by 0-based line index, as (start, end) byte offsets within the line."""
        spans: dict[int, list[tuple[int, int]]] = {}
        for match in self.gate.finditer(text.data):
            start, end = match.span()
            index, base = text.locate(start)
            spans.setdefault(index, []).append((start - base, end - base))
        return spans

    def analyze(self, window: str, keyword_groups: Any) -> Iterable[str]:
        if self.spec.whole_match:
            return [match.group(0) for regex in self.instance.denylist for match in regex.finditer(window)]
        values: Iterable[str] = (
            self.instance.analyze_string(window)
            if keyword_groups is None
            else self.instance.analyze_string(window, denylist_regex_to_group=keyword_groups)
        )
        return values

    def filtered_by(self, secret: str, window: str, path: str, whole_line: bool, after: str = "") -> str | None:
        """Why the value is not reported: ``THEIRS`` when one of detect-secrets' own heuristic filters (or the
        plugin's entropy limit) drops it, as ``detect-secrets scan`` would; the name of one of our precision
        filters (``precision.FILTERS``); None to report it. detect-secrets' filters run on the generic plugins
        only (a provider format needs none of them), cheapest first: the line-level ``is_indirect_reference``
        regex is the costly one and runs last. It judges a whole line and detect-secrets skips it on lines
        over 1,000 characters, so windows of long lines skip it too."""
        h = self.heuristics
        if self.spec.generic and (
            h.is_sequential_string(secret)
            or h.is_potential_uuid(secret)
            or h.is_templated_secret(secret)
            or h.is_prefixed_with_dollar_sign(secret)
            or h.is_not_alphanumeric_string(secret)
            or (self.entropy is not None and self.spec.limit is not None and self.entropy(secret) <= self.spec.limit)
            or h.is_likely_id_string(secret, window, self.instance)
        ):
            return THEIRS
        ours = precision.dropped_by(self.spec.plugin, secret, window, path, after)
        if ours is None and self.spec.generic and whole_line and h.is_indirect_reference(window):
            return THEIRS
        return ours


class SecretsDetector:
    """Runs the gated plugins over one source at a time; built once per process by the factory."""

    def __init__(
        self, plugins: tuple[_Plugin, ...], gate_set: Any, heuristics: Any, keyword_groups: Callable[[str], Any]
    ) -> None:
        self._plugins = plugins
        self._gate_set = gate_set
        self._one_pass: _OnePassGates | None = None
        self._heuristics = heuristics
        self._keyword_groups = keyword_groups
        self._rules = rule_infos(plugin.spec for plugin in plugins)
        self._infos = {info.rule_id: info for info in self._rules}
        self._facts_by_path: dict[str, tuple[bool, bool]] = {}

    @property
    def rules(self) -> tuple[RuleInfo, ...]:
        return self._rules

    def detect(self, source: Source) -> Iterator[Finding | Note]:
        kept, _ = self.examine(source)
        yield from kept

    def explain(self, source: Source) -> list[Filtered]:
        """Every value a plugin reports in ``source`` that detect-secrets would report and we do not, with
        the name of the precision filter that removed it (generated files are scanned here, not skipped)."""
        return self.examine(source, explain=True)[1]

    def examine(self, source: Source, explain: bool = False) -> tuple[list[Finding], list[Filtered]]:
        data = source.data
        path = source.path
        skip_generic, generated = self._path_facts(path)
        generated = generated and not explain
        relevant = self._relevant(data)
        # The quoted copy is for the plugins that need a quoted value, the generic ones above all: where those
        # do not run (lockfiles, bundles), it would cost a second pass over the largest files for nothing.
        quoted = None if skip_generic or generated else quoted_copy(path, data)
        if quoted is not None:
            relevant.update(self._relevant(quoted))
        if not relevant:
            return [], []
        text = Text(data)
        texts = [(text, None)] + ([(Text(quoted), text)] if quoted is not None else [])
        candidates: list[_Candidate] = []
        filtered: list[Filtered] = []
        for index in sorted(relevant):
            plugin = self._plugins[index]
            if plugin.spec.generic and (skip_generic or generated):
                continue
            groups = self._keyword_groups(path) if plugin.spec.plugin == KEYWORD_PLUGIN else None
            for scanned, original in texts:
                for line_index, offset, window, secret, why, body in self._values(plugin, scanned, groups, path):
                    column = window.find(secret)
                    if original is not None:  # a quoted copy of the line: the column is the original's
                        offset, column = 0, decode(original.line_bytes(line_index)).find(secret)
                    if why is None:
                        candidate = _Candidate(
                            plugin.order,
                            line_index + 1,
                            offset + max(column, 0),
                            secret,
                            plugin.rule_for(secret),
                            body,
                        )
                        candidates.append(candidate)
                    elif why != THEIRS:
                        filtered.append(Filtered(path, line_index + 1, plugin.spec.plugin, why, redact(secret)))
        findings = [
            Finding.create(
                self._infos[candidate.rule.rule_id],
                path=path,
                line=candidate.line,
                column=candidate.column + 1,
                secret=candidate.secret,
                message=self._infos[candidate.rule.rule_id].description,
                commit=source.commit,
                identity_of=candidate.identity,
            )
            for candidate in _most_specific(candidates)
        ]
        return findings, filtered

    def _path_facts(self, path: str) -> tuple[bool, bool]:
        """Whether the generic plugins skip ``path`` (detect-secrets' lockfile, swagger and non-text tests) and
        whether it is generated: pure functions of the path, remembered, since a history scan meets the same
        paths in thousands of commits."""
        facts = self._facts_by_path.get(path)
        if facts is None:
            if len(self._facts_by_path) >= PATHS_REMEMBERED:
                self._facts_by_path.clear()
            h = self._heuristics
            skip_generic = h.is_lock_file(path) or is_swagger_path(path) or h.is_non_text_file(path)
            facts = self._facts_by_path[path] = (bool(skip_generic), is_generated(path))
        return facts

    def enable_one_pass(self) -> None:
        """Ask the plugins' gates in one Hyperscan pass from now on (a large scan: see ``_OnePassGates``)."""
        if self._one_pass is None:
            self._one_pass = _OnePassGates.build([plugin.gate.pattern for plugin in self._plugins])

    def _relevant(self, data: bytes) -> set[int]:
        """The plugins whose gate matches somewhere in ``data``."""
        if self._one_pass is not None:
            relevant = self._one_pass.relevant(data)
            if relevant is not None:
                return relevant
        return set(self._gate_set.Match(data) or ())

    def _values(
        self, plugin: _Plugin, text: Text, groups: Any, path: str
    ) -> Iterator[tuple[int, int, str, str, str | None, str | None]]:
        """Each value the plugin reports on the gated lines of ``text``: (line index, character offset of
        the window, the window, the value, why it is filtered or None, and for a private key its body)."""
        generated = plugin.spec.generic and self._path_facts(path)[1]
        for line_index, spans in plugin.hit_spans(text).items():
            line = text.line_bytes(line_index)
            whole_line = len(line) <= LONG_LINE
            for offset, window in windows(line, spans):
                for found in set(plugin.analyze(window, groups)):
                    secret = found.strip(plugin.spec.trim) if plugin.spec.trim else found
                    if not secret:
                        continue
                    after = ""
                    if plugin.spec.plugin == PRIVATE_KEY_PLUGIN:
                        after = window[window.find(secret) + len(secret) :] + "\n"
                        after += text.lines_after(line_index, pem.MAX_LINES)
                    why = plugin.filtered_by(secret, window, path, whole_line, after)
                    if why is None and generated:
                        why = GENERATED_FILE
                    body = pem.key_body(after) if after and why is None else None
                    yield line_index, offset, window, secret, why, body


class _OnePassGates:
    """Which plugins' gates match, from the process's shared pass (``multipattern.SHARED_GATES``) for the gates
    Hyperscan can hold and an RE2 set for the others (gates with Unicode classes). The pass is a prefilter: it
    may name a plugin whose gate does not match, never miss one; each named plugin's own gate then finds the
    exact spans, so findings do not change. Registered for large scans only: for a hook's few files, importing
    Hyperscan and building the pass costs more than the RE2 set it replaces."""

    def __init__(self, gate: SharedGate, held: tuple[int, ...], rest: tuple[int, ...], rest_set: Any) -> None:
        self._gate = gate
        self._held = held  # the shared gate's entry i is plugin held[i]
        self._rest = rest
        self._rest_set = rest_set

    @classmethod
    def build(cls, patterns: list[str]) -> _OnePassGates:
        held = tuple(index for index, pattern in enumerate(patterns) if relaxed(pattern) is not None)
        rest = tuple(index for index in range(len(patterns)) if index not in held)
        gate = SHARED_GATES.gate(patterns=[patterns[index] for index in held])
        rest_set = pattern_set((patterns[index] for index in rest), max_mem=GATE_MAX_MEM) if rest else None
        return cls(gate, held, rest, rest_set)

    def relevant(self, data: bytes) -> set[int] | None:
        """The plugins that may match in ``data``, or None when the pass does not answer (not enabled, a text it
        declines, a gate Hyperscan refused)."""
        found = self._gate.present(data)
        if found is None:
            return None
        relevant = {self._held[index] for index in found}
        if self._rest_set is not None:
            relevant.update(self._rest[index] for index in self._rest_set.Match(data) or ())
        return relevant


def is_swagger_path(path: str) -> bool:
    """detect-secrets' ``is_swagger_file``: its ``re.search(".*swagger.*", path)`` holds exactly when the word
    occurs (the ``.*`` on either side may be empty), but tries every start of the path with a greedy ``.*``
    first: tens of microseconds a path, on each of a tree's thousands of files."""
    return "swagger" in path


def _most_specific(candidates: list[_Candidate]) -> Iterator[_Candidate]:
    """One finding per secret: where reports on a line overlap, the earliest plugin of the table wins
    (a Stripe key inside ``password = "..."`` is a Stripe key, not also a keyword and an entropy hit).

    Kept spans of a line are disjoint and sorted, so one bisection finds the only one that could overlap.
    """
    kept: dict[int, tuple[list[int], list[int], list[_Candidate]]] = {}
    for candidate in sorted(candidates, key=lambda c: (c.line, c.order, c.column, c.secret)):
        starts, ends, chosen = kept.setdefault(candidate.line, ([], [], []))
        before = bisect.bisect_left(starts, candidate.end) - 1
        if before >= 0 and ends[before] > candidate.column:
            continue
        starts.insert(before + 1, candidate.column)
        ends.insert(before + 1, candidate.end)
        chosen.append(candidate)
    for _, _, chosen in kept.values():
        yield from chosen


def build_eager_secrets_detector(config: Config, policy: Policy) -> SecretsDetector:
    """Import detect-secrets (without ``requests``: ``offline_import``) and instantiate every offline plugin of
    the table (``policy`` is not used yet)."""
    with requests_deferred():
        from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
        from detect_secrets.filters import heuristic
        from detect_secrets.plugins.keyword import (
            DENYLIST,
            QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP,
            REGEX_BY_FILETYPE,
        )
        from detect_secrets.settings import get_plugins, transient_settings
        from detect_secrets.util.filetype import determine_file_type

        # The first call imports the plugin modules too, hence inside the block. The settings are global in
        # detect-secrets; they live only for the instantiation below and are restored on exit. The instances
        # keep their own configuration (limits) from then on. A plugin of the table that this detect-secrets
        # version lacks is left out; a plugin it has that the table lacks is not run (a test pins the table to
        # the installed version, so an upgrade that adds one fails loudly there).
        with transient_settings({"plugins_used": [], "filters_used": []}):
            plugin_classes: list[type] = list(get_mapping_from_secret_type_to_class().values())
            available = {plugin_class.__name__ for plugin_class in plugin_classes}
        specs = tuple(spec for spec in PLUGIN_SPECS if spec.plugin in available)
        plugins_used = [
            {"name": spec.plugin, **({"limit": spec.limit} if spec.limit is not None else {})} for spec in specs
        ]
        with transient_settings({"plugins_used": plugins_used, "filters_used": []}):
            instances = {type(plugin).__name__: plugin for plugin in get_plugins()}

    def keyword_groups(path: str) -> Any:
        """The keyword regexes detect-secrets uses for this file type (quotes required in code, not in
        config files)."""
        return REGEX_BY_FILETYPE.get(determine_file_type(path), QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)

    patterns = [gate_pattern(spec, DENYLIST) for spec in specs]
    gate_set = pattern_set(patterns, max_mem=GATE_MAX_MEM)
    plugins = [
        _Plugin(order, spec, instances[spec.plugin], compile_own(pattern), heuristic)
        for order, (spec, pattern) in enumerate(zip(specs, patterns, strict=True))
    ]
    return SecretsDetector(tuple(plugins), gate_set, heuristic, keyword_groups)


# The registered detector and its pre-gate live in ``lazy`` (imported without this module); they are named
# here too, for callers that build the detector from the adapter.
__all__ = [
    "DENYLIST_SUPERSET",
    "GATE_MAX_MEM",
    "Filtered",
    "LazySecretsDetector",
    "SecretsDetector",
    "build_eager_secrets_detector",
    "build_secrets_detector",
    "gate_pattern",
]
