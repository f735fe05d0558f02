"""What the filters wave through stays a value: inline allows and the baseline return the suppressed findings with
their reasons, the pool carries them back from its workers, and every scan sorts them into ``ScanResult.suppressed``."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from fakes import FAKES, LEAK_RULE

from cavra_safety.baseline import Baseline, BaselineEntry
from cavra_safety.config import Config
from cavra_safety.filters import apply_inline_allows
from cavra_safety.findings import Finding, ScanResult, Suppressed, SuppressionKind
from cavra_safety.pipeline.engine import Engine
from cavra_safety.pipeline.pool import PARALLEL_MIN_FILES
from cavra_safety.pipeline.scan import scan
from cavra_safety.policy import Policy
from cavra_safety.sources import Source

# Built at run time, so that this file's own scan sees no allow comments.
ALLOW = "cavra" + ": allow"
PRAGMA = "pragma" + ": allowlist secret"
NEXTLINE_PRAGMA = "pragma" + ": allowlist nextline secret"
KNOWN = frozenset({LEAK_RULE.rule_id})


def _leak(line: int, path: str = "f.txt") -> Finding:
    # cavra: allow python/connector-credential-binding -- what the fake detector flags, not a credential
    return Finding.create(LEAK_RULE, path=path, line=line, column=5, secret="LEAK-value", message="m")


@pytest.mark.parametrize(
    ("lines", "line", "justification", "comment_line"),
    [
        ([f"v = LEAK-value  # {ALLOW} fake/leak -- parser fixture"], 1, "parser fixture", 1),
        ([f"# {ALLOW} fake/leak -- documented sample", "v = LEAK-value"], 2, "documented sample", 1),
        ([f"v = LEAK-value  # {ALLOW} fake/leak"], 1, "", 1),
        ([f"<!-- {ALLOW} fake/leak -- in HTML -->", "v = LEAK-value"], 2, "in HTML", 1),
        ([f"v = LEAK-value  # {PRAGMA}"], 1, "", 1),
        ([f"# {NEXTLINE_PRAGMA}", "v = LEAK-value"], 2, "", 1),
        # Two allows cover the line: the one on the line itself wins, and a reason beats none.
        ([f"# {ALLOW} fake/leak -- above", f"v = LEAK-value  # {ALLOW} fake/leak -- same line"], 2, "same line", 2),
        ([f"# {ALLOW} fake/leak -- above", f"v = LEAK-value  # {PRAGMA}"], 2, "above", 1),
    ],
    ids=[
        "same-line",
        "line-above",
        "no-reason",
        "html-comment",
        "pragma",
        "pragma-nextline",
        "same-line-first",
        "reason-beats-pragma",
    ],
)
def test_an_inline_allow_returns_the_suppressed_finding_with_its_reason_and_comment_line(
    lines: list[str], line: int, justification: str, comment_line: int
) -> None:
    finding = _leak(line)
    kept, suppressed, _ = apply_inline_allows(Source("f.txt", "\n".join(lines)), [finding], KNOWN)
    assert kept == []
    assert suppressed == [Suppressed(finding, SuppressionKind.INLINE, justification, comment_line)]


def test_what_no_allow_covers_is_kept_and_nothing_is_suppressed() -> None:
    text = f"a = LEAK-one\n# {ALLOW} fake/other -- another rule\nb = LEAK-two\n"
    findings = [_leak(1), _leak(3)]
    kept, suppressed, _ = apply_inline_allows(Source("f.txt", text), findings, KNOWN)
    assert (kept, suppressed) == (findings, [])


def test_the_baseline_returns_what_it_accepts_with_the_entrys_reason(tmp_path: Path) -> None:
    accepted, other = _leak(1, "a.txt"), _leak(2, "b.txt")
    entry = BaselineEntry("a.txt", LEAK_RULE.rule_id, accepted.fingerprint, LEAK_RULE.category, "rotated in 2023")
    kept, waved = Baseline(tmp_path, (entry,)).subtract([accepted, other], tmp_path)
    assert kept == [other]
    assert waved == [Suppressed(accepted, SuppressionKind.BASELINE, "rotated in 2023")]


def test_a_suppressed_finding_is_small_when_pickled_and_holds_no_secret() -> None:
    """Pool workers send these back: a finding and a few strings, never the source they came from."""
    source = Source("f.txt", f"v = LEAK-value  # {ALLOW} fake/leak -- fixture\n" + "filler line\n" * 5000)
    outcome = Engine(Config(root=Path("/nowhere"), default_policy=False), Policy(), FAKES).scan_source(source)
    (item,) = outcome.suppressed
    data = pickle.dumps(item)
    assert pickle.loads(data) == item
    assert len(data) < 1024
    assert b"LEAK-value" not in pickle.dumps(outcome)


def _tree(root: Path, files: dict[str, str]) -> Config:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return Config(root=root, paths=(root,), default_policy=False)


def test_a_pool_returns_the_same_suppressions_as_one_process(tmp_path: Path) -> None:
    files = {f"d{i % 5}/f{i:03d}.txt": f"x = LEAK-{i}  # {ALLOW} fake/leak -- fixture {i}\n" for i in range(20)}
    files.update({f"e/g{i:03d}.txt": f"LEAK-open-{i}\n" for i in range(PARALLEL_MIN_FILES)})
    config = _tree(tmp_path, files)
    parallel = scan(config.with_overrides(jobs=2), policy=Policy(), factories=FAKES)
    sequential = scan(config.with_overrides(jobs=1), policy=Policy(), factories=FAKES)
    assert parallel.suppressed == sequential.suppressed
    assert len(parallel.suppressed) == parallel.suppressed_inline == 20
    assert [item.finding.path for item in parallel.suppressed] == sorted(f"d{i % 5}/f{i:03d}.txt" for i in range(20))
    assert {item.justification for item in parallel.suppressed} == {f"fixture {i}" for i in range(20)}


def test_a_scan_sorts_both_kinds_and_derives_its_counts(tmp_path: Path) -> None:
    config = _tree(
        tmp_path,
        {
            "b.txt": f"LEAK-allowed  # {ALLOW} fake/leak -- fixture\n",
            "a.txt": "LEAK-accepted\n",
            "c.txt": "LEAK-open\n",
        },
    )
    first = scan(config, policy=Policy(), factories=FAKES)
    (accepted,) = [f for f in first.findings if f.path == "a.txt"]
    entry = BaselineEntry("a.txt", accepted.rule_id, accepted.fingerprint, accepted.category, "accepted")
    result = scan(config, policy=Policy(), factories=FAKES, baseline=Baseline(tmp_path, (entry,)))
    assert [f.path for f in result.findings] == ["c.txt"]
    assert [(i.finding.path, i.kind, i.justification) for i in result.suppressed] == [
        ("a.txt", SuppressionKind.BASELINE, "accepted"),
        ("b.txt", SuppressionKind.INLINE, "fixture"),
    ]
    assert (result.suppressed_inline, result.suppressed_baseline) == (1, 1)


def test_a_result_without_suppressions_counts_zero() -> None:
    result = ScanResult(findings=(), rules=())
    assert (result.suppressed, result.suppressed_inline, result.suppressed_baseline) == ((), 0, 0)
