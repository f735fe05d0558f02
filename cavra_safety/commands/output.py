"""Where a command's report goes: stdout, or the file named by ``--output``."""

from __future__ import annotations

from pathlib import Path

import click

from cavra_safety.errors import UserError


def write_output(text: str, output: Path | None) -> None:
    """Print ``text`` as is, or write it to ``output``; an unwritable file is the user's error (exit 2)."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write {output}: {error.strerror or error}") from None
