"""Speed must give up no detection: the keyword gates never hide a rule's own examples, the line screen of
busy rules finds exactly what per-line matching finds, and the lazily built secrets detector reports exactly
what the eager one reports (and does not load detect-secrets for a file without a candidate)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import cavra_safety.detectors.policy as policy_detector
from cavra_safety.config import Config
from cavra_safety.detectors.secrets.adapter import (
    DENYLIST_SUPERSET,
    build_eager_secrets_detector,
    build_secrets_detector,
)
from cavra_safety.findings import Finding
from cavra_safety.policy import Policy, RegexRule, load_policy
from cavra_safety.sources import Source

DEFAULT = load_policy(Config(root=Path(".")))


def _findings(detector: Any, source: Source) -> list[tuple[str, int, int, str]]:
    return sorted(
        (item.rule_id, item.line, item.column, item.fingerprint)
        for item in detector.detect(source)
        if isinstance(item, Finding)
    )


@pytest.mark.parametrize("rule", DEFAULT.rules, ids=lambda rule: rule.id)
def test_every_positive_example_carries_one_of_its_rules_keywords(rule: Any) -> None:
    assert rule.examples, f"{rule.id} has no positive example"
    for example in rule.examples:
        lowered = example.text.lower()
        assert any(keyword in lowered for keyword in rule.keywords), (rule.id, rule.keywords)


@pytest.mark.parametrize("rule", [r for r in DEFAULT.rules if isinstance(r, RegexRule)], ids=lambda rule: rule.id)
def test_the_line_screen_finds_what_per_line_matching_finds(rule: RegexRule, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each rule's examples, negatives and keyword-only noise lines in one file: far more candidate lines than
    the screen threshold, so the screen runs, and the result must equal per-line matching's."""
    noise = [f"# {keyword} is mentioned here, nothing else" for keyword in rule.keywords]
    lines: list[str] = []
    for example in (*rule.examples, *rule.negative_examples):
        lines += noise + example.text.split("\n") + noise
    path = rule.examples[0].path
    detector = policy_detector.build_policy_detector(Config(root=Path(".")), DEFAULT)
    source = Source(path=path, text="\n".join(lines))
    screened = _findings(detector, source)
    monkeypatch.setattr(policy_detector, "SCREEN_MIN_LINES", 10**9)
    per_line = _findings(detector, Source(path=path, text="\n".join(lines)))
    assert screened == per_line
    assert any(rule_id == rule.info.rule_id for rule_id, *_ in screened)


_GIZMO_PACK = """
[pack]
name = "gizmo-pack"
version = "1.0.0"

[categories.license-key]
title = "Gizmo codes"
description = "About gizmo codes."

[[rules]]
id = "gizmo-code"
category = "license-key"
severity = "high"
title = "Gizmo code"
message = "A gizmo code was found; move it to the secret store."
keywords = ["gizmo"]
patterns = ['''PATTERN''']
examples = ['gizmo_code = "GZ7q2LmP9x"']
negative-examples = ['gizmo_code = "<gizmo-code>"']
"""


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (r'''^gizmo_code\s*=\s*"(?P<secret>[^"]*)"''', 'x = 1\ngizmo_code = "GZ7q2LmP9x"'),  # ^ on a later line
        (r"""gizmo_code\s*=\s*"(?P<secret>[^"]*)"$""", 'gizmo_code = "GZ7q2LmP9x"\ny = 2'),  # $ before a newline
        (r'''\Agizmo_code\s*=\s*"(?P<secret>[^"]*)"''', 'gizmo_code = "GZ7q2LmP9x"'),  # text edges: no screen
        (r'''gizmo_code[^"]*"(?P<secret>[A-Za-z0-9]{8,})"''', 'gizmo_code = \n"GZ7q2LmP9x"'),  # spans lines
    ],
)
@pytest.mark.parametrize("newline", ["\n", "\r\n"])  # whole-text screen; joined-lines screen
def test_the_line_screen_keeps_anchored_and_line_spanning_patterns_exact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str, text: str, newline: str
) -> None:
    pack = tmp_path / "pack.toml"
    pack.write_text(_GIZMO_PACK.replace("PATTERN", pattern), encoding="utf-8")
    policy = load_policy(Config(root=tmp_path, default_policy=False, policy_files=(pack,)))
    detector = policy_detector.build_policy_detector(Config(root=tmp_path), policy)
    busy = newline.join(["# gizmo noise"] * 10 + [text] + ["# gizmo noise"] * 10 + [text]).replace("\n", newline)
    screened = _findings(detector, Source(path="a.py", text=busy))
    monkeypatch.setattr(policy_detector, "SCREEN_MIN_LINES", 10**9)
    assert screened == _findings(detector, Source(path="a.py", text=busy))
    assert len(screened) == (0 if text.startswith("gizmo_code = \n") else 2)  # the spanning case finds none


def test_the_keyword_pre_gate_covers_detect_secrets_denylist() -> None:
    from detect_secrets.plugins.keyword import DENYLIST

    for word in DENYLIST:
        assert any(part in word for part in DENYLIST_SUPERSET), word


def test_the_lazy_secrets_detector_has_the_eager_rules_and_findings() -> None:
    config = Config(root=Path("."))
    lazy, eager = build_secrets_detector(config, Policy()), build_eager_secrets_detector(config, Policy())
    assert lazy.rules == eager.rules
    key = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
    random_value = "Zq8m" + "N2vX7pL4kR9w"  # built at run time: this file must pass its own scan
    for text in ("x = 1\n", f'STRIPE = "{key}"\n', f'password = "{random_value}"\n'):
        source = Source(path="settings.py", text=text)
        assert _findings(lazy, source) == _findings(eager, source)


def test_a_file_without_candidates_does_not_load_detect_secrets(tmp_path: Path) -> None:
    target = tmp_path / "settings.py"
    target.write_text("import os\n\nDATABASE_URL = os.environ['DATABASE_URL']\nDEBUG = False\n")
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from cavra_safety.config import Config
        from cavra_safety.pipeline.scan import scan
        scan(Config(root=Path({str(tmp_path)!r}), default_policy=False))
        print('detect_secrets' in sys.modules)
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("one\ntwo\n", ["one", "two", ""]),
        ("one\r\ntwo\r\n", ["one", "two", ""]),
        ("one\r\ntwo\nthree\r", ["one", "two", "three"]),
        ("a\rb\nc", ["a\rb", "c"]),  # a lone carriage return inside a line is kept
        ("", [""]),
    ],
)
def test_source_lines(text: str, lines: list[str]) -> None:
    assert Source(path="a.txt", text=text).lines == lines
