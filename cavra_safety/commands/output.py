"""What commands show besides their result: the report (stdout or ``--output``) and progress bars (stderr)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any, TextIO

import click

from cavra_safety.errors import UserError

PROGRESS_AFTER_SECONDS = 0.75


def write_output(text: str, output: Path | None) -> None:
    """Print ``text`` as is, or write it to ``output``; an unwritable file is the user's error (exit 2)."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror or error}") from None


class Progress:
    """One progress bar on ``stream``, shown only when enabled and only once its work has run for a moment."""

    def __init__(
        self, label: str, enabled: bool, stream: TextIO | None = None, delay: float = PROGRESS_AFTER_SECONDS
    ) -> None:
        self.label, self.enabled, self.delay = label, enabled, delay
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self.bar: Any = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < self.delay:
                return
            self.bar = click.progressbar(length=max(total, 1), label=self.label, file=self.stream, show_pos=True)
            self.bar.__enter__()
        self.bar.update(max(done - self.shown, 0))
        self.shown = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
