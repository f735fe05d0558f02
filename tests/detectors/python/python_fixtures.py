"""Helpers for the Python detector tests: the default ``[python]`` section and a one-file scan."""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from pathlib import Path

from cavra_safety.detectors.python.checks import CHECKS, Check
from cavra_safety.detectors.python.detector import PythonDetector
from cavra_safety.findings import Finding, Note
from cavra_safety.policy.python_section import PythonSection, parse_python_section
from cavra_safety.sources import Source

PACK = Path(__file__).resolve().parents[3] / "policies" / "python.toml"
MARK = "▶"


def default_section() -> PythonSection:
    problems: list[str] = []
    section = parse_python_section(tomllib.loads(PACK.read_text("utf-8"))["python"], str(PACK), problems)
    assert section is not None and not problems, problems
    return section


def detect(
    code: str, path: str = "app/module.py", checks: Sequence[type[Check]] = CHECKS, section: PythonSection | None = None
) -> tuple[list[Finding], list[Note]]:
    detector = PythonDetector(section if section is not None else default_section(), checks)
    items = list(detector.detect(Source(path=path, text=code)))
    return [i for i in items if isinstance(i, Finding)], [i for i in items if isinstance(i, Note)]


def expected_position(code: str) -> tuple[str, int, int]:
    """The code without the ``▶`` mark, and the 1-based line and column where the mark stood."""
    index = code.index(MARK)
    before = code[:index]
    line = before.count("\n") + 1
    column = index - (before.rfind("\n") + 1) + 1
    return code.replace(MARK, "", 1), line, column
