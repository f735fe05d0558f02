"""Fixture policy packs for the engine tests, written as real TOML files under ``tmp_path``.

The fixture rules use neutral names (``gizmo``, ``widget``) so the default policy never flags this file.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cavra_safety.config import Config
from cavra_safety.detectors.policy import PolicyDetector, build_policy_detector
from cavra_safety.findings import Finding
from cavra_safety.policy import PolicyRule, load_policy
from cavra_safety.sources import FileRef, Source
from cavra_safety.sources.text import read_source

REPO = Path(__file__).resolve().parents[2]
# Test texts carry ``§`` inside a secret-shaped keyword or value, so that this repository's own scan does not
# read them as violations; ``unmask`` removes it before the text is scanned.
MASK = "§"


def unmask(text: str) -> str:
    return text.replace(MASK, "")


# The alphabets of token shapes written as ``prefix_{a:32}``: a slot of 32 characters drawn from alphabet ``a``.
ALPHABETS = {
    "h": "0123456789abcdef",
    "H": "0123456789ABCDEF",
    "d": string.digits,
    "a": string.ascii_letters + string.digits,
    "l": string.ascii_lowercase + string.digits,
    "U": string.ascii_uppercase + string.digits,
    "u": string.ascii_letters + string.digits + "_-",
    "b": string.ascii_letters + string.digits + "+/",
    "n": string.ascii_lowercase + string.digits + "_-",
    "z": "abcdefghijklmnopqrstuvwxyz234567",
}
SLOT = re.compile(r"\{([a-zA-Z]):(\d+)\}")


def draw(shape: str, rng: random.Random) -> str:
    """A fresh token of ``shape``, each slot filled from its alphabet (see ``ALPHABETS``)."""
    return SLOT.sub(lambda m: "".join(rng.choice(ALPHABETS[m.group(1)]) for _ in range(int(m.group(2)))), shape)


def fresh_token(rule: PolicyRule, shape: str) -> str:
    """A fresh token of ``shape`` that the rule's own value filter accepts (a draw with too little entropy, or a
    letters-only value the rule allows, is drawn again)."""
    rng = random.SystemRandom()
    return next(t for t in (draw(shape, rng) for _ in range(200)) if rule.values.accepts(t))


def env_findings(detector: PolicyDetector, tmp_path: Path, rule_id: str, line: str) -> list[Finding]:
    """The findings of ``policy/<rule_id>`` in a real ``deploy/.env`` holding a comment, then ``line``."""
    target = tmp_path / "deploy" / ".env"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("# provider settings\n" + line + "\n", encoding="utf-8")
    source = read_source(FileRef(path="deploy/.env", fspath=str(target), size=target.stat().st_size), 1 << 20)
    assert isinstance(source, Source), source
    return [f for f in detector.detect(source) if isinstance(f, Finding) and f.rule_id == f"policy/{rule_id}"]


def normalized(text: str) -> str:
    """Lower-case letters and digits only: how provider names are compared."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


_USER_PACK = """[pack]
name = "mine"
version = "1"

[[rules]]
id = "my-token"
category = "connector-credential"
severity = "high"
title = "My token"
message = "Rotate it."
keywords = ["mytok_"]
patterns = ['{pattern}']
examples = ["mytok_abcdefgh12"]
negative-examples = ["mytok_short"]
"""


def user_pack(pattern: str = "mytok_[a-z0-9]{10}") -> str:
    """A user's pack of one rule (``my-token``, keyword ``mytok_``) with ``pattern``, as TOML."""
    return _USER_PACK.replace("{pattern}", pattern)


def default_policy_detector() -> PolicyDetector:
    config = Config(root=REPO)
    return build_policy_detector(config, load_policy(config))


def findings_in_file(detector: PolicyDetector, tmp_path: Path, path: str, text: str) -> list[Finding]:
    """``text`` (unmasked) written to ``tmp_path / path``, read as a scan reads it, through ``detector``."""
    target = tmp_path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(unmask(text).encode("utf-8"))
    source = read_source(FileRef(path=path, fspath=str(target), size=target.stat().st_size), 1 << 20)
    assert isinstance(source, Source), source
    return [item for item in detector.detect(source) if isinstance(item, Finding)]


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
