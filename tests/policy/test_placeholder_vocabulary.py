"""One placeholder vocabulary (``policy.placeholders``): the policy rules' value filter and the secrets
detector's ``placeholder`` precision filter read the same words and template fragments, and agree."""

from __future__ import annotations

import random
import re
import string

import pytest

from cavra_safety.detectors.secrets import precision, shapes
from cavra_safety.policy.placeholders import MARKERS, TEMPLATE_FRAGMENTS, is_placeholder, says_placeholder

# A concrete text of every template fragment, as it is met in config files and docs.
FRAGMENT_SAMPLES = ["${STRIPE_KEY}", "{{ stripe_key }}", "<stripe-key>", "%(stripe_key)s", "%s", "...", "\u2026"]
SAMPLES = [*MARKERS, *(marker.upper() for marker in MARKERS), *FRAGMENT_SAMPLES]


def random_value(length: int = 32) -> str:
    rng = random.Random(1203)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(length))


def secrets_filter_drops(value: str) -> bool:
    return shapes.placeholder(shapes.Seen("KeywordDetector", value, f'api_key = "{value}"', "config/settings.py"))


def test_every_fragment_of_the_vocabulary_has_a_sample() -> None:
    for fragment in TEMPLATE_FRAGMENTS:
        assert any(re.search(fragment, sample) for sample in FRAGMENT_SAMPLES), fragment


@pytest.mark.parametrize("word", SAMPLES)
def test_both_detectors_drop_a_value_holding_a_word_of_the_vocabulary(word: str) -> None:
    body = random_value()
    value = body[:12] + word + body[12:]
    assert says_placeholder(value)
    assert is_placeholder(value)
    assert secrets_filter_drops(value)
    assert precision.dropped_by("KeywordDetector", value, f'api_key = "{value}"', "config/settings.py") is not None


@pytest.mark.parametrize(
    "value",
    [random_value(), random_value(40).lower(), "sk_" + random_value(), "Qm2Lp8Zr3Xv6Tn1Wy5Kc7Dh2"],
)
def test_both_detectors_keep_a_value_without_one(value: str) -> None:
    assert not says_placeholder(value)
    assert not is_placeholder(value)
    assert not secrets_filter_drops(value)
