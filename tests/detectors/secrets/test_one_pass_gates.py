"""The secrets detector's one-pass gates (a large scan's Hyperscan pass over the plugins' gates) name the same
plugins as the RE2 gate set, so the findings are the same: on the project's labelled detection corpus, as
written and in variants (CRLF lines, non-ASCII neighbours)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cavra_safety import multipattern
from cavra_safety.config import Config
from cavra_safety.detectors.secrets.adapter import SecretsDetector, build_eager_secrets_detector
from cavra_safety.findings import Finding
from cavra_safety.policy import Policy
from cavra_safety.sources import Source
from cavra_safety.sources.text import decode

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from detection_corpus import policy_cases, secret_cases, write_corpus  # noqa: E402
from detection_gaps import gap_cases  # noqa: E402

pytestmark = pytest.mark.skipif(not multipattern.AVAILABLE, reason="no Hyperscan wheel on this platform")


def _found(detector: SecretsDetector, path: str, text: str) -> list[tuple[str, int, int, str]]:
    items = detector.detect(Source(path=path, text=text))
    return sorted((f.rule_id, f.line, f.column, f.fingerprint) for f in items if isinstance(f, Finding))


def test_one_pass_gates_find_what_the_gate_set_finds(tmp_path: Path) -> None:
    config = Config(root=tmp_path)
    gated = build_eager_secrets_detector(config, Policy())
    one_pass = build_eager_secrets_detector(config, Policy())
    one_pass.enable_one_pass()
    assert one_pass._one_pass is not None
    write_corpus(policy_cases() + secret_cases()[0] + gap_cases(), tmp_path)
    differences, found = [], 0
    for file in sorted(path for path in tmp_path.rglob("*") if path.is_file()):
        text = decode(file.read_bytes())
        name = file.relative_to(tmp_path).as_posix()
        for variant in (text, text.replace("\n", "\r\n"), "\u00e9t\u00e9 \u263a\n" + text.replace("=", "\u00a0=", 1)):
            ours = _found(one_pass, name, variant)
            found += len(ours)
            if ours != _found(gated, name, variant):
                differences.append(name)
    assert found > 100, "the corpus gave the secrets detector almost nothing to find: a broken test"
    assert not differences, differences[:20]
