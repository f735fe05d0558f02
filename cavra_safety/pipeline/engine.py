"""The engine: the detectors and per-source filters of one configuration, and what a scan returns.

Built once per process (in each pool worker too); ``scan_source`` runs every detector on one source, then
keeps what the configuration reports: the added lines of a diff source, one finding per value (``precedence``),
the rules and categories the configuration wants, no inline allows (what they cover goes aside, with the allow's
reason, in ``BatchOutcome.suppressed``: suppressed, never lost).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from cavra_safety.config import UNKNOWN_RULE, Config, setup_error
from cavra_safety.detectors import DETECTORS, Detector, DetectorFactory
from cavra_safety.filters import apply_inline_allows
from cavra_safety.findings import Finding, Fingerprints, Note, RuleInfo, ScanResult, Skipped, Suppressed
from cavra_safety.multipattern import SHARED_GATES
from cavra_safety.pipeline.decoded import with_decoded
from cavra_safety.pipeline.views import with_views
from cavra_safety.policy import Policy
from cavra_safety.precedence import precedence_key, resolve_overlaps
from cavra_safety.redaction import quoted
from cavra_safety.sources import FileRef, Source
from cavra_safety.sources.generated import is_lockfile
from cavra_safety.sources.text import read_source

if TYPE_CHECKING:  # a scan without a baseline file does not import the baseline module
    from cavra_safety.baseline import Baseline
    from cavra_safety.pipeline.whole_files import ContextNeed

ProgressCallback = Callable[[int, int], None]
WorkItem = FileRef | Source


class ScanError(Exception):
    """A detector failed on one input: a bug, reported with the file it happened on."""


@dataclass
class BatchOutcome:
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    files_scanned: int = 0
    bytes_scanned: int = 0
    # What inline allows waved through: the redacted findings and the allows' reasons (what pool workers
    # send back is a few small values per allowed finding, never a source).
    suppressed: list[Suppressed] = field(default_factory=list)

    def merge(self, other: BatchOutcome) -> None:
        self.findings.extend(other.findings)
        self.skipped.extend(other.skipped)
        self.notes.extend(other.notes)
        self.files_scanned += other.files_scanned
        self.bytes_scanned += other.bytes_scanned
        self.suppressed.extend(other.suppressed)


class Engine:
    """The detectors and per-source filters of one configuration, built once per process."""

    def __init__(self, config: Config, policy: Policy, factories: Mapping[str, DetectorFactory] = DETECTORS) -> None:
        self.config = config
        self.policy = policy  # read by history scans, which decide from the rules which files to read whole
        self.detectors: tuple[Detector, ...] = tuple(factory(config, policy) for factory in factories.values())
        rules = {rule.rule_id: rule for detector in self.detectors for rule in detector.rules}
        _check_setup(config, policy, rules)
        self.rules: tuple[RuleInfo, ...] = tuple(
            rule
            for rule_id, rule in sorted(rules.items())
            if rule_id not in config.disabled_rules and config.wants(rule.category)
        )
        self.known_rule_ids = frozenset(rules)
        self._all_rules: Mapping[str, RuleInfo] = rules
        self._reported_ids = frozenset(rule.rule_id for rule in self.rules)

    @cached_property
    def context_need(self) -> ContextNeed:
        """Which changed files a history scan reads whole: built once per process (pool workers forked after the
        first group inherit it)."""
        from cavra_safety.pipeline.whole_files import ContextNeed  # history scans only

        return ContextNeed(self.policy)

    def prepare(self) -> None:
        """Ready this process for a large scan: finish building the detectors that load lazily (detect-secrets
        on its first candidate file), then build the one pass that answers every gate registered by then (the
        detectors', the allow comments', the views', the decoder's: ``multipattern.SharedGates``)."""
        for detector in self.detectors:
            prepare = getattr(detector, "prepare", None)
            if callable(prepare):
                prepare()
        from cavra_safety.detectors.pattern_cache import cached_presence  # large scans only: Hyperscan

        SHARED_GATES.enable(cached_presence)

    def scan_source(self, source: Source, *, every_line: bool = False) -> BatchOutcome:
        """``every_line``: keep findings off a diff source's ``added_lines`` too (a history scan of a whole file
        decides about those itself); the detectors still see the source as a diff's."""
        outcome = BatchOutcome(files_scanned=1, bytes_scanned=len(source.text))
        try:
            raw = self._detect(source, outcome.notes)
            # section-qualified config keys, joined SQL statements, tenant exports by name (``policy.views``)
            raw = with_views(source, raw, lambda derived: self._detect(derived, []))
            # base64 / URL-encoded values, decoded and scanned again (notes dropped); not in lockfiles, whose
            # base64 values are integrity hashes (``sources.generated``)
            if self.config.decode and not is_lockfile(source.path):
                raw = with_decoded(source, raw, lambda derived: self._detect(derived, []), self._rank)
        except Exception as error:
            raise ScanError(f"internal error while scanning {source.path}: {type(error).__name__}") from error
        if source.added_lines is not None and not every_line:
            raw = [finding for finding in raw if finding.line in source.added_lines]
        # Overlaps first, disabled rules and unwanted categories after: a value whose most specific rule is
        # switched off is silenced, not reported by the next rule down.
        resolved = resolve_overlaps(raw, self._all_rules)
        resolved = [item for item in resolved if item.finding.rule_id in self._reported_ids]
        kept, suppressed, notes = apply_inline_allows(
            source,
            [item.finding for item in resolved],
            self.known_rule_ids,
            {item.finding: item.also_seen_by for item in resolved if item.also_seen_by},
        )
        outcome.findings.extend(kept)
        outcome.suppressed.extend(suppressed)
        outcome.notes.extend(notes)
        return outcome

    def _rank(self, finding: Finding) -> tuple[int, ...]:
        return precedence_key(finding, self._all_rules)

    def _detect(self, source: Source, notes: list[Note]) -> list[Finding]:
        found: list[Finding] = []
        for detector in self.detectors:
            for item in detector.detect(source):
                if isinstance(item, Note):
                    notes.append(item)
                else:
                    found.append(item)  # every rule: the reported ones are chosen after overlaps
        return found

    def scan_items(self, items: Iterable[WorkItem]) -> BatchOutcome:
        total = BatchOutcome()
        for item in items:
            if isinstance(item, FileRef):
                loaded = read_source(item, self.config.max_file_size)
                if isinstance(loaded, Skipped):
                    total.skipped.append(loaded)
                    continue
                item = loaded
            total.merge(self.scan_source(item))
        return total


def _check_setup(config: Config, policy: Policy, rules: Mapping[str, RuleInfo]) -> None:
    """Everything wrong with the setup, in one error: the configuration's problems, the policy packs' (a
    policy loaded ``deferred``), and every id in ``disable-rules`` that names no rule of any detector (a typo
    would silently disable nothing)."""
    problems = list(policy.problems)
    unknown = sorted(rule_id for rule_id in config.disabled_rules if rule_id not in rules)
    if unknown:
        import difflib  # a suggestion is rare: a clean run does not import difflib

        for rule_id in unknown:
            if any(quoted(rule_id) in problem for problem in policy.problems):
                continue  # a policy/ id, reported by the policy loader already
            close = difflib.get_close_matches(rule_id, sorted(rules), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else ""
            problems.append(f"{UNKNOWN_RULE}{quoted(rule_id)}{hint}")
    error = setup_error(config, problems)
    if error is not None:
        raise error


def scan_result(
    findings: list[Finding],
    *,
    rules: tuple[RuleInfo, ...],
    skipped: Iterable[Skipped],
    notes: Iterable[Note],
    files_scanned: int,
    bytes_scanned: int,
    suppressed: Iterable[Suppressed],
    baseline: Baseline | None,
    root: Path,
    salt: str,
    started: float,
) -> ScanResult:
    """The sorted result of a scan, less what ``baseline`` accepts (listed with what the inline allows
    ``suppressed``, each with its reason): the one place every scan ends."""
    fingerprints = Fingerprints(salt)  # published before the baseline compares them, and before any report
    findings = [fingerprints.publish(finding) for finding in findings]
    waved = [replace(item, finding=fingerprints.publish(item.finding)) for item in suppressed]
    if baseline is not None:
        findings, accepted = baseline.subtract(findings, root)
        waved.extend(accepted)
    return ScanResult(
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        rules=rules,
        skipped=tuple(sorted(skipped)),
        notes=tuple(sorted(set(notes))),
        files_scanned=files_scanned,
        bytes_scanned=bytes_scanned,
        suppressed=tuple(sorted(set(waved), key=Suppressed.sort_key)),
        seconds=time.perf_counter() - started,
    )
