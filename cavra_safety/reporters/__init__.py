"""The reporter registry: one literal dict from ``--format`` name to a pure render function.

Each entry imports its reporter module when it is called, not when the registry is imported: a pre-commit
run prints text and must not pay for the JSON, SARIF or GitHub reporters (``tests/test_startup_imports.py``).
"""

from __future__ import annotations

from cavra_safety.findings import ScanResult
from cavra_safety.reporters.base import RenderOptions, Reporter


def _text(result: ScanResult, options: RenderOptions) -> str:
    from cavra_safety.reporters.text import render_text

    return render_text(result, options)


def _json(result: ScanResult, options: RenderOptions) -> str:
    from cavra_safety.reporters.json_report import render_json

    return render_json(result, options)


def _sarif(result: ScanResult, options: RenderOptions) -> str:
    from cavra_safety.reporters.sarif import render_sarif

    return render_sarif(result, options)


def _github(result: ScanResult, options: RenderOptions) -> str:
    from cavra_safety.reporters.github import render_github

    return render_github(result, options)


REPORTERS: dict[str, Reporter] = {
    "text": _text,
    "json": _json,
    "sarif": _sarif,
    "github": _github,
}

__all__ = ["REPORTERS", "RenderOptions", "Reporter"]
