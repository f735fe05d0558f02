"""The nesting view's gate (a parent key holding a section word) is a necessary condition: on any YAML or JSON
text, the view with the gate is the view without it."""

from __future__ import annotations

import random
import re

import pytest

from cavra_safety.policy import nesting
from cavra_safety.policy.nesting import nesting_view
from cavra_safety.policy.views import View

KEYS = ["billing", "Webhooks", "stripe-live", "payment.providers", "license", "name", "url", "apiKey", "a:b", "x y"]
VALUES = ['"whsec_' + "x1" * 8 + '"', '"Webhook URL"', "42", "true", '"a: b"', "plain", "'quoted'", "# only a comment"]


def _json(rng: random.Random, depth: int = 0) -> list[str]:
    lines, pad = [], "  " * (depth + 1)
    for _ in range(rng.randint(1, 4)):
        key = rng.choice(KEYS)
        if depth < 3 and rng.random() < 0.4:
            opener = rng.choice("{[")
            lines.append(f'{pad}"{key}"{rng.choice(["", " "])}:{rng.choice(["", " "])}{opener}')
            lines += _json(rng, depth + 1) if opener == "{" else [pad + "  {", *_json(rng, depth + 2), pad + "  }"]
            lines.append(pad + ("}" if opener == "{" else "]") + ",")
        else:
            lines.append(f'{pad}"{key}": {rng.choice(VALUES)},')
    return lines


def _yaml(rng: random.Random, depth: int = 0) -> list[str]:
    lines, pad = [], "  " * depth
    for _ in range(rng.randint(1, 4)):
        key, item = rng.choice(KEYS), rng.choice(["", "- "])
        if depth < 3 and rng.random() < 0.4:
            lines.append(f"{pad}{item}{key}:{rng.choice(['', '  # note: x', ' '])}")
            lines += _yaml(rng, depth + 1)
        else:
            lines.append(f"{pad}{item}{key}: {rng.choice(VALUES)}")
    return lines


def _shape(view: View | None) -> tuple[object, ...] | None:
    return None if view is None else (view.text, view.pieces, view.notes)


@pytest.mark.parametrize("seed", range(60))
def test_the_gate_never_hides_a_view(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    for suffix, lines in (("json", ["{", *_json(rng), "}"]), ("yaml", _yaml(rng))):
        text = ("\r\n" if rng.random() < 0.2 else "\n").join(lines)
        split = [line.rstrip("\r") for line in text.split("\n")]
        gated = _shape(nesting_view(suffix, split, text.lower()))
        with monkeypatch.context() as patched:
            patched.setattr(nesting, "_PARENT", {"json": re.compile(""), "yaml": re.compile("")})
            ungated = _shape(nesting_view(suffix, split, text.lower()))
        assert gated == ungated, text


def test_a_word_only_in_scalar_keys_or_values_builds_no_view() -> None:
    lines = ["{", '  "Webhook URL": "Webhook URL",', '  "Billing address": "x",', '  "license": "MIT"', "}"]
    assert nesting_view("json", lines, "\n".join(lines).lower()) is None
    yaml = ["webhook_url: https://example.invalid/hook", "billing_email: a@b.invalid"]
    assert nesting_view("yaml", yaml, "\n".join(yaml).lower()) is None
