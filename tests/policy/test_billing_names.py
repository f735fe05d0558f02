"""Which names make a literal a billing secret: a payment provider's name as a word of the key's name
(``SQUARE_TOKEN``, ``shop_square_api_key``), never a longer word that contains it (Foursquare's keys are
connector credentials, which other rules report). Values are built at run time."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest

from cavra_safety.config import Config
from cavra_safety.detectors.policy import build_policy_detector
from cavra_safety.findings import Finding
from cavra_safety.policy import load_policy
from cavra_safety.sources import Source

RULE = "policy/billing-secret-assignment"


def value() -> str:
    rng = random.Random(2612)
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(32))


@pytest.fixture(scope="module")
def billing_rule_sees() -> object:
    config = Config(root=Path("."))
    detector = build_policy_detector(config, load_policy(config))

    def sees(path: str, line: str) -> bool:
        found = detector.detect(Source(path=path, text=line + "\n"))
        return any(isinstance(item, Finding) and item.rule_id == RULE for item in found)

    return sees


CASES = [
    ("deploy/.env", "SQUARE_SECRET={}", True),
    ("deploy/.env", "export SHOP_SQUARE_API_KEY={}", True),
    ("deploy/values.yaml", "  square_access_token: {}", True),
    ("app/settings.py", 'SQUARE_API_KEY = "{}"', True),
    ("deploy/.env", "FOURSQUARE_CLIENT_SECRET={}", False),
    ("deploy/.env", "FOURSQUARE_API_KEY={}", False),
    ("deploy/values.yaml", "  foursquare_api_key: {}", False),
    ("places/settings.py", 'FOURSQUARE_KEY = "{}"', False),
]


@pytest.mark.parametrize(("path", "template", "billing"), CASES)
def test_a_provider_name_counts_only_as_a_word_of_the_key_name(
    billing_rule_sees: object, path: str, template: str, billing: bool
) -> None:
    assert billing_rule_sees(path, template.format(value())) is billing  # type: ignore[operator]
