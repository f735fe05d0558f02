"""Colour by the common conventions (issue 18, point 3): ``--color always`` through a pipe, ``NO_COLOR`` only when
non-empty, ``FORCE_COLOR``, and never in a file ``auto`` writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from git_repo import Cli, secret_line

from cavra_safety.commands.output import wants_color

ANSI = "\x1b["


@pytest.mark.parametrize(
    ("choice", "output", "environ", "tty", "expected"),
    [
        ("always", None, {}, False, True),
        ("always", Path("r.txt"), {"NO_COLOR": "1"}, False, True),
        ("never", None, {"FORCE_COLOR": "1"}, True, False),
        ("auto", None, {}, True, True),
        ("auto", None, {}, False, False),
        ("auto", None, {"NO_COLOR": ""}, True, True),  # an empty NO_COLOR does not count
        ("auto", None, {"NO_COLOR": "1"}, True, False),
        ("auto", None, {"FORCE_COLOR": "1"}, False, True),
        ("auto", None, {"FORCE_COLOR": ""}, False, False),
        ("auto", None, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),  # CPython's order: NO_COLOR first
        ("auto", None, {"TERM": "dumb"}, True, False),
        ("auto", Path("r.txt"), {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_wants_color(choice: str, output: Path | None, environ: dict[str, str], tty: bool, expected: bool) -> None:
    assert wants_color(choice, output, environ, tty) is expected


@pytest.mark.parametrize(
    ("flags", "environ", "styled"),
    [
        (["--color", "always"], {}, True),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {}, False),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_the_report_through_a_pipe(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, flags: list[str], environ: dict[str, str], styled: bool
) -> None:
    (tmp_path / "app.py").write_text(secret_line("colour"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    code, out, _ = cli(tmp_path, "scan", ".", *flags)
    assert code == 1
    assert (ANSI in out) is styled
