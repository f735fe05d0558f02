"""Sample contract documents for the tests, and unsafe values built at run time.

Secret-shaped values are assembled from pieces here, so that the repository passes its own scan.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import contract

EXAMPLE_DIR = Path(contract.__file__).parent / "examples"
SCHEMA_DIR = Path(contract.__file__).parent / "schemas"
REPO_ROOT = Path(contract.__file__).parent.parent


def example(kind: str) -> Any:
    """A fresh copy of the checked-in example of ``kind`` (a valid document)."""
    return json.loads((EXAMPLE_DIR / f"{kind}.json").read_text(encoding="utf-8"))


def changed(document: Any, path: str, value: Any) -> Any:
    """A copy of ``document`` with the field at ``path`` (``owner.team``, ``features[1]``) set, or deleted
    when ``value`` is ``DELETE``."""
    result = copy.deepcopy(document)
    *parents, last = _parts(path)
    node = result
    for part in parents:
        node = node[part]
    if value is DELETE:
        del node[last]
    else:
        node[last] = value
    return result


DELETE: Any = object()


def _parts(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for piece in path.replace("]", "").split("."):
        name, *indexes = piece.split("[")
        parts.append(name)
        parts += [int(index) for index in indexes]
    return parts


def string_fields(document: Any, prefix: str = "") -> list[str]:
    """The paths of every string value in ``document`` (except ``kind`` and ``contract_version``)."""
    if isinstance(document, str):
        return [prefix or "(document)"]
    if isinstance(document, dict):
        return [
            path
            for key, value in document.items()
            if key not in ("kind", "contract_version")
            for path in string_fields(value, f"{prefix}.{key}" if prefix else key)
        ]
    if isinstance(document, list):
        return [path for index, value in enumerate(document) for path in string_fields(value, f"{prefix}[{index}]")]
    return []


def _join(*pieces: str) -> str:
    return "".join(pieces)


# One value per category the issue names; each is detected by the real scanner in isolation.
UNSAFE_VALUES: dict[str, Callable[[], str]] = {
    "tenant-id": lambda: _join("tenant_id=", "acme-prod-", "7731"),
    "license-key": lambda: _join("license_key: ", "Q7K2M-", "X9P4R-", "T3W8Z-", "B6N1C-", "H5D0F"),
    "webhook-secret": lambda: _join(
        "https://hooks.", "slack.com/services/", "T024BE7LD/", "B01ABCD2EFG/", "x9V4nQ7pL2mR8sT3wK6yZ1cB"
    ),
    "provider-url": lambda: _join("https://", "acme-prod", ".okta.com/oauth2/v1/authorize"),
    "connector-credential": lambda: _join("AKIA", "QX7Z3P5R", "2M4N6TW8"),
}
