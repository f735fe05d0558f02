"""The policy detector's pattern database is kept in the user's cache folder: loaded when an entry for exactly
these rules exists, compiled and stored otherwise; a damaged or unwritable cache only costs a compile."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from cavra_safety import multipattern
from cavra_safety.config import Config
from cavra_safety.detectors.pattern_cache import CACHE_KIND
from cavra_safety.detectors.policy import PolicyDetector
from cavra_safety.detectors.policy_prefilter import build_rule_prefilter
from cavra_safety.findings import Finding
from cavra_safety.multipattern import LinePrefilter
from cavra_safety.policy import Policy, RegexRule, load_policy
from cavra_safety.sources import Source

pytestmark = pytest.mark.skipif(not multipattern.AVAILABLE, reason="no Hyperscan wheel on this platform")


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(Config(root=Path(__file__).resolve().parents[2]))


def _keywords(policy: Policy) -> list[str]:
    return sorted({keyword for rule in policy.rules for keyword in rule.keywords})


def _entries(folder: Path) -> list[Path]:
    return sorted((folder / CACHE_KIND).glob("*.hs"))


def _no_compiling(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled although the cache holds the database")

    monkeypatch.setattr(LinePrefilter, "build", refuse)


def test_stored_once_then_loaded(policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAVRA_SAFETY_CACHE_DIR", str(tmp_path))
    first = build_rule_prefilter(policy.rules, _keywords(policy))
    assert first is not None
    [entry] = _entries(tmp_path)
    _no_compiling(monkeypatch)
    second = build_rule_prefilter(policy.rules, _keywords(policy))
    assert second is not None
    assert second.prefiltered == first.prefiltered and second.database.ids == first.database.ids
    assert _entries(tmp_path) == [entry]


def test_other_rules_are_another_entry(policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAVRA_SAFETY_CACHE_DIR", str(tmp_path))
    build_rule_prefilter(policy.rules, _keywords(policy))
    fewer = policy.rules[: len(policy.rules) // 2]
    build_rule_prefilter(fewer, sorted({keyword for rule in fewer for keyword in rule.keywords}))
    assert len(_entries(tmp_path)) == 2


def test_a_damaged_entry_is_compiled_again_and_replaced(
    policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAVRA_SAFETY_CACHE_DIR", str(tmp_path))
    build_rule_prefilter(policy.rules, _keywords(policy))
    [entry] = _entries(tmp_path)
    entry.write_bytes(entry.read_bytes()[:1000])
    rebuilt = build_rule_prefilter(policy.rules, _keywords(policy))
    assert rebuilt is not None and rebuilt.prefiltered
    assert LinePrefilter.load(entry.read_bytes()) is not None


def test_no_cache_or_an_unwritable_one_only_costs_a_compile(
    policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    for setting in ("", str(blocked)):
        monkeypatch.setenv("CAVRA_SAFETY_CACHE_DIR", setting)
        built = build_rule_prefilter(policy.rules, _keywords(policy))
        assert built is not None and built.prefiltered
    assert blocked.read_text() == "not a folder"


def test_a_small_scan_never_waits_for_a_compile(
    policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cavra_safety.detectors import policy as policy_detector
    from cavra_safety.sources import Source

    monkeypatch.setenv("CAVRA_SAFETY_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(policy_detector, "LOAD_AFTER_BYTES", 100)
    monkeypatch.setattr(policy_detector, "COMPILE_AFTER_BYTES", 1000)
    detector = policy_detector.PolicyDetector(policy.rules, policy.denylists)
    list(detector.detect(Source(path="small.py", text="x = 1\n" * 10)))
    assert _entries(tmp_path) == [] and detector._prefilter is None  # gated path, nothing compiled
    list(detector.detect(Source(path="big.py", text="x = 1\n" * 200)))
    assert len(_entries(tmp_path)) == 1 and detector._prefilter is not None  # compiled and stored
    fresh = policy_detector.PolicyDetector(policy.rules, policy.denylists)
    _no_compiling(monkeypatch)
    list(fresh.detect(Source(path="small.py", text="x = 1\n")))
    assert fresh._prefilter is None  # below the loading threshold: the gated path, no Hyperscan at all
    list(fresh.detect(Source(path="medium.py", text="x = 1\n" * 20)))
    assert fresh._prefilter is not None  # past it: the stored database, not a compile


def test_only_the_newest_databases_are_kept(policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cavra_safety.detectors import pattern_cache

    monkeypatch.setenv("CAVRA_SAFETY_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(pattern_cache, "KEEP_DATABASES", 2)
    folder = tmp_path / CACHE_KIND
    folder.mkdir()
    for index in range(3):
        (folder / f"old-{index}.hs").write_bytes(b"stale")
        os.utime(folder / f"old-{index}.hs", (1_000_000 + index, 1_000_000 + index))
    build_rule_prefilter(policy.rules[:5], sorted({k for rule in policy.rules[:5] for k in rule.keywords}))
    kept = sorted(path.name for path in folder.iterdir())
    assert len(kept) == 2 and "old-2.hs" in kept  # the new database and the newest old one


def test_the_database_holds_only_the_keywords_of_rules_it_does_not_prefilter(
    policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A prefiltered rule runs where its patterns hit, on lines holding its keyword: the pass need not look for its
    keywords (``:`` and ``"`` among them, reported on nearly every file) as well."""
    monkeypatch.setenv("CAVRA_SAFETY_CACHE_DIR", str(tmp_path))
    built = build_rule_prefilter(policy.rules, _keywords(policy))
    assert built is not None
    gated = {
        keyword
        for position, rule in enumerate(policy.rules)
        if position not in built.prefiltered
        for keyword in rule.keywords
    }
    assert set(built.keyword_of.values()) | set(built.unheld_keywords) == gated
    assert len(gated) < len(_keywords(policy)) / 10


def test_a_rule_whose_pattern_the_engine_refuses_is_gated_by_its_keywords(
    policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAVRA_SAFETY_CACHE_DIR", str(tmp_path))
    rule = next(rule for rule in policy.rules if isinstance(rule, RegexRule) and rule.keywords)
    refused = {multipattern.relaxed(pattern.source) for pattern in rule.patterns}
    real_compile = multipattern._compile

    def compile_refusing(entries: Sequence[tuple[int, str, int]]) -> object:
        if any(expression in refused for _, expression, _ in entries):
            raise hyperscan_error()
        return real_compile(entries)

    monkeypatch.setattr(multipattern, "_compile", compile_refusing)
    built = build_rule_prefilter(policy.rules, _keywords(policy))
    assert built is not None
    position = policy.rules.index(rule)
    assert position not in built.prefiltered
    assert set(rule.keywords) <= set(built.keyword_of.values()) | set(built.unheld_keywords)
    detector = PolicyDetector(policy.rules, policy.denylists)
    detector.prepare()
    example = rule.examples[0]
    found = detector.detect(Source(path=example.path, text=example.text))
    assert rule.info.rule_id in {item.rule_id for item in found if isinstance(item, Finding)}


def hyperscan_error() -> Exception:
    import hyperscan  # the test module is skipped without it

    return hyperscan.error("refused (test)")
