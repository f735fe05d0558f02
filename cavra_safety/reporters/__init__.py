"""The reporter registry: one literal dict from ``--format`` name to a pure render function."""

from __future__ import annotations

from cavra_safety.reporters.base import RenderOptions, Reporter
from cavra_safety.reporters.github import render_github
from cavra_safety.reporters.json_report import render_json
from cavra_safety.reporters.sarif import render_sarif
from cavra_safety.reporters.text import render_text

REPORTERS: dict[str, Reporter] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
}

__all__ = ["REPORTERS", "RenderOptions", "Reporter"]
