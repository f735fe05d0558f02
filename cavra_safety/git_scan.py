"""Git scans end to end: ``--staged``, ``--diff`` and ``--history`` from git to a ``ScanResult``.

A history scan streams commits through one engine, reports each value once (rule and fingerprint) at the
commit that introduced it, with its author date, how many commits added it, and whether the scanned tip
still holds it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from cavra_safety.baseline import Baseline
from cavra_safety.config import Config
from cavra_safety.detectors import DETECTORS, DetectorFactory
from cavra_safety.filters import drop_overlaps
from cavra_safety.findings import Finding, Note, ScanResult, Skipped
from cavra_safety.git import Git, read_blobs
from cavra_safety.git_history import COMMIT_MESSAGE_PATH, HistoryRange, commit_sources, history_range
from cavra_safety.git_sources import binary_reason, blob_source, diff_sources, staged_sources
from cavra_safety.pipeline import Engine, ProgressCallback, scan
from cavra_safety.policy import load_policy
from cavra_safety.sources import Origin, Source, display_path

Key = tuple[str, str]  # (rule id, fingerprint): "the same value", wherever and whenever it was met


@dataclass(frozen=True)
class HistoryOptions:
    since: str | None = None
    branches: tuple[str, ...] = ()
    all_refs: bool = False


def staged_scan(git: Git, config: Config, paths: Sequence[str], baseline: Baseline | None,
                progress: ProgressCallback | None = None) -> ScanResult:
    found = staged_sources(git, config, config.root, paths)
    return scan(config, sources=found.sources, skipped=found.skipped, baseline=baseline, progress=progress)


def diff_scan(git: Git, config: Config, spec: str, paths: Sequence[str], baseline: Baseline | None,
              progress: ProgressCallback | None = None) -> ScanResult:
    found = diff_sources(git, config, config.root, spec, paths)
    return scan(config, sources=found.sources, skipped=found.skipped, baseline=baseline, progress=progress)


@dataclass
class _Seen:
    first: Finding
    commits: set[str] = field(default_factory=set)
    paths: set[str] = field(default_factory=set)


def history_scan(
    git: Git, config: Config, options: HistoryOptions, paths: Sequence[str], baseline: Baseline | None,
    factories: Mapping[str, DetectorFactory] = DETECTORS, on_commit: Callable[[int], None] | None = None,
) -> ScanResult:
    started = time.perf_counter()
    engine = Engine(config, load_policy(config), factories)
    walk = history_range(git, options.since, options.branches, options.all_refs)
    seen: dict[Key, _Seen] = {}
    dates: dict[str, str] = {}
    notes: set[Note] = set()
    skipped: dict[str, Skipped] = {}
    files = size = suppressed_inline = 0
    for commits, commit in enumerate(commit_sources(git, config, config.root, walk, paths), start=1):
        for item in commit.skipped:
            skipped.setdefault(item.path, item)
        for source in commit.sources:
            outcome = engine.scan_source(source)
            files, size = files + 1, size + len(source.text)
            suppressed_inline += outcome.suppressed_inline
            notes.update(outcome.notes)
            for finding in outcome.findings:
                entry = seen.setdefault((finding.rule_id, finding.fingerprint), _Seen(finding))
                entry.commits.add(commit.commit)
                entry.paths.add(finding.path)
                dates.setdefault(commit.commit, commit.author_date)
        if on_commit is not None:
            on_commit(commits)
    in_tip = _still_in_tip(git, engine, walk, {p for entry in seen.values() for p in entry.paths})
    findings = [
        replace(entry.first, author_date=dates.get(entry.first.commit or ""), occurrences=len(entry.commits),
                in_head=None if entry.first.path == COMMIT_MESSAGE_PATH else key in in_tip)
        for key, entry in seen.items()
    ]
    findings, in_baseline = (findings, 0) if baseline is None else baseline.subtract(findings, config.root)
    return ScanResult(
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        rules=engine.rules,
        skipped=tuple(sorted(skipped.values())),
        notes=tuple(sorted(notes)),
        files_scanned=files,
        bytes_scanned=size,
        suppressed_inline=suppressed_inline,
        suppressed_baseline=in_baseline,
        seconds=time.perf_counter() - started,
    )


def _still_in_tip(git: Git, engine: Engine, walk: HistoryRange, paths: set[str]) -> set[Key]:
    """The values the tip (HEAD, or the one --branch) still holds, in the files where history met them."""
    paths.discard(COMMIT_MESSAGE_PATH)
    if walk.tip is None or not paths:
        return set()
    listing = git.run("ls-tree", "-r", "-z", "--full-tree", "--end-of-options", walk.tip)
    blobs: dict[str, str] = {}
    for record in listing.split(b"\0"):
        meta, _, raw_path = record.partition(b"\t")
        words = meta.split()
        if len(words) == 3 and words[1] == b"blob" and words[0] != b"120000":
            path = display_path(os.fsdecode(raw_path))
            if path in paths:
                blobs[path] = words[2].decode("ascii")
    contents = read_blobs(git, [blob for blob in blobs.values()])
    present: set[Key] = set()
    for path, blob in blobs.items():
        data = contents[blob]
        if len(data) > engine.config.max_file_size or binary_reason(path, data) is not None:
            continue
        source = blob_source(path, data, Origin.COMMIT, walk.tip)
        if isinstance(source, Source):
            for finding in drop_overlaps(engine.scan_source(source).findings):
                present.add((finding.rule_id, finding.fingerprint))
    return present
