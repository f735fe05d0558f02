"""The command line: a click group, and ``main`` - the only place that turns outcomes into exit codes.

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 user error (one clear line on stderr),
3 internal error (with a traceback: it is a bug), 130 interrupted.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from cavra_safety import __version__
from cavra_safety.commands.output import Progress, write_output
from cavra_safety.commands.targets import ScanTarget, baseline_path, execute, plain_config, prepare
from cavra_safety.config import parse_size
from cavra_safety.errors import UserError
from cavra_safety.findings import Category, ScanResult, Severity

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USER_ERROR, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
FORMATS = ("text", "json", "sarif", "github")


def _categories(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> frozenset[Category] | None:
    try:
        return frozenset(Category.parse(v) for v in values) if values else None
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _severity(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Severity | None:
    try:
        return Severity.parse(value) if value is not None else None
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _size(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    try:
        return parse_size(value) if value is not None else None
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def summary_line(result: ScanResult) -> str:
    """The human summary: files scanned and skipped, findings per category, seconds."""
    parts = [f"{result.files_scanned} files scanned"]
    if result.skipped:
        reasons = Counter(s.kind for s in result.skipped)
        detail = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
        parts.append(f"{len(result.skipped)} skipped ({detail})")
    counts = {c: n for c, n in result.counts_by_category().items() if n}
    findings = f"{len(result.findings)} findings"
    if counts:
        findings += " (" + ", ".join(f"{c.value} {n}" for c, n in counts.items()) + ")"
    parts.append(findings)
    if result.suppressed_inline:
        parts.append(f"{result.suppressed_inline} allowed inline")
    if result.suppressed_baseline:
        parts.append(f"{result.suppressed_baseline} in baseline")
    parts.append(f"{result.seconds:.2f} s")
    return "cavra-safety: " + ", ".join(parts)


def _policy_group() -> click.Command:
    from cavra_safety.commands.policy import policy

    return policy


def _contract_group() -> click.Command:
    from cavra_safety.commands.contract import contract

    return contract


def _baseline_group() -> click.Command:
    from cavra_safety.commands.baseline import baseline

    return baseline


def _fix_command() -> click.Command:
    from cavra_safety.commands.fix import fix

    return fix


def _audit_group() -> click.Command:
    from cavra_safety.commands.audit import audit

    return audit


# Command groups other than scan, imported only when invoked: a pre-commit run on one file must not pay for
# the contract's models or the baseline machinery.
LAZY_COMMANDS: dict[str, Callable[[], click.Command]] = {
    "audit": _audit_group,
    "baseline": _baseline_group,
    "contract": _contract_group,
    "fix": _fix_command,
    "policy": _policy_group,
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        loader = LAZY_COMMANDS.get(cmd_name)
        return loader() if loader is not None else super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name="cavra-safety")
def cli() -> None:
    """Keep tenant data, secrets and private SaaS / Enterprise code out of a public repository."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Report format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE.")
@click.option("--policy", "policy_files", multiple=True, type=click.Path(path_type=Path),
              help="An extra policy pack (TOML); repeatable.")
@click.option("--no-default-policy", is_flag=True, help="Do not load the built-in policy packs.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, path_type=Path),
              help="pyproject.toml to read [tool.cavra-safety] from (default: the nearest one).")
@click.option("--category", "categories", multiple=True, callback=_categories,
              help="Only report this category; repeatable.")
@click.option("--exclude-category", "exclude_categories", multiple=True, callback=_categories,
              help="Do not report this category; repeatable.")
@click.option("--exclude", "excludes", multiple=True, help="A gitignore-style pattern of paths to skip; repeatable.")
@click.option("--max-file-size", callback=_size, help="Skip files larger than this (bytes, or e.g. '2 MiB').")
@click.option("--fail-on", callback=_severity, metavar="SEVERITY",
              help="Exit 1 only for findings of this severity or higher: low, medium, high, critical.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), help="Worker processes (0: one per core).")
@click.option("-q", "--quiet", is_flag=True, help="No summary or progress on stderr.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--staged", is_flag=True, help="Scan what the git index holds (the next commit), not the working tree.")
@click.option("--diff", "diff_range", metavar="BASE[..HEAD|...HEAD]",
              help="Only lines added from BASE to HEAD count (BASE...HEAD: from their merge base, as a PR shows it).")
@click.option("--history", is_flag=True, help="Scan every commit's added lines and messages in the git history.")
@click.option("--since", metavar="REV", help="With --history: only commits after REV.")
@click.option("--branch", "branches", multiple=True, metavar="REF",
              help="With --history: walk this branch (default HEAD); repeatable.")
@click.option("--all", "all_refs", is_flag=True, help="With --history: walk every branch and tag.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Accepted findings to leave out (default: .cavra-safety-baseline.json, when it exists).")
@click.option("--no-baseline", is_flag=True, help="Report every finding, even those the baseline accepts.")
def scan(
    paths: tuple[Path, ...], output_format: str, output: Path | None, policy_files: tuple[Path, ...],
    no_default_policy: bool, config_file: Path | None, categories: frozenset[Category] | None,
    exclude_categories: frozenset[Category] | None, excludes: tuple[str, ...], max_file_size: int | None,
    fail_on: Severity | None, jobs: int | None, quiet: bool, color: str, staged: bool, diff_range: str | None,
    history: bool, since: str | None, branches: tuple[str, ...], all_refs: bool, baseline_file: Path | None,
    no_baseline: bool,
) -> int:
    """Scan PATHS (default: the current directory) and report violations of the public-safety policy.

    With --staged, --diff or --history, PATHS limit the scan to those paths of the repository.
    """
    from cavra_safety.reporters import REPORTERS, RenderOptions

    target = ScanTarget(paths=paths, staged=staged, diff=diff_range, history=history, since=since,
                        branches=branches, all_refs=all_refs)
    if baseline_file is not None and no_baseline:
        raise UserError("--baseline and --no-baseline cannot be combined")
    config, git = prepare(target, config_file)
    config = config.with_overrides(
        policy_files=config.policy_files + policy_files if policy_files else None,
        default_policy=False if no_default_policy else None,
        categories=categories,
        exclude_categories=exclude_categories,
        exclude=config.exclude + excludes if excludes else None,
        max_file_size=max_file_size,
        fail_on=fail_on,
        jobs=jobs,
    )
    accepted = None
    if not no_baseline:
        from cavra_safety.baseline import load_baseline

        where = baseline_path(config, baseline_file)
        config = config.with_overrides(baseline=where)  # never scan the baseline file itself
        accepted = load_baseline(where, required=baseline_file is not None)
    progress = Progress("Scanning", enabled=not quiet and sys.stderr.isatty())
    try:
        result = execute(target, config, git, accepted, progress if progress.enabled else None)
    finally:
        progress.close()
    use_color = color == "always" or (color == "auto" and output is None and sys.stdout.isatty()
                                      and "NO_COLOR" not in os.environ)
    report = REPORTERS[output_format](result, RenderOptions(color=use_color, tool_version=__version__))
    write_output(report, output)
    if not quiet:
        click.echo(summary_line(result), err=True)
    failing = [f for f in result.findings if f.severity >= config.fail_on]
    return EXIT_FINDINGS if failing else EXIT_CLEAN


# Kept for callers of the old name; the scan root rules live in commands/targets.py.
_scan_config = plain_config




def main(argv: Sequence[str] | None = None) -> int:
    try:
        outcome = cli.main(args=list(argv) if argv is not None else None, prog_name="cavra-safety",
                           standalone_mode=False)
    except click.exceptions.Exit as stop:
        return stop.exit_code
    except click.UsageError as error:
        hint = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
        click.echo(f"cavra-safety: error: {error.format_message()}{hint}", err=True)
        return EXIT_USER_ERROR
    except click.ClickException as error:
        click.echo(f"cavra-safety: error: {error.format_message()}", err=True)
        return EXIT_USER_ERROR
    except UserError as error:
        click.echo(f"cavra-safety: error: {error}", err=True)
        return EXIT_USER_ERROR
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("cavra-safety: interrupted", err=True)
        return EXIT_INTERRUPTED
    except Exception:
        traceback.print_exc()
        click.echo("cavra-safety: internal error (a bug): please report it with the traceback above", err=True)
        return EXIT_INTERNAL_ERROR
    return outcome if isinstance(outcome, int) else EXIT_CLEAN
