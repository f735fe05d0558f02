"""``[tool.cavra-safety]`` in pyproject.toml plus command-line flags, loaded once into a frozen ``Config``.

Every field error of the table is reported at once; an unknown key is an error (a typo must not silently
turn a check off). Error messages quote values through ``errors.quoted``, so a key pasted into the wrong field
is never echoed in full.

``read_input_file`` is how every file the user hands the scanner as input (pyproject.toml, a baseline, a
policy pack) is read: only regular files (a FIFO would block, ``/dev/zero`` would never end), and at most a
stated size.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cavra_safety.errors import UserError
from cavra_safety.findings import DEFAULT_SALT, Category, Severity
from cavra_safety.redaction import quoted, redact_secrets

DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
# A file larger than this is not source code, and reading one would need several times its size in memory.
MAX_FILE_SIZE_LIMIT = 1024**3
MAX_JOBS = 1024
MAX_CONFIG_BYTES = 16 * 1024 * 1024
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
    # The salt of published fingerprints: the baseline's own when there is one (set by the commands that read
    # it), so that its entries match and a guess table built for another repository is useless here.
    fingerprint_salt: str = DEFAULT_SALT
    # Decode base64 and URL-encoded values and scan them again (``sources.encoded``).
    decode: bool = True
    # What is wrong with the [tool.cavra-safety] table (``load_config(..., defer_problems=True)``): reported
    # together with the policy packs' problems and the unknown rule ids (``setup_error``), in one run.
    problems: tuple[str, ...] = ()

    def wants(self, category: Category) -> bool:
        """Whether findings of this category are reported under --category / --exclude-category."""
        if self.categories is not None and category not in self.categories:
            return False
        return category not in self.exclude_categories

    def effective_jobs(self) -> int:
        return min(self.jobs, MAX_JOBS) if self.jobs > 0 else (os.cpu_count() or 1)

    def with_overrides(self, **changes: Any) -> Config:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


_SIZE = re.compile(r"^\s*(\d{1,20})\s*(b|kb|kib|mb|mib|gb|gib)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 1000, "kib": 1024, "mb": 1000**2, "mib": 1024**2, "gb": 1000**3, "gib": 1024**3}


def parse_size(value: object) -> int:
    """``2097152``, ``"2 MiB"`` or ``"500kb"`` as a number of bytes, from 1 byte to 1 GiB."""
    size = 0
    if isinstance(value, int) and not isinstance(value, bool):
        size = value
    elif isinstance(value, str) and (match := _SIZE.match(value)):
        size = int(match.group(1)) * _UNITS[(match.group(2) or "b").lower()]
    if 0 < size <= MAX_FILE_SIZE_LIMIT:
        return size
    raise ValueError(f'expected a size from 1 byte to 1 GiB, such as 2097152 or "2 MiB", got {quoted(value)}')


def _string_list(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"expected a list of strings, got {quoted(value)}")
    return tuple(value)


def check_patterns(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """``patterns`` if each is a valid gitignore-style pattern, else ``ValueError`` naming the first bad one."""
    if not patterns:
        return patterns
    import pathspec  # pathspec and its engines cost a hook run ~30 ms to import: only when there are patterns

    for pattern in patterns:
        try:
            pathspec.GitIgnoreSpec.from_lines([pattern])
        except (ValueError, re.error) as error:
            raise ValueError(f"invalid pattern {quoted(pattern)}: {error}") from None
    return patterns


def _patterns(value: object) -> tuple[str, ...]:
    return check_patterns(_string_list(value))


def _categories(value: object) -> frozenset[Category]:
    return frozenset(Category.parse(item) for item in _string_list(value))


def _bool(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {quoted(value)}")
    return value


def _jobs(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_JOBS:
        raise ValueError(f"expected a whole number from 0 to {MAX_JOBS} (0 means one per core), got {quoted(value)}")
    return value


def _severity(value: object) -> Severity:
    if not isinstance(value, str):
        raise ValueError(f"expected a severity name, got {quoted(value)}")
    return Severity.parse(value)


def _relative_paths(base: Path) -> Callable[[object], tuple[Path, ...]]:
    return lambda value: tuple(base / item for item in _string_list(value))


def _relative_path(base: Path) -> Callable[[object], Path]:
    def convert(value: object) -> Path:
        if not isinstance(value, str) or not value:
            raise ValueError(f"expected a path, got {quoted(value)}")
        return base / value

    return convert


def _fields(base: Path) -> dict[str, tuple[str, Callable[[object], Any]]]:
    """pyproject key -> (Config field, converter). Paths in the file are relative to the file."""
    return {
        "exclude": ("exclude", _patterns),
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
        "decode": ("decode", _bool),
    }


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def read_input_file(path: Path, what: str, limit: int) -> bytes:
    """The bytes of ``path``, a file the user gave as input (``what`` names it in messages): a ``UserError``
    unless it is a regular file of at most ``limit`` bytes. Not found is ``FileNotFoundError``, for the
    caller to word."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise UserError(f"{what} {path} is not a regular file (a folder, FIFO or device cannot be one)")
        # Non-blocking, so that a regular file swapped for a FIFO after the check cannot hang the open.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise
    except OSError as error:
        raise UserError(f"cannot read {what} {path}: {error.strerror or error}") from None
    with os.fdopen(descriptor, "rb") as handle:
        try:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise UserError(f"{what} {path} is not a regular file (a folder, FIFO or device cannot be one)")
            data = handle.read(limit + 1)
        except OSError as error:
            raise UserError(f"cannot read {what} {path}: {error.strerror or error}") from None
    if len(data) > limit:
        raise UserError(f"{what} {path} is larger than {limit // (1024 * 1024)} MiB: refused")
    return data


def read_table(config_file: Path) -> Mapping[str, object]:
    try:
        data = read_input_file(config_file, "config", MAX_CONFIG_BYTES)
    except FileNotFoundError:
        raise UserError(f"config file not found: {config_file}") from None
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise UserError(f"{config_file}: not UTF-8 text (byte {error.start}); TOML files are UTF-8") from None
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{config_file}: invalid TOML: {error}") from None
    except RecursionError:
        raise UserError(f"{config_file}: invalid TOML: arrays or tables nested too deep") from None
    tool = document.get("tool", {})
    if not isinstance(tool, dict):
        raise UserError(f"{config_file}: tool must be a table ([tool]), got {type(tool).__name__}")
    table = tool.get("cavra-safety", {})
    if not isinstance(table, dict):
        raise UserError(f"{config_file}: [tool.cavra-safety] must be a table, got {type(table).__name__}")
    return table


def load_config(root: Path, config_file: Path | None = None, *, defer_problems: bool = False) -> Config:
    """The configuration for a scan rooted at ``root``: the given file, or the nearest pyproject.toml.

    A key that is unknown or holds a wrong value is a ``UserError`` listing every such key, unless
    ``defer_problems``: then the key keeps its default and the problem rides on ``Config.problems``, for the
    policy loader to report with its own (``setup_error``), so that one run names everything to fix. A file
    that cannot be read or is not TOML is an error at once: no key of it can be trusted.
    """
    explicit = config_file is not None
    config_file = config_file if explicit else find_pyproject(root)
    if config_file is None:
        return Config(root=root)
    table = read_table(config_file)
    fields = _fields(config_file.parent)
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, raw in table.items():
        if key not in fields:
            problems.append(f"[tool.cavra-safety] {redact_secrets(key)}: unknown key ({_known_keys(key, fields)})")
            continue
        name, convert = fields[key]
        try:
            values[name] = convert(raw)
        except ValueError as error:
            problems.append(f"[tool.cavra-safety] {key}: {error}")
    if problems and not defer_problems:
        raise UserError(f"{config_file}: invalid configuration", tuple(problems))
    return Config(root=root, config_file=config_file, problems=tuple(problems), **values)


def _known_keys(key: str, fields: Mapping[str, object]) -> str:
    """``did you mean fail-on?`` for a typo, else the list of known keys."""
    import difflib  # a typo is rare: a clean run does not import difflib

    close = difflib.get_close_matches(key, sorted(fields), n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else "known: " + ", ".join(sorted(fields))


def _shown_path(path: Path) -> str:
    """Relative to the working directory when below it, so that a problem line stays short."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


def setup_error(config: Config, problems: Sequence[str]) -> UserError | None:
    """One error for everything wrong with a run's setup, or None: the configuration's own problems
    (``config.problems``) first, then ``problems`` (the policy packs', unknown rule ids), one line each.

    Alone, the configuration's problems keep the form ``<file>: invalid configuration: ...``; mixed with
    others, each of them names the file, so that every line says where to look.
    """
    if config.problems and not problems:
        where = _shown_path(config.config_file) if config.config_file is not None else "configuration"
        return UserError(f"{where}: invalid configuration", config.problems)
    if not problems:
        return None
    where = _shown_path(config.config_file) if config.config_file is not None else "configuration"
    lines = tuple(f"{where}: {problem}" for problem in config.problems) + tuple(problems)
    # An unknown rule id is the configuration's problem, even when the policy loader found it.
    of_config = bool(config.problems) or any(problem.startswith(UNKNOWN_RULE) for problem in problems)
    of_policy = not all(problem.startswith(UNKNOWN_RULE) for problem in problems)
    noun = " and ".join(noun for noun, wrong in (("configuration", of_config), ("policy", of_policy)) if wrong)
    return UserError(f"invalid {noun}" + (f": {len(lines)} problems" if len(lines) > 1 else ""), lines)


# How every unknown id in ``disable-rules`` is reported (by the policy loader and the engine).
UNKNOWN_RULE = "disable-rules: unknown rule "
