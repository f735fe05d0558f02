"""The command line: a click group, and ``main`` - the only place that turns outcomes into exit codes.

Exit codes: 0 clean, 1 findings at or above --fail-on, 2 user error (one clear line on stderr),
3 internal error (with a traceback: it is a bug), 130 interrupted.

Every error line is printed through ``errors.redact_secrets``: a key typed where a flag value, a path or a
revision belongs is never echoed in full. Standard output that fails is handled where commands write
(``commands.output.echo``: a closed pipe ends the output quietly and the command exits with its verdict; a full
disk is exit 2); a command stopped midway by a closed pipe exits 1 quietly, as click decides it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click

from cavra_safety import TOOL_NAME, __version__
from cavra_safety.commands.output import WholeSummaryGroup
from cavra_safety.errors import (
    EXIT_CLEAN,
    EXIT_FINDINGS,
    EXIT_INTERNAL_ERROR,
    EXIT_INTERRUPTED,
    EXIT_USER_ERROR,
    UserError,
)
from cavra_safety.redaction import redact_secrets

# The commands whose libraries are extras (pyproject.toml), not installed with the scanner (the pre-commit hook
# installs only what ``scan`` needs): command -> (the library, its requirement as the extra states it, the extra).
# The hint installs the library itself, from the index that serves it: cavra-safety is installed from its
# repository, and "pip install cavra-safety[fix]" would fetch whatever an index holds under that unclaimed name.
EXTRAS: dict[str, tuple[str, str, str]] = {
    "fix": ("libcst", "libcst>=1.1", "fix"),
    "contract": ("pydantic", "pydantic>=2.7,<3", "contract"),
}


def _needs_extra(name: str, library: str, requirement: str, extra: str) -> click.Command:
    """A stand-in for command ``name`` when ``library`` is not installed: listed in the help, and one clear line
    (exit 2) with the install command when run, whatever its arguments."""
    install = f'pip install "{requirement}"'

    def refuse() -> None:
        raise UserError(f"{name} needs {library} (the [{extra}] extra): {install}")

    return click.Command(
        name,
        callback=refuse,
        short_help=f"Needs {library}: {install}.",
        help=f"Not installed: this command needs {library} (the [{extra}] extra): {install}.",
        add_help_option=False,
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )


def _scan_command() -> click.Command:
    from cavra_safety.commands.scan import scan

    return scan


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


# Every command is imported only when invoked: a pre-commit run on one file must not pay for the contract's
# models or the baseline machinery, and --version or --help for none of them.
LAZY_COMMANDS: dict[str, Callable[[], click.Command]] = {
    "audit": _audit_group,
    "baseline": _baseline_group,
    "contract": _contract_group,
    "fix": _fix_command,
    "policy": _policy_group,
    "scan": _scan_command,
}


class _LazyGroup(WholeSummaryGroup):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        loader = LAZY_COMMANDS.get(cmd_name)
        if loader is None:
            return super().get_command(ctx, cmd_name)
        try:
            return loader()
        except ModuleNotFoundError as error:
            library, requirement, extra = EXTRAS.get(cmd_name, ("", "", ""))
            if not library or (error.name or "").partition(".")[0] != library:
                raise  # a module the scanner itself ships is missing: a bug, not an extra
            return _needs_extra(cmd_name, library, requirement, extra)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, prog_name=TOOL_NAME)
def cli() -> None:
    """Keep tenant data, secrets and private SaaS / Enterprise code out of a public repository."""


def _failed_to_print(error: BaseException) -> bool:
    """Whether ``error`` was raised by ``click.echo`` writing to standard output (a command that printed without
    ``commands.output.echo``); standard output is then pointed at the null device, so that the flush at exit
    cannot fail again."""
    frame = error.__traceback__
    while frame is not None:
        code = frame.tb_frame.f_code
        if code is click.utils.echo.__code__:
            from cavra_safety.commands.output import closed_pipe

            closed_pipe()
            return True
        frame = frame.tb_next
    return False


def _asked_for_help(error: click.UsageError) -> bool:
    """A group given no command (``cavra-safety``, ``cavra-safety policy``): click 8.2 and later raise this as a
    usage error; it is a request for the help, printed on standard output with exit 0 (as click 8.1 did)."""
    no_args = getattr(click.exceptions, "NoArgsIsHelpError", None)
    return no_args is not None and isinstance(error, no_args) and error.ctx is not None


def main(argv: Sequence[str] | None = None) -> int:
    try:
        outcome = cli.main(args=list(argv) if argv is not None else None, prog_name=TOOL_NAME, standalone_mode=False)
    except click.exceptions.Exit as stop:
        return stop.exit_code
    except SystemExit as stop:  # click ends a command that a closed pipe stopped this way (its output pacified)
        return stop.code if isinstance(stop.code, int) else EXIT_FINDINGS
    except click.UsageError as error:
        if _asked_for_help(error):
            assert error.ctx is not None
            click.echo(error.ctx.get_help())
            return EXIT_CLEAN
        hint = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
        click.echo(f"cavra-safety: error: {redact_secrets(error.format_message())}{hint}", err=True)
        return EXIT_USER_ERROR
    except click.ClickException as error:
        click.echo(f"cavra-safety: error: {redact_secrets(error.format_message())}", err=True)
        return EXIT_USER_ERROR
    except UserError as error:
        click.echo(f"cavra-safety: error: {error}", err=True)
        return EXIT_USER_ERROR
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("cavra-safety: interrupted", err=True)
        return EXIT_INTERRUPTED
    except Exception as error:
        if isinstance(error, OSError) and _failed_to_print(error):
            click.echo(f"cavra-safety: error: cannot write to standard output: {error.strerror or error}", err=True)
            return EXIT_USER_ERROR
        import traceback  # only a bug needs it: a clean run does not pay for traceback's own imports

        traceback.print_exc()
        click.echo("cavra-safety: internal error (a bug): please report it with the traceback above", err=True)
        return EXIT_INTERNAL_ERROR
    return outcome if isinstance(outcome, int) else EXIT_CLEAN
