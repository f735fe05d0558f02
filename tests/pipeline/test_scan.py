"""scan(): the walk, the detectors, the filters and the pool, driven by a fake detector."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import FAKES, LEAK_RULE

from cavra_safety.config import Config
from cavra_safety.findings import Category, Finding, Note
from cavra_safety.pipeline.engine import Engine, ScanError
from cavra_safety.pipeline.pool import PARALLEL_MIN_FILES
from cavra_safety.pipeline.scan import scan
from cavra_safety.policy import Policy
from cavra_safety.sources import Source


def tree(root: Path, files: dict[str, str]) -> Config:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return Config(root=root, paths=(root,), default_policy=False)


def places(findings: tuple[Finding, ...]) -> list[tuple[str, int, int, str]]:
    return [(f.path, f.line, f.column, f.rule_id) for f in findings]


def test_findings_are_sorted_and_counted(tmp_path: Path) -> None:
    files = {"b.txt": "x LEAK-one\nTENANT-t1", "a/c.txt": "LEAK-two", "bin.dat": "\x00\x01", "ok.txt": "fine"}
    config = tree(tmp_path, files)
    result = scan(config, policy=Policy(), factories=FAKES)
    assert places(result.findings) == [
        ("a/c.txt", 1, 1, "fake/leak"),
        ("b.txt", 1, 3, "fake/leak"),
        ("b.txt", 2, 1, "fake/tenant"),
    ]
    assert result.files_scanned == 3
    assert [s.path for s in result.skipped] == ["bin.dat"]
    assert result.counts_by_category()[Category.CONNECTOR_CREDENTIAL] == 2
    assert {rule.rule_id for rule in result.rules} == {"fake/leak", "fake/tenant"}


def test_category_filters_and_disabled_rules(tmp_path: Path) -> None:
    config = tree(tmp_path, {"a.txt": "LEAK-one TENANT-two"})
    tenant_only = config.with_overrides(categories=frozenset({Category.TENANT_ID}))
    only_tenant = scan(tenant_only, policy=Policy(), factories=FAKES)
    assert [f.rule_id for f in only_tenant.findings] == ["fake/tenant"]
    no_leak = scan(config.with_overrides(disabled_rules=frozenset({"fake/leak"})), policy=Policy(), factories=FAKES)
    assert [f.rule_id for f in no_leak.findings] == ["fake/tenant"]
    assert [r.rule_id for r in no_leak.rules] == ["fake/tenant"]


def test_inline_allow_and_notes_reach_the_result(tmp_path: Path) -> None:
    config = tree(tmp_path, {"a.py": "k = 'LEAK-one'  # cavra: allow fake/leak -- fixture\nBROKEN-NOTE\n"})
    result = scan(config, policy=Policy(), factories=FAKES)
    assert result.findings == ()
    assert result.suppressed_inline == 1
    assert [n.message for n in result.notes] == ["fake note"]


def test_only_added_lines_count_for_diff_sources(tmp_path: Path) -> None:
    source = Source(path="a.txt", text="LEAK-old\nLEAK-new\n", added_lines=frozenset({2}))
    result = scan(Config(root=tmp_path), policy=Policy(), sources=[source], factories=FAKES)
    assert places(result.findings) == [("a.txt", 2, 1, "fake/leak")]


def test_parallel_scan_gives_the_same_result_as_sequential(tmp_path: Path) -> None:
    files = {f"d{i % 7}/f{i}.txt": f"line\nLEAK-{i}\n" for i in range(PARALLEL_MIN_FILES + 50)}
    config = tree(tmp_path, files)
    progress: list[tuple[int, int]] = []
    parallel = scan(
        config.with_overrides(jobs=2),
        policy=Policy(),
        factories=FAKES,
        progress=lambda done, total: progress.append((done, total)),
    )
    sequential = scan(config.with_overrides(jobs=1), policy=Policy(), factories=FAKES)
    assert parallel.findings == sequential.findings
    assert len(parallel.findings) == len(files) and parallel.files_scanned == len(files)
    assert progress[-1] == (len(files), len(files))


class _Exploding:
    rules = (LEAK_RULE,)

    def detect(self, source: Source) -> Iterator[Finding | Note]:
        raise RuntimeError("detector bug")
        yield  # pragma: no cover


def test_a_detector_bug_names_the_file(tmp_path: Path) -> None:
    config = tree(tmp_path, {"boom.txt": "x"})
    with pytest.raises(ScanError, match=r"while scanning boom\.txt"):
        scan(config, policy=Policy(), factories={"boom": lambda c, p: _Exploding()})


def test_files_the_walk_skips_after_the_look_ahead_are_still_reported(tmp_path: Path) -> None:
    """The walk goes on while workers scan: what it skips late (a link, a binary file) must not be lost."""
    files = {f"a/f{i:03d}.txt": f"LEAK-{i}\n" for i in range(2 * PARALLEL_MIN_FILES)}
    config = tree(tmp_path, {**files, "zz/late.bin": "\x00\x01"})
    (tmp_path / "zz" / "link").symlink_to(tmp_path / "a" / "f000.txt")
    for jobs in (1, 2):
        result = scan(config.with_overrides(jobs=jobs), policy=Policy(), factories=FAKES)
        assert [s.path for s in result.skipped] == ["zz/late.bin", "zz/link"]
        assert result.files_scanned == len(files) == len(result.findings)


class _Lazy:
    rules = (LEAK_RULE,)

    def __init__(self) -> None:
        self.prepared = 0

    def prepare(self) -> None:
        self.prepared += 1

    def detect(self, source: Source) -> Iterator[Finding | Note]:
        return iter(())


def test_engine_prepare_finishes_lazy_detectors_and_ignores_the_others(tmp_path: Path) -> None:
    lazy = _Lazy()
    engine = Engine(Config(root=tmp_path), Policy(), {"lazy": lambda c, p: lazy, **FAKES})
    engine.prepare()
    assert lazy.prepared == 1
