"""``cavra-safety audit [PATH]`` and ``cavra-safety audit verify REPORT.json``.

``audit`` is a click group whose default command is ``run``: ``audit [PATH] [options]`` means
``audit run [PATH] [options]``, and ``audit verify REPORT.json`` verifies a report. (A group cannot take an
optional PATH argument of its own: ``verify`` would be read as the PATH.) A folder literally named
``verify`` is audited with ``audit run verify`` or ``audit ./verify``.

Exit codes: ``run`` 0 when the verdict is pass, 1 when it is fail; ``verify`` 0 when the report verifies,
1 when it does not; 2 for a user error (not a repository, unreadable report, unwritable file).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from cavra_safety import __version__
from cavra_safety.commands.options import (
    CONFIG_FILE,
    NO_CACHE,
    accepted_findings,
    baseline_file_option,
    no_baseline_option,
)
from cavra_safety.commands.output import Progress, WholeSummaryGroup, write_output
from cavra_safety.config import load_config

if TYPE_CHECKING:
    from cavra_safety.audit import AuditReport

FORMAT_NAMES = ("markdown", "html", "json")
SUFFIX_FORMATS = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".json": "json"}


class _DefaultToRun(WholeSummaryGroup):
    """A group whose first argument, when it is not a subcommand or help, starts the default ``run``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = ["run", *args]
        return super().parse_args(ctx, args)


def stderr_is_terminal() -> bool:
    return sys.stderr.isatty()


def output_format(report: Path | None, chosen: str | None) -> str:
    """--format, else the report file's suffix, else markdown."""
    if chosen is not None:
        return chosen
    if report is not None:
        return SUFFIX_FORMATS.get(report.suffix.lower(), "markdown")
    return "markdown"


@click.group(
    cls=_DefaultToRun,
    context_settings={"help_option_names": ["-h", "--help"]},
    short_help="The reviewer's audit of the tree and every commit, as evidence.",
)
def audit() -> None:
    """The reviewer's audit: the tree and the full history, a verdict per category, an evidence digest.

    \b
    cavra-safety audit [PATH] [--report FILE] [--format markdown|html|json]   (the same as `audit run`)
    cavra-safety audit verify REPORT.json [--expect sha256:...]
    """


@audit.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--report",
    "report_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE (repeatable; the format follows the suffix: .md, .html, .json).",
)
@click.option(
    "--format",
    "chosen_format",
    type=click.Choice(FORMAT_NAMES),
    help="Report format (default: from the --report suffix, else markdown).",
)
@CONFIG_FILE
@NO_CACHE
@baseline_file_option("Accepted findings (default: .cavra-safety-baseline.json, when it exists).")
@no_baseline_option("Accept nothing: every finding counts against the verdict.")
@click.option("-q", "--quiet", is_flag=True, help="No progress, summary or digest on stderr.")
def run(
    path: Path,
    report_files: tuple[Path, ...],
    chosen_format: str | None,
    config_file: Path | None,
    baseline_file: Path | None,
    no_baseline: bool,
    quiet: bool,
) -> int:
    """Audit the repository at PATH (default: the current one): exit 0 on pass, 1 on fail."""
    from cavra_safety.audit import FORMATS, report_digest, run_audit
    from cavra_safety.git import Git

    git = Git(path, purpose="audit")
    root = git.toplevel()
    config = load_config(root, config_file, defer_problems=True).with_overrides(root=root, paths=(root,))
    config, accepted = accepted_findings(config, baseline_file, no_baseline)
    live = not quiet and stderr_is_terminal()
    files, commits = Progress("Scanning files", live), Progress("Scanning commits", live, unit="commits")
    try:
        report = run_audit(
            git,
            config,
            accepted,
            tool_version=__version__,
            file_progress=files if live else None,
            commit_progress=commits if live else None,
        )
    finally:
        files.close()
        commits.close()
    for target in report_files:
        write_output(FORMATS[output_format(target, chosen_format)](report), target)
    if not report_files:
        write_output(FORMATS[output_format(None, chosen_format)](report), None)
    if not quiet:
        _summary(report, report_files, report_digest(report))
    return 1 if report.open_findings else 0


def _summary(report: AuditReport, written: tuple[Path, ...], digest: str) -> None:
    from cavra_safety.audit.model import Status

    failing = [row.category.value for row in report.categories if row.failing]
    scope = report.scope
    details = [", ".join(failing)] if failing else []
    if report.suppressed_summary:
        details.append(report.suppressed_summary)
    verdict = ("FAIL" if failing else "PASS") + (f" ({'; '.join(details)})" if details else "")
    click.echo(
        f"cavra-safety audit: {verdict}: {len(report.open_findings)} open findings, "
        f"{len(report.with_status(Status.ACCEPTED))} accepted, {len(report.with_status(Status.ALLOWED))} allowed "
        f"inline; {scope.files_scanned} files, {scope.commits_scanned} commits",
        err=True,
    )
    if report.needing_attention:
        count = len(report.needing_attention)
        click.echo(
            f"cavra-safety audit: needs attention: {count} inline allow{'s give' if count != 1 else ' gives'} "
            "no reason (listed in the report)",
            err=True,
        )
    for target in written:
        click.echo(f"cavra-safety audit: wrote {target}", err=True)
    click.echo(f"cavra-safety audit: digest {digest}", err=True)


@audit.command()
@click.argument("report", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--expect", metavar="DIGEST", help="The digest recorded with the review (sha256:...): must match.")
def verify(report: Path, expect: str | None) -> int:
    """Check that REPORT.json (a JSON audit report) is unchanged and consistent: exit 0 if so, 1 if not."""
    from cavra_safety.audit import load_report, verify_document

    outcome = verify_document(load_report(report), expect)
    if outcome.ok:
        click.echo(f"{report}: OK: digest {outcome.embedded} matches; verdict {outcome.verdict}")
        return 0
    click.echo(f"{report}: FAILED verification", err=True)
    for problem in outcome.problems:
        click.echo(f"  {problem}", err=True)
    return 1
