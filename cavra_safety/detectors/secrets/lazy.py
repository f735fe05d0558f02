"""The secrets detector as registered: a pre-gate that knows, without importing detect-secrets or the adapter,
whether a file may hold a value at all.

Split from ``adapter`` so that a pre-commit run on files without a candidate imports neither detect-secrets
nor the adapter's precision filters and shapes (``tests/test_startup_imports.py`` pins it): this module needs
only the plugin table (``plugins``), the quoted copy of config values (``text``) and one RE2 set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from cavra_safety.config import Config
from cavra_safety.detectors.base import Detector
from cavra_safety.detectors.secrets.plugins import PLUGIN_SPECS, PluginSpec, entropy_gate, message
from cavra_safety.detectors.secrets.text import quoted_copy
from cavra_safety.findings import Finding, Note, RuleInfo
from cavra_safety.policy import Policy
from cavra_safety.regex import pattern_set
from cavra_safety.sources import Source

if TYPE_CHECKING:
    from cavra_safety.detectors.secrets.adapter import Filtered, SecretsDetector


def gate_pattern(spec: PluginSpec, denylist: Iterable[str]) -> str:
    """The RE2 gate of a plugin: its pattern (the keyword one filled with the plugin's denylist), its literals
    case-insensitively, or the entropy gate derived from its limit."""
    if spec.gate_pattern is not None:
        return spec.gate_pattern.replace("{deny}", "|".join(denylist))
    if spec.gate_literals:
        return "(?i:" + "|".join(re.escape(literal) for literal in spec.gate_literals) + ")"
    if spec.limit is not None:
        return entropy_gate(spec.plugin, spec.limit)
    raise ValueError(f"plugin {spec.plugin} has no gate")


# The gate set's DFA (27 patterns, some with Unicode classes) outgrows RE2's default 8 MiB budget on real
# code and is then rebuilt over and over: 32 MiB halves the gate's time on the Django sdist (0.37 -> 0.18 s).
# The budget is a ceiling, not an allocation.
GATE_MAX_MEM = 32 << 20


# Every word of detect-secrets' keyword DENYLIST contains one of these, so the keyword gate filled with them
# passes every line the real gate passes (and some more): a necessary condition known without importing
# detect-secrets. A test pins this against the installed DENYLIST.
DENYLIST_SUPERSET = ("key", "pass", "pwd", "secret", "contrase")


def rule_infos(specs: Iterable[PluginSpec]) -> tuple[RuleInfo, ...]:
    return tuple(
        RuleInfo(rule.rule_id, rule.category, rule.severity, rule.title, message(rule), rule.specificity)
        for spec in specs
        for rule in spec.rules
    )


class LazySecretsDetector:
    """The secrets detector as registered: detect-secrets (~0.15 s to import with ``requests``, which its
    plugins import for verification we never run) is imported and its plugins built only when a file first
    passes a pre-gate: the plugins' own gates, the keyword gate widened to ``DENYLIST_SUPERSET``. A pre-commit
    run on files without a candidate never pays for it; a large scan builds it once, before the pool forks
    (``prepare``)."""

    def __init__(self, config: Config, policy: Policy) -> None:
        self._config = config
        self._policy = policy
        self._rules = rule_infos(PLUGIN_SPECS)
        self._pre_gate: Any = pattern_set(
            (gate_pattern(spec, DENYLIST_SUPERSET) for spec in PLUGIN_SPECS), max_mem=GATE_MAX_MEM
        )
        self._detector: SecretsDetector | None = None

    @property
    def rules(self) -> tuple[RuleInfo, ...]:
        return self._detector.rules if self._detector is not None else self._rules

    @property
    def built(self) -> bool:
        return self._detector is not None

    def prepare(self) -> None:
        """Build the real detector now, with its one-pass gates: a pool worker serves a large scan."""
        self._build()
        assert self._detector is not None
        self._detector.enable_one_pass()

    def _build(self) -> None:
        if self._detector is None:
            # The adapter (and its precision filters) is imported with detect-secrets, on the first candidate.
            from cavra_safety.detectors.secrets.adapter import build_eager_secrets_detector

            self._detector = build_eager_secrets_detector(self._config, self._policy)

    def detect(self, source: Source) -> Iterator[Finding | Note]:
        if self._needed(source):
            assert self._detector is not None
            yield from self._detector.detect(source)

    def explain(self, source: Source) -> list[Filtered]:
        return self._detector.explain(source) if self._needed(source) and self._detector is not None else []

    def _needed(self, source: Source) -> bool:
        """Whether ``source`` may hold a value (building the real detector if so): the pre-gate on the text,
        or on its quoted config values."""
        if self._detector is None:
            quoted = quoted_copy(source.path, source.data)
            if not (self._pre_gate.Match(source.data) or (quoted is not None and self._pre_gate.Match(quoted))):
                return False
            self._build()
        return True


def build_secrets_detector(config: Config, policy: Policy) -> Detector:
    """The registered factory: cheap to call; detect-secrets loads on the first file that may need it."""
    return LazySecretsDetector(config, policy)
