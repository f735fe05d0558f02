"""What commands show besides their result: the report (stdout or ``--output``) and progress bars (stderr).

Standard output may fail. A closed pipe (``scan . | head -1``) means the reader has what it wanted: the rest of
the output is dropped quietly and the command finishes, exiting with its verdict (0 clean, 1 findings), as
``head`` and ``grep -q`` readers expect. Any other failure (a full disk: ``scan . > /dev/full``) is one clear
line and exit 2; either way standard output is pointed at the null device, so that Python's final flush of
what is still buffered cannot fail again at exit.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

import click

from cavra_safety.errors import UserError

PROGRESS_AFTER_SECONDS = 0.75


def _silence_stdout() -> None:
    """Point file descriptor 1 at the null device (when standard output is a real file at all)."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        return  # replaced by a test runner or closed: nothing will flush to a broken descriptor
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, descriptor)
    finally:
        os.close(null)


def echo(text: str = "", nl: bool = True, color: bool | None = None) -> None:
    """``click.echo`` to standard output: a closed pipe drops the rest quietly; another failure to write is a
    ``UserError`` (see the module docstring). ``color=True`` keeps ANSI styles where click would strip them (a
    pipe: ``--color always``)."""
    try:
        click.echo(text, nl=nl, color=color)
    except BrokenPipeError:
        _silence_stdout()
    except OSError as error:
        _silence_stdout()
        raise UserError(f"cannot write to standard output: {error.strerror or error}") from None


def closed_pipe() -> None:
    """For ``cli.main``, when a closed pipe stopped a command that wrote without ``echo``: drop the rest."""
    _silence_stdout()


def wants_color(choice: str, output: Path | None, environ: Mapping[str, str], is_tty: bool) -> bool:
    """Whether a report is styled: ``--color always`` / ``never`` decide; ``auto`` follows the conventions, in
    CPython's order: a non-empty ``NO_COLOR`` turns colour off (no-color.org: an empty one does not), then a
    non-empty ``FORCE_COLOR`` turns it on (through a pipe too), then ``TERM=dumb`` turns it off, else colour
    when standard output is a terminal. A report written to a file (``--output``) is never styled by ``auto``."""
    if choice != "auto":
        return choice == "always"
    if output is not None or environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return is_tty and environ.get("TERM") != "dumb"


def report_width(output: Path | None, is_tty: bool) -> int | None:
    """The columns a text report wraps its messages to: the terminal's, when the report goes to one; None (no
    wrap: one message per line, for grep, diff and golden files) for a pipe or a file."""
    return shutil.get_terminal_size().columns if output is None and is_tty else None


def write_output(text: str, output: Path | None, color: bool = False) -> None:
    """Print ``text`` as is (styles kept when ``color``), or write it to ``output``; an unwritable file is the
    user's error (exit 2)."""
    if output is None:
        echo(text, nl=False, color=color or None)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror or error}") from None


# Long enough for any command's first sentence: the help wraps it instead of cutting it.
SUMMARY_LIMIT = 300


def time_left(elapsed: float, done: int, total: int) -> str:
    """The labelled estimate a progress bar ends with: ``ETA 0:12``, ``ETA 1:02:03``; ``ETA -:--`` before the
    first unit of work is done (nothing to estimate from)."""
    if done <= 0 or total <= 0:
        return "ETA -:--"
    seconds = round(elapsed / done * max(total - done, 0))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"ETA {hours}:{minutes:02d}:{seconds:02d}" if hours else f"ETA {minutes}:{seconds:02d}"


class Progress:
    """One progress bar on ``stream``, shown only when enabled and only once its work has run for a moment:
    ``Scanning commits  [#####-------]  120/400 commits  ETA 0:12``. ``unit`` names what the bar counts
    (files, or a history's commits); the estimate is labelled, which click's bare ``00:00:12`` is not."""

    def __init__(
        self,
        label: str,
        enabled: bool,
        stream: TextIO | None = None,
        delay: float = PROGRESS_AFTER_SECONDS,
        unit: str = "files",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.enabled, self.delay, self.unit, self.clock = label, enabled, delay, unit, clock
        self.stream = stream if stream is not None else sys.stderr
        self.started = clock()
        self.bar: Any = None
        self.shown = 0

    def status(self, done: int, total: int) -> str:
        """What follows the bar: ``120/400 commits  ETA 0:12``."""
        return f"{done}/{total} {self.unit}  {time_left(self.clock() - self.started, done, total)}"

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if self.clock() - self.started < self.delay:
                return
            # click's own position and estimate are off: ``status`` says both, labelled, as the item shown.
            self.bar = click.progressbar(
                length=max(total, 1),
                label=self.label,
                file=self.stream,
                show_pos=False,
                show_eta=False,
                show_percent=False,
                item_show_func=lambda status: status,
            )
            self.bar.__enter__()
        self.bar.update(max(done - self.shown, 0), current_item=self.status(done, total))
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


class WholeSummaryGroup(click.Group):
    """A command group whose help lists each command with its whole first sentence, wrapped, where click would
    cut it at the terminal's width with "..."."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=SUMMARY_LIMIT)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
