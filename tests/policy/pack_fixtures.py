"""Fixture policy packs for the engine tests, written as real TOML files under ``tmp_path``.

The fixture rules use neutral names (``gizmo``, ``widget``) so the default policy never flags this file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        # Literal strings keep regex backslashes readable; fall back to basic strings when needed.
        if "'" not in value and "\n" not in value:
            return f"'{value}'"
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{key} = {toml_value(item)}" for key, item in value.items()) + " }"
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    raise TypeError(f"no TOML for {value!r}")


def table(header: str, fields: Mapping[str, Any]) -> str:
    return "\n".join([header, *(f"{key} = {toml_value(value)}" for key, value in fields.items())]) + "\n"


def gizmo_rule(**overrides: Any) -> dict[str, Any]:
    """A valid regex rule: ``gizmo_code = "<value>"`` with a value of 8+ word characters."""
    rule: dict[str, Any] = {
        "id": "gizmo-code",
        "category": "license-key",
        "severity": "high",
        "title": "Gizmo code",
        "message": "A gizmo code was found; move it to the secret store.",
        "keywords": ["gizmo"],
        "patterns": [r'''gizmo_code\s*=\s*"(?P<secret>[^"]*)"'''],
        "examples": ['gizmo_code = "GZ7q2LmP9x"'],
        "negative-examples": ['gizmo_code = "<gizmo-code>"'],
    }
    rule.update(overrides)
    return {key: value for key, value in rule.items() if value is not None}


def widget_record_rule(**overrides: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": "widget-record",
        "category": "tenant-record",
        "severity": "high",
        "title": "Widget record",
        "message": "A widget record was found; keep records out of the repository.",
        "kind": "record",
        "keywords": ["widget"],
        "identifier-keys": ["widget_id", "widgetId"],
        "companion-keys": ["maker", "grade", "buyer_email"],
        "examples": ['{"widget_id": "wdg-4411", "maker": "Acme Works"}'],
        "negative-examples": ['{"widget_id": {"type": "string"}, "maker": {"type": "string"}}'],
    }
    rule.update(overrides)
    return {key: value for key, value in rule.items() if value is not None}


def pack_text(
    name: str = "fixture-pack",
    rules: Sequence[Mapping[str, Any]] = (),
    categories: Mapping[str, Mapping[str, str]] | None = None,
    denylists: Sequence[Mapping[str, Any]] = (),
    **pack_fields: Any,
) -> str:
    parts = [table("[pack]", {"name": name, "version": "1.0.0", **pack_fields})]
    for category, fields in (categories or {}).items():
        parts.append(table(f"[categories.{category}]", fields))
    parts += [table("[[rules]]", rule) for rule in rules]
    parts += [table("[[denylist]]", deny) for deny in denylists]
    return "\n".join(parts)


def write_pack(folder: Path, filename: str, text: str) -> Path:
    path = folder / filename
    path.write_text(text, encoding="utf-8")
    return path


ALL_CATEGORIES = {
    category: {"title": category.replace("-", " ").title(), "description": f"About {category}."}
    for category in (
        "tenant-record",
        "tenant-id",
        "billing-secret",
        "license-key",
        "private-policy-pack",
        "connector-credential",
        "provider-url",
        "webhook-secret",
        "saas-backend-source",
        "enterprise-implementation",
    )
}
