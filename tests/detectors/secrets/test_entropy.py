"""detectors.secrets.entropy: the same float as detect-secrets' own entropy, for every value."""

from __future__ import annotations

import random
import string

import pytest
from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString, HexHighEntropyString

from cavra_safety.detectors.secrets.entropy import entropy_of

PLUGINS = [("Base64HighEntropyString", Base64HighEntropyString()), ("HexHighEntropyString", HexHighEntropyString())]
EDGE_CASES = ["", "a", "7", "aaaa", "0123456789", "00000000000000000000", "1_000_000", " 42", "-17", "deadBEEF", "é€x"]


def random_values(seed: int) -> list[str]:
    """Values as the plugins meet them (their charset, any length), and some with other characters."""
    rng = random.Random(seed)
    alphabets = [string.hexdigits, string.digits, string.ascii_letters + string.digits + "+/=-_\\", string.printable]
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 90))) for alphabet in alphabets * 400]


@pytest.mark.parametrize(("name", "plugin"), PLUGINS, ids=[name for name, _ in PLUGINS])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_entropy_is_detect_secrets_own_bit_for_bit(name, plugin, seed) -> None:
    fast = entropy_of(name, plugin)
    values = EDGE_CASES + random_values(seed)
    different = [value for value in values if fast(value) != plugin.calculate_shannon_entropy(value)]
    assert different == []


def test_a_charset_with_a_repeated_character_keeps_the_plugins_own_method() -> None:
    plugin = HexHighEntropyString()
    plugin.charset = "0123456789abcdef0"
    assert entropy_of("HexHighEntropyString", plugin) == plugin.calculate_shannon_entropy
