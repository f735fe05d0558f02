"""``scan --help`` ends with examples and the exit codes, line for line; ``-f`` is ``--format``; click's shell
completion (bash, zsh, fish) is produced and completes the command names, through the real entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cavra_safety.cli import main
from cavra_safety.errors import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED, EXIT_USER_ERROR

REPO_ROOT = Path(__file__).resolve().parents[2]

EXPECTED_END = """\
  Examples:
    cavra-safety scan                            the current directory's tree
    cavra-safety scan --staged                   what the next commit adds
    cavra-safety scan --diff origin/main...HEAD  the lines a pull request adds
    cavra-safety scan --history                  every commit's added lines
    cavra-safety scan -f sarif -o cavra.sarif    a SARIF report to a file
    git show HEAD:app.py | cavra-safety scan - --stdin-name app.py

  Exit codes:
    0    clean: no finding at or above --fail-on
    1    findings at or above --fail-on
    2    usage or configuration error (one line on stderr)
    3    internal error, a bug (with a traceback)
    130  interrupted
"""


def _help(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: int) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["scan", "--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("columns", [80, 120, 200])
def test_scan_help_ends_with_the_examples_and_exit_codes_whatever_the_width(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    out = _help(capsys, monkeypatch, columns)
    assert out.endswith("\n\n" + EXPECTED_END)
    assert "  -h, --help" in out.split("Examples:")[0]  # after the options, not before them


def test_the_exit_codes_in_the_help_are_the_ones_main_returns() -> None:
    codes = [int(line.split()[0]) for line in EXPECTED_END.split("Exit codes:\n")[1].splitlines()]
    assert codes == [EXIT_CLEAN, EXIT_FINDINGS, EXIT_USER_ERROR, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED]


@pytest.mark.parametrize("flag", ["-f", "--format"])
def test_f_is_short_for_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, flag: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text("import os\n")
    assert main(["scan", ".", flag, "json", "-q"]) == 0
    assert capsys.readouterr().out.startswith('{\n  "version": ')


def test_f_with_an_unknown_format_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["scan", ".", "-f", "xml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("cavra-safety: error: Invalid value for '-f' / '--format': 'xml' is not one of ")


def _complete(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cavra_safety"],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("shell", "opening"),
    [
        ("bash", "_cavra_safety_completion() {"),
        ("zsh", "#compdef cavra-safety"),
        ("fish", "function _cavra_safety_completion"),
    ],
)
def test_the_shell_completion_source_is_produced(shell: str, opening: str) -> None:
    done = _complete(_CAVRA_SAFETY_COMPLETE=f"{shell}_source")
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(opening)
    assert "_CAVRA_SAFETY_COMPLETE=" + shell + "_complete" in done.stdout


@pytest.mark.parametrize(
    ("shell", "words", "cword", "expected"),
    [
        ("bash", "cavra-safety sc", "1", "plain,scan\n"),
        ("zsh", "cavra-safety sc", "1", "plain\nscan\nScan files, staged changes, a diff or the history.\n"),
        ("fish", "cavra-safety sc", "sc", "plain,scan\tScan files, staged changes, a diff or the history.\n"),
        ("bash", "cavra-safety ba", "1", "plain,baseline\n"),
        ("bash", "cavra-safety scan --for", "2", "plain,--format\n"),
        ("bash", "cavra-safety xyz", "1", "\n"),  # nothing to offer
    ],
)
def test_completion_offers_the_matching_commands(shell: str, words: str, cword: str, expected: str) -> None:
    done = _complete(_CAVRA_SAFETY_COMPLETE=f"{shell}_complete", COMP_WORDS=words, COMP_CWORD=cword)
    assert (done.returncode, done.stdout, done.stderr) == (0, expected, "")
