"""``cavra-safety scan``: the tree, ``--staged``, ``--diff`` or ``--history``, reported as text, JSON, SARIF
or GitHub annotations; exit 1 when a finding reaches ``--fail-on``."""

from __future__ import annotations

import os
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cavra_safety import __version__
from cavra_safety.commands.options import (
    CONFIG_FILE,
    EXCLUDES,
    NO_CACHE,
    NO_DEFAULT_POLICY,
    PATHS,
    POLICY_FILES,
    accepted_findings,
    baseline_file_option,
    no_baseline_option,
    with_options,
)
from cavra_safety.commands.output import Progress, report_width, wants_color, write_output
from cavra_safety.config import Config, parse_size
from cavra_safety.errors import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    EXIT_USER_ERROR,
    UserError,
)
from cavra_safety.findings import Category, ScanResult, Severity, Skipped
from cavra_safety.pipeline.targets import ScanTarget, prepare, run
from cavra_safety.reporters import REPORTERS, RenderOptions

if TYPE_CHECKING:
    from cavra_safety.baseline import Baseline

STDIN = "-"  # the PATHS that means standard input


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


def _reads_stdin(paths: tuple[Path, ...], stdin_name: str | None) -> bool:
    """Whether the scan reads standard input (a PATHS of '-', alone); '-' beside other paths, or
    ``--stdin-name`` without '-', is a ``UserError``."""
    dash = Path(STDIN)
    if dash not in paths:
        if stdin_name is not None:
            raise UserError("--stdin-name only applies to '-' (standard input)")
        return False
    if len(paths) > 1:
        raise UserError("'-' (standard input) cannot be combined with other paths")
    return True


def _scan_stdin(config: Config, name: str | None, accepted: Baseline | None) -> ScanResult:
    # Imported here: a hook run (files by name) never reads standard input.
    from cavra_safety.pipeline.scan import scan as scan_sources
    from cavra_safety.sources import Source
    from cavra_safety.sources.stdin import stdin_source

    read = stdin_source(sys.stdin.buffer, name, config)
    sources = [item for item in read if isinstance(item, Source)]
    skipped = [item for item in read if isinstance(item, Skipped)]
    return scan_sources(config, sources=sources, skipped=skipped, baseline=accepted)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def summary_line(result: ScanResult) -> str:
    """The human summary: files (a history's commits, and their files) scanned and skipped, findings per
    category, seconds."""
    if result.commits_scanned is None:
        parts = [f"{_count(result.files_scanned, 'file')} scanned"]
    else:
        parts = [f"{_count(result.commits_scanned, 'commit')} ({_count(result.files_scanned, 'file')}) scanned"]
    if result.skipped:
        reasons = Counter(s.kind for s in result.skipped)
        detail = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
        parts.append(f"{len(result.skipped)} skipped ({detail})")
    counts = {c: n for c, n in result.counts_by_category().items() if n}
    findings = _count(len(result.findings), "finding")
    if counts:
        findings += " (" + ", ".join(f"{c.value} {n}" for c, n in counts.items()) + ")"
    parts.append(findings)
    if result.suppressed_inline:
        parts.append(f"{result.suppressed_inline} allowed inline")
    if result.suppressed_baseline:
        parts.append(f"{result.suppressed_baseline} in baseline")
    parts.append(f"{result.seconds:.2f} s")
    return "cavra-safety: " + ", ".join(parts)


# The end of ``scan --help``: each paragraph opens with click's "\b" marker, so that its lines keep their breaks.
EPILOG = f"""\b
Examples:
  cavra-safety scan                            the current directory's tree
  cavra-safety scan --staged                   what the next commit adds
  cavra-safety scan --diff origin/main...HEAD  the lines a pull request adds
  cavra-safety scan --history                  every commit's added lines
  cavra-safety scan -f sarif -o cavra.sarif    a SARIF report to a file
  git show HEAD:app.py | cavra-safety scan - --stdin-name app.py

\b
Exit codes:
  {EXIT_CLEAN:<3}  clean: no finding at or above --fail-on
  {EXIT_FINDINGS:<3}  findings at or above --fail-on
  {EXIT_USER_ERROR:<3}  usage or configuration error (one line on stderr)
  {EXIT_INTERNAL_ERROR:<3}  internal error, a bug (with a traceback)
  {EXIT_INTERRUPTED:<3}  interrupted
"""


@click.command(short_help="Scan files, staged changes, a diff or the history.", epilog=EPILOG)
@PATHS
@click.option(
    "-f",
    "--format",
    "output_format",
    type=click.Choice(list(REPORTERS)),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE.")
@click.option(
    "--sarif",
    "sarif_file",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write the report as SARIF to FILE, with any --format (one scan for annotations and code scanning).",
)
@click.option(
    "--show-suppressed",
    is_flag=True,
    help="Text report: also list what inline allows and the baseline suppressed, with their reasons "
    "(JSON and SARIF always carry them).",
)
@click.option(
    "--show-author",
    is_flag=True,
    help="Text report of --history: name the author of the commit that added each finding (JSON and SARIF always do).",
)
@POLICY_FILES
@NO_DEFAULT_POLICY
@CONFIG_FILE
@NO_CACHE
@click.option(
    "--category", "categories", multiple=True, callback=_categories, help="Only report this category; repeatable."
)
@click.option(
    "--exclude-category",
    "exclude_categories",
    multiple=True,
    callback=_categories,
    help="Do not report this category; repeatable.",
)
@EXCLUDES
@click.option("--max-file-size", callback=_size, help="Skip files larger than this (bytes, or e.g. '2 MiB').")
@click.option(
    "--fail-on",
    callback=_severity,
    metavar="SEVERITY",
    help="Exit 1 only for findings of this severity or higher: low, medium, high, critical.",
)
@click.option("-j", "--jobs", type=click.IntRange(min=0), help="Worker processes (0: one per core).")
@click.option("-q", "--quiet", is_flag=True, help="No summary or progress on stderr.")
@click.option(
    "--color",
    type=click.Choice(["auto", "always", "never"]),
    default="auto",
    show_default=True,
    help="Style the text report: auto is a terminal, unless NO_COLOR is set (non-empty); FORCE_COLOR forces it.",
)
@click.option("--staged", is_flag=True, help="Scan what the git index holds (the next commit), not the working tree.")
@click.option(
    "--diff",
    "diff_range",
    metavar="BASE[..HEAD|...HEAD]",
    help="Only lines added from BASE to HEAD count (BASE...HEAD: from their merge base, as a PR shows it).",
)
@click.option("--history", is_flag=True, help="Scan every commit's added lines and messages in the git history.")
@click.option("--since", metavar="REV", help="With --history: only commits after REV.")
@click.option(
    "--branch",
    "branches",
    multiple=True,
    metavar="REF",
    help="With --history: walk this branch (default HEAD); repeatable.",
)
@click.option("--all", "all_refs", is_flag=True, help="With --history: walk every branch and tag.")
@baseline_file_option("Accepted findings to leave out (default: .cavra-safety-baseline.json, when it exists).")
@no_baseline_option("Report every finding, even those the baseline accepts.")
@click.option(
    "--stdin-name",
    metavar="PATH",
    help="With '-' (standard input): the file's path, for rules, excludes, the baseline and the report "
    "(default: (stdin)).",
)
def scan(
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    sarif_file: Path | None,
    show_suppressed: bool,
    show_author: bool,
    policy_files: tuple[Path, ...],
    no_default_policy: bool,
    config_file: Path | None,
    categories: frozenset[Category] | None,
    exclude_categories: frozenset[Category] | None,
    excludes: tuple[str, ...],
    max_file_size: int | None,
    fail_on: Severity | None,
    jobs: int | None,
    quiet: bool,
    color: str,
    staged: bool,
    diff_range: str | None,
    history: bool,
    since: str | None,
    branches: tuple[str, ...],
    all_refs: bool,
    baseline_file: Path | None,
    no_baseline: bool,
    stdin_name: str | None,
) -> int:
    """Scan PATHS (default: the current directory) and report violations of the public-safety policy.

    With --staged, --diff or --history, PATHS limit the scan to those paths of the repository. A PATHS of
    '-' scans standard input as one file (named by --stdin-name).
    """
    reads_stdin = _reads_stdin(paths, stdin_name)
    target = ScanTarget(
        paths=() if reads_stdin else paths,
        staged=staged,
        diff=diff_range,
        history=history,
        since=since,
        branches=branches,
        all_refs=all_refs,
    )
    if reads_stdin and target.git_flag is not None:
        raise UserError(f"'-' (standard input) cannot be combined with {target.git_flag}")
    config, git = prepare(target, config_file)
    config = with_options(config, policy_files, no_default_policy, excludes).with_overrides(
        categories=categories,
        exclude_categories=exclude_categories,
        max_file_size=max_file_size,
        fail_on=fail_on,
        jobs=jobs,
    )
    config, accepted = accepted_findings(config, baseline_file, no_baseline)
    progress = Progress(
        "Scanning commits" if history else "Scanning files",
        enabled=not quiet and sys.stderr.isatty(),
        unit="commits" if history else "files",
    )
    try:
        if reads_stdin:
            result = _scan_stdin(config, stdin_name, accepted)
        else:
            result = run(target, config, git, accepted, progress if progress.enabled else None)
    finally:
        progress.close()
    use_color = wants_color(color, output, os.environ, sys.stdout.isatty())
    accept = None
    if result.findings and output_format == "text":  # the hint's command; a clean hook run does not import it
        from cavra_safety.reporters.allow_hint import baseline_arguments, project_folder

        project = config.config_file.parent if config.config_file is not None else config.root
        accept = baseline_arguments(
            history=history,
            all_refs=all_refs,
            branches=branches,
            baseline_exists=config.baseline is not None and config.baseline.exists(),
            config_file=config_file,
            baseline_file=baseline_file,
            policy_files=policy_files,
            no_default_policy=no_default_policy,
            excludes=excludes,
            # A git scan's baseline command finds the repository from the working folder, as the scan did.
            folder=None if target.git_flag else project_folder(project, Path.cwd()),
        )
    options = RenderOptions(
        color=use_color,
        tool_version=__version__,
        show_suppressed=show_suppressed,
        show_author=show_author,
        width=report_width(output, sys.stdout.isatty()),
        baseline_arguments=accept,
    )
    report = REPORTERS[output_format](result, options)
    write_output(report, output, color=use_color)
    if sarif_file is not None:
        # The same bytes as a run of its own with --format sarif -o FILE: a file is never styled.
        write_output(REPORTERS["sarif"](result, replace(options, color=False)), sarif_file)
    if not quiet:
        click.echo(summary_line(result), err=True)
    # Suppressed findings (result.suppressed) never fail a scan: they were waved through on purpose.
    failing = [f for f in result.findings if f.severity >= config.fail_on]
    return EXIT_FINDINGS if failing else EXIT_CLEAN
