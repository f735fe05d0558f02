"""The options several commands share, declared once, and the configuration overrides they stand for.

``scan``, ``baseline``, ``audit`` and ``policy`` read ``[tool.cavra-safety]`` the same way and let the same
flags override it: ``--policy`` and ``--exclude`` add to the configured lists, ``--no-default-policy`` drops
the built-in packs, ``--config`` names the file, ``--baseline`` / ``--no-baseline`` choose accepted findings.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from cavra_safety.config import Config, check_patterns
from cavra_safety.errors import UserError

if TYPE_CHECKING:
    from cavra_safety.baseline import Baseline

F = TypeVar("F", bound=Callable[..., Any])
Decorator = Callable[[F], F]

PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
POLICY_FILES = click.option(
    "--policy",
    "policy_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="An extra policy pack (TOML); repeatable.",
)
NO_DEFAULT_POLICY = click.option("--no-default-policy", is_flag=True, help="Do not load the built-in policy packs.")
CONFIG_FILE = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="pyproject.toml to read [tool.cavra-safety] from (default: the nearest one).",
)


def _no_cache(context: click.Context, parameter: click.Parameter, value: bool) -> None:
    """``--no-cache``: the same as ``CAVRA_SAFETY_CACHE_DIR=`` (empty), set for this process and the workers it
    starts, so that every reader of the cache (the pack loader, the pattern databases) sees it."""
    if value:
        from cavra_safety.policy.cache import CACHE_ENV

        os.environ[CACHE_ENV] = ""


NO_CACHE = click.option(
    "--no-cache",
    is_flag=True,
    expose_value=False,
    callback=_no_cache,
    help="Neither read nor write the cache of parsed packs and compiled patterns (as CAVRA_SAFETY_CACHE_DIR=).",
)
EXCLUDES = click.option(
    "--exclude", "excludes", multiple=True, help="A gitignore-style pattern of paths to skip; repeatable."
)


def baseline_file_option(help_text: str) -> Decorator[Any]:
    return click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path), help=help_text)


def no_baseline_option(help_text: str) -> Decorator[Any]:
    return click.option("--no-baseline", is_flag=True, help=help_text)


def options(*decorators: Decorator[Any]) -> Decorator[F]:
    """One decorator applying ``decorators`` so that the options show in the order given."""

    def apply(command: F) -> F:
        for decorator in reversed(decorators):
            command = decorator(command)
        return command

    return apply


policy_options: Decorator[Any] = options(POLICY_FILES, NO_DEFAULT_POLICY, CONFIG_FILE, NO_CACHE)


def with_options(
    config: Config, policy_files: tuple[Path, ...] = (), no_default_policy: bool = False, excludes: tuple[str, ...] = ()
) -> Config:
    """``config`` with the shared flags applied: extra packs and excludes add to the configured ones; an
    ``--exclude`` that is not a valid gitignore-style pattern is a ``UserError``."""
    try:
        check_patterns(excludes)
    except ValueError as error:
        raise UserError(f"--exclude: {error}") from None
    return config.with_overrides(
        policy_files=config.policy_files + policy_files if policy_files else None,
        default_policy=False if no_default_policy else None,
        exclude=config.exclude + excludes if excludes else None,
    )


def _missing(path: Path) -> bool:
    """Whether ``path`` does not exist, as ``load_baseline`` decides it (its ``stat`` fails with not found):
    any other problem (a folder, no permission) is left for ``load_baseline`` to report."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


def accepted_findings(config: Config, baseline_file: Path | None, no_baseline: bool) -> tuple[Config, Baseline | None]:
    """The baseline a scan or an audit leaves out (None with ``--no-baseline``), and ``config`` naming its
    file, which is never scanned itself. A missing default file accepts nothing; a missing ``--baseline``
    is an error."""
    from cavra_safety.pipeline.targets import baseline_path

    if baseline_file is not None and no_baseline:
        raise UserError("--baseline and --no-baseline cannot be combined")
    where = baseline_path(config, baseline_file)
    config = config.with_overrides(baseline=where)
    if no_baseline or (baseline_file is None and _missing(where)):
        return config, None
    # Imported only when there is a baseline to read: most runs (the pre-commit hook's) have none.
    from cavra_safety.baseline import load_baseline

    accepted = load_baseline(where, required=baseline_file is not None)
    # Findings are fingerprinted with the baseline's salt, so that its entries match them.
    salt = accepted.salt if accepted is not None else None
    return config.with_overrides(fingerprint_salt=salt), accepted
