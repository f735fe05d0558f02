"""``[tool.cavra-safety]`` in pyproject.toml plus command-line flags, loaded once into a frozen ``Config``.

Every field error of the table is reported at once; an unknown key is an error (a typo must not silently
turn a check off).
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cavra_safety.errors import UserError
from cavra_safety.findings import Category, Severity

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
DEFAULT_BASELINE = ".cavra-safety-baseline.json"


@dataclass(frozen=True)
class Config:
    root: Path
    paths: tuple[Path, ...] = ()
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    default_policy: bool = True
    policy_files: tuple[Path, ...] = ()
    categories: frozenset[Category] | None = None
    exclude_categories: frozenset[Category] = field(default_factory=frozenset)
    disabled_rules: frozenset[str] = field(default_factory=frozenset)
    fail_on: Severity = Severity.LOW
    jobs: int = 0
    baseline: Path | None = None
    config_file: Path | None = None

    def wants(self, category: Category) -> bool:
        """Whether findings of this category are reported under --category / --exclude-category."""
        if self.categories is not None and category not in self.categories:
            return False
        return category not in self.exclude_categories

    def effective_jobs(self) -> int:
        return self.jobs if self.jobs > 0 else (os.cpu_count() or 1)

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


_SIZE = re.compile(r"^\s*(\d+)\s*(b|kb|kib|mb|mib|gb|gib)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2, "gb": 1000**3, "gib": 1024**3}


def parse_size(value: object) -> int:
    """``2097152``, ``"2 MiB"`` or ``"500kb"`` as a number of bytes."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        match = _SIZE.match(value)
        if match and int(match.group(1)) > 0:
            return int(match.group(1)) * _UNITS[(match.group(2) or "b").lower()]
    raise ValueError(f'expected a positive size such as 2097152 or "2 MiB", got {value!r}')


def _string_list(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"expected a list of strings, got {value!r}")
    return tuple(value)


def _categories(value: object) -> frozenset[Category]:
    return frozenset(Category.parse(item) for item in _string_list(value))


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _jobs(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"expected a whole number >= 0 (0 means one per core), got {value!r}")
    return value


def _severity(value: object) -> Severity:
    if not isinstance(value, str):
        raise ValueError(f"expected a severity name, got {value!r}")
    return Severity.parse(value)


def _relative_paths(base: Path) -> Callable[[object], tuple[Path, ...]]:
    return lambda value: tuple(base / item for item in _string_list(value))


def _relative_path(base: Path) -> Callable[[object], Path]:
    def convert(value: object) -> Path:
        if not isinstance(value, str) or not value:
            raise ValueError(f"expected a path, got {value!r}")
        return base / value

    return convert


def _fields(base: Path) -> dict[str, tuple[str, Callable[[object], Any]]]:
    """pyproject key -> (Config field, converter). Paths in the file are relative to the file."""
    return {
        "exclude": ("exclude", _string_list),
        "respect-gitignore": ("respect_gitignore", _bool),
        "max-file-size": ("max_file_size", parse_size),
        "default-policy": ("default_policy", _bool),
        "policies": ("policy_files", _relative_paths(base)),
        "categories": ("categories", _categories),
        "exclude-categories": ("exclude_categories", _categories),
        "disable-rules": ("disabled_rules", lambda v: frozenset(_string_list(v))),
        "fail-on": ("fail_on", _severity),
        "jobs": ("jobs", _jobs),
        "baseline": ("baseline", _relative_path(base)),
    }


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def read_table(config_file: Path) -> Mapping[str, object]:
    try:
        with config_file.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise UserError(f"cannot read config {config_file}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{config_file}: invalid TOML: {error}") from None
    table = document.get("tool", {}).get("cavra-safety", {})
    if not isinstance(table, dict):
        raise UserError(f"{config_file}: [tool.cavra-safety] must be a table")
    return table


def load_config(root: Path, config_file: Path | None = None) -> Config:
    """The configuration for a scan rooted at ``root``: the given file, or the nearest pyproject.toml."""
    explicit = config_file is not None
    config_file = config_file if explicit else find_pyproject(root)
    if config_file is None:
        return Config(root=root)
    if explicit and not config_file.is_file():
        raise UserError(f"config file not found: {config_file}")
    table = read_table(config_file)
    fields = _fields(config_file.parent)
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, raw in table.items():
        if key not in fields:
            problems.append(f"[tool.cavra-safety] {key}: unknown key (known: {', '.join(sorted(fields))})")
            continue
        name, convert = fields[key]
        try:
            values[name] = convert(raw)
        except ValueError as error:
            problems.append(f"[tool.cavra-safety] {key}: {error}")
    if problems:
        raise UserError(f"{config_file}: invalid configuration", tuple(problems))
    return Config(root=root, config_file=config_file, **values)
