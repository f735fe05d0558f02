"""The policy detector's one pass (Hyperscan prefilter) finds exactly what the keyword-gated path finds: every
default rule's examples and negatives, as written and in the variants that stress the prefilter's reasoning
(CRLF lines, non-ASCII neighbours, every example of a file type in one file, characters that fold to ASCII)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pytest

from cavra_safety import multipattern
from cavra_safety.config import Config
from cavra_safety.detectors.policy import PolicyDetector
from cavra_safety.findings import Finding
from cavra_safety.policy import Policy, RegexRule, load_policy
from cavra_safety.sources import Source

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(not multipattern.AVAILABLE, reason="no Hyperscan wheel on this platform")

Found = list[tuple[str, int, int, str]]


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(Config(root=REPO))


@pytest.fixture(scope="module")
def detectors(policy: Policy) -> tuple[PolicyDetector, PolicyDetector]:
    one_pass = PolicyDetector(policy.rules, policy.denylists)
    one_pass.prepare()
    return one_pass, PolicyDetector(policy.rules, policy.denylists, one_pass=False)


def _found(detector: PolicyDetector, path: str, text: str) -> Found:
    items = detector.detect(Source(path=path, text=text))
    return sorted((f.rule_id, f.line, f.column, f.fingerprint) for f in items if isinstance(f, Finding))


def _examples(policy: Policy) -> dict[str, list[str]]:
    """Every example and negative example of the default packs, by the path it is scanned as."""
    texts: dict[str, list[str]] = defaultdict(list)
    for rule in policy.rules:
        for example in (*rule.examples, *rule.negative_examples):
            texts[example.path].append(example.text)
    return texts


def _variants(text: str) -> Iterable[tuple[str, str]]:
    yield "as written", text
    yield "crlf", text.replace("\n", "\r\n")
    yield "non-ascii neighbours", "\u00e9t\u00e9 \u263a\n" + text.replace(" ", " \u00e9", 1).replace("=", "\u00a0=", 1)


def test_the_default_packs_are_nearly_all_prefiltered(policy: Policy, detectors: tuple[PolicyDetector, ...]) -> None:
    prefilter = detectors[0]._load_prefilter(compile_on_miss=True)
    assert prefilter is not None
    regex_rules = sum(isinstance(rule, RegexRule) for rule in policy.rules)
    assert len(prefilter.prefiltered) >= 0.95 * regex_rules


def test_every_example_alone_and_varied(policy: Policy, detectors: tuple[PolicyDetector, PolicyDetector]) -> None:
    one_pass, gated = detectors
    differences = []
    for path, texts in _examples(policy).items():
        for text in texts:
            for variant, varied in _variants(text):
                first, second = _found(one_pass, path, varied), _found(gated, path, varied)
                if first != second:
                    differences.append(f"{path} ({variant}): one pass {first}, gated {second}")
    assert not differences, "\n".join(differences[:20])


def test_every_example_of_a_path_in_one_file(policy: Policy, detectors: tuple[PolicyDetector, PolicyDetector]) -> None:
    one_pass, gated = detectors
    for path, texts in _examples(policy).items():
        whole = "\n".join(texts)
        assert _found(one_pass, path, whole) == _found(gated, path, whole), path


@pytest.mark.parametrize("character", ["\u212a", "\u017f", "\u0130"])
def test_a_text_folding_to_ascii_takes_the_exact_path(
    detectors: tuple[PolicyDetector, PolicyDetector], character: str
) -> None:
    one_pass, gated = detectors
    text = f"{character}\nGITHUB_TOKEN=ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5"
    assert _found(one_pass, "x.env", text) == _found(gated, "x.env", text) != []
