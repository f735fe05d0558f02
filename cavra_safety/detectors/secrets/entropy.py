"""The entropy detect-secrets' high-entropy plugins compute, bit for bit, at a fraction of the cost.

detect-secrets computes a value's Shannon entropy with one ``str.count`` per character of the plugin's charset
(67 for base64, 22 for hex) in a Python loop: about 50 us a value, the largest single cost of the secrets
detector on real code. Here the value's characters are counted once (``collections.Counter``, in C) and the
same non-zero terms are added in the same order (the charset's), with the same operations, so the result is the
identical float and every ``<= limit`` decision is detect-secrets' own. The hex plugin's adjustment for
all-digit values is applied as detect-secrets applies it. ``tests/detectors/secrets/test_entropy.py`` compares
both on random and edge-case values; a charset with a repeated character (not one of detect-secrets') keeps
the plugin's own method.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

HEX_PLUGIN = "HexHighEntropyString"


def charset_entropy(order: dict[str, int], data: str) -> float:
    """detect-secrets' ``HighEntropyStringsPlugin.calculate_shannon_entropy`` for the charset whose
    characters ``order`` numbers (``{character: position}``)."""
    if not data:
        return 0
    size = len(data)
    terms = sorted((order[char], count) for char, count in Counter(data).items() if char in order)
    entropy = 0.0
    for _, count in terms:
        p_x = float(count) / size
        entropy += -p_x * math.log(p_x, 2)
    return entropy


def hex_adjusted(entropy: float, data: str) -> float:
    """detect-secrets' ``HexHighEntropyString`` lowers the entropy of an all-digit value (longer ones less)."""
    if len(data) == 1:
        return entropy
    try:
        int(data)
    except ValueError:
        return entropy
    return entropy - 1.2 / math.log(len(data), 2)


def entropy_of(plugin: str, instance: Any) -> Callable[[str], float]:
    """The entropy function of a high-entropy plugin instance: the fast one, or the instance's own when its
    charset repeats a character (each repeat would add its term again, which ``order`` cannot say)."""
    charset: str = instance.charset
    if len(set(charset)) != len(charset):
        return instance.calculate_shannon_entropy  # type: ignore[no-any-return]
    order = {char: position for position, char in enumerate(charset)}
    if plugin == HEX_PLUGIN:
        return lambda data: hex_adjusted(charset_entropy(order, data), data)
    return lambda data: charset_entropy(order, data)
