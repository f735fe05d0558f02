"""Scanning real files through the engine, for the derived-view tests (``policy.views``)."""

from __future__ import annotations

import random
import string
from pathlib import Path

from cavra_safety.config import Config
from cavra_safety.findings import Finding
from cavra_safety.pipeline.engine import Engine
from cavra_safety.policy import load_policy
from cavra_safety.sources import FileRef, Source
from cavra_safety.sources.text import read_source


def build_engine(root: Path) -> Engine:
    config = Config(root=root)
    return Engine(config, load_policy(config))


def scan_file(engine: Engine, root: Path, path: str, text: str) -> list[Finding]:
    """Write ``text`` to ``root / path`` and scan it as a tree scan reads it."""
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    source = read_source(FileRef(path=path, fspath=str(target), size=target.stat().st_size), 1 << 20)
    assert isinstance(source, Source), source
    return engine.scan_source(source).findings


# Words the rules' value filters drop wherever they occur: a draw holding one is drawn again.
_FILTERED = ("test", "fake", "demo", "mock", "dummy", "sample", "fixture", "xxx", "example", "replace", "redacted")


def token(length: int = 28) -> str:
    """A random secret-shaped value drawn at run time: letters and digits, with a digit inside and both cases (a
    draw of letters only, 1 in 140 at this length, is what rules let through as an identifier: drawn again)."""
    rng = random.SystemRandom()
    while True:
        value = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(length))
        mixed = (
            any(c.isdigit() for c in value[1:-1])
            and any(c.islower() for c in value)
            and any(c.isupper() for c in value)
        )
        if mixed and not any(word in value.lower() for word in _FILTERED):
            return value


def the_one_finding_at_the_value(engine: Engine, root: Path, path: str, template: str) -> tuple[Finding, str]:
    """Scan ``template`` with a fresh value in its ``{v}``: the one finding on the value's line, which must span
    exactly the value and never repeat it, and the value."""
    value = token()
    text = template.format(v=value)
    findings = scan_file(engine, root, path, text)
    line = next(index for index, line in enumerate(text.split("\n"), 1) if value in line)
    on_line = [finding for finding in findings if finding.line == line]
    assert len(on_line) == 1, [(finding.rule_id, finding.category) for finding in on_line]
    (finding,) = on_line
    original = text.split("\n")[line - 1]
    assert original[finding.column - 1 : finding.end_column - 1] == value
    assert value not in finding.message and value not in finding.redacted
    return finding, value
