"""Every example and negative example of the default packs, run through the real detector (keyword gate
included). Collected at collection time, so a new rule brings its own tests: ``policy/<id>:example[0]``."""

from __future__ import annotations

from pathlib import Path

import pytest

from cavra_safety.config import Config
from cavra_safety.detectors.policy import PolicyDetector, build_policy_detector
from cavra_safety.errors import UserError
from cavra_safety.findings import Category, Finding
from cavra_safety.policy import Example, Policy, PolicyRule, load_policy
from cavra_safety.sources import Source

REPO = Path(__file__).resolve().parents[2]


def _load_default() -> Policy | UserError:
    try:
        return load_policy(Config(root=REPO))
    except UserError as error:
        return error


DEFAULT = _load_default()


def _example_cases() -> list[object]:
    if isinstance(DEFAULT, UserError):
        return [pytest.param(None, None, True, id="default-policy-does-not-load")]
    cases: list[object] = []
    for rule in DEFAULT.rules:
        for index, example in enumerate(rule.examples):
            cases.append(pytest.param(rule, example, True, id=f"{rule.info.rule_id}:example[{index}]"))
        for index, example in enumerate(rule.negative_examples):
            cases.append(pytest.param(rule, example, False, id=f"{rule.info.rule_id}:negative-example[{index}]"))
    return cases


def _rule_cases() -> list[object]:
    if isinstance(DEFAULT, UserError):
        return [pytest.param(None, id="default-policy-does-not-load")]
    return [pytest.param(rule, id=rule.info.rule_id) for rule in DEFAULT.rules]


@pytest.fixture(scope="module")
def detector() -> PolicyDetector:
    assert isinstance(DEFAULT, Policy), str(DEFAULT)
    return build_policy_detector(Config(root=REPO), DEFAULT)


def test_default_policy_loads() -> None:
    assert isinstance(DEFAULT, Policy), str(DEFAULT)
    assert DEFAULT.rules, "the default policy has no rules"
    assert set(DEFAULT.categories) == set(Category)


@pytest.mark.parametrize(("rule", "example", "positive"), _example_cases())
def test_example(detector: PolicyDetector, rule: PolicyRule, example: Example, positive: bool) -> None:
    found = [
        item
        for item in detector.detect(Source(path=example.path, text=example.text))
        if isinstance(item, Finding) and item.rule_id == rule.info.rule_id
    ]
    if positive:
        assert found, f"{rule.source}: {example.text!r} (as {example.path}) yields no {rule.info.rule_id}"
        assert all(f.category is rule.info.category and f.severity is rule.info.severity for f in found)
    else:
        places = [(f.line, f.column, f.redacted) for f in found]
        assert not found, f"{rule.source}: {example.text!r} (as {example.path}) yields {rule.info.rule_id} at {places}"


@pytest.mark.parametrize("rule", _rule_cases())
def test_positive_examples_contain_a_keyword(rule: PolicyRule) -> None:
    assert rule.examples and rule.negative_examples
    for index, example in enumerate(rule.examples):
        lowered = example.text.lower()
        assert any(keyword in lowered for keyword in rule.keywords), (
            f"{rule.info.rule_id}: examples[{index}] contains none of its keywords {rule.keywords}"
        )


def test_every_default_rule_path_filter_compiles() -> None:
    """The built-in packs' path filters compile on first use (a hook run compiles only those it needs), so
    this test is where a malformed glob in them fails."""
    assert isinstance(DEFAULT, Policy), str(DEFAULT)
    filtered = [rule for rule in DEFAULT.rules if rule.paths is not None]
    assert filtered, "no default rule has a path filter: a broken test"
    for rule in filtered:
        assert rule.paths is not None
        assert rule.paths.include_spec is not None or rule.paths.exclude_spec is not None, rule.id
