"""The light install: ``scan`` needs neither libcst (``fix``) nor pydantic (``contract``), which are extras.

Each case runs the CLI in a fresh interpreter where the extra's library cannot be imported (its ``sys.modules``
entry set to None, as Python does for a module it must not load), so that the test sees what a plain
``pip install cavra-safety`` (or the pre-commit hook's environment) does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from cavra_safety.cli import EXTRAS

REPO_ROOT = Path(__file__).resolve().parents[2]
CLEAN_FILE = "import os\n\nDATABASE_URL = os.environ['DATABASE_URL']\n"

# Hides the libraries named in argv[1] (comma-separated), then runs the CLI with the rest of argv.
WITHOUT = """
import sys
for name in filter(None, sys.argv[1].split(",")):
    sys.modules[name] = None
from cavra_safety.cli import main
sys.exit(main(sys.argv[2:]))
"""


def cli_without(hidden: str, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(
        [sys.executable, "-c", WITHOUT, hidden, *argv], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def _requirement_names(requirements: list[str]) -> set[str]:
    return {
        requirement.split(";")[0].split("[")[0].split(">")[0].split("<")[0].split("=")[0].strip()
        for requirement in requirements
    }


PROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


@pytest.mark.parametrize(("extra", "library"), [("fix", "libcst"), ("contract", "pydantic")])
def test_an_extras_library_is_in_its_extra_and_not_in_the_base_install(extra: str, library: str) -> None:
    extras = PROJECT["optional-dependencies"]
    assert library in _requirement_names(extras[extra])
    assert library not in _requirement_names(PROJECT["dependencies"])
    # [all] and [test] (the README's test command) bring every extra
    assert "cavra-safety[fix,contract]" in extras["all"]
    assert "cavra-safety[all]" in extras["test"]


@pytest.mark.parametrize("command", sorted(EXTRAS))
def test_the_hint_installs_the_requirement_its_extra_states(command: str) -> None:
    # The library from its index, never "cavra-safety[extra]" (an unclaimed name on the index).
    library, requirement, extra = EXTRAS[command]
    assert PROJECT["optional-dependencies"][extra] == [requirement]
    assert requirement.startswith(library)


@pytest.mark.parametrize(
    ("hidden", "argv", "line"),
    [
        (
            "libcst",
            ("fix", "app.py"),
            'cavra-safety: error: fix needs libcst (the [fix] extra): pip install "libcst>=1.1"\n',
        ),
        (
            "libcst",
            ("fix", "--write", "-h"),
            'cavra-safety: error: fix needs libcst (the [fix] extra): pip install "libcst>=1.1"\n',
        ),
        (
            "pydantic",
            ("contract", "schema", "request"),
            'cavra-safety: error: contract needs pydantic (the [contract] extra): pip install "pydantic>=2.7,<3"\n',
        ),
        (
            "libcst,pydantic",
            ("contract", "requirements"),
            'cavra-safety: error: contract needs pydantic (the [contract] extra): pip install "pydantic>=2.7,<3"\n',
        ),
    ],
)
def test_a_command_whose_extra_is_missing_exits_2_with_the_install_line(
    tmp_path: Path, hidden: str, argv: tuple[str, ...], line: str
) -> None:
    (tmp_path / "app.py").write_text(CLEAN_FILE)
    done = cli_without(hidden, *argv, cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", line)


@pytest.mark.parametrize(
    ("hidden", "argv"),
    [
        ("libcst,pydantic", ("scan", "app.py")),
        ("libcst,pydantic", ("scan", ".", "--format", "sarif")),
        ("libcst,pydantic", ("policy", "list")),
        ("pydantic", ("fix", "app.py")),  # fix itself needs only libcst
    ],
)
def test_commands_that_need_no_missing_extra_run_without_it(tmp_path: Path, hidden: str, argv: tuple[str, ...]) -> None:
    (tmp_path / "app.py").write_text(CLEAN_FILE)
    done = cli_without(hidden, *argv, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "error" not in done.stderr


@pytest.mark.parametrize(
    ("hidden", "shown"),
    [
        ("libcst,pydantic", ('fix       Needs libcst: pip install "libcst>=1.1".', "contract  Needs pydantic")),
        ("", ("fix       Replace", "contract  ")),
    ],
)
def test_the_help_lists_every_command_and_says_what_a_missing_one_needs(
    tmp_path: Path, hidden: str, shown: tuple[str, ...]
) -> None:
    done = cli_without(hidden, "--help", cwd=tmp_path)
    assert done.returncode == 0
    for text in shown:
        assert text in done.stdout
    assert ("Needs libcst" in done.stdout) == ("libcst" in hidden)


def test_a_missing_module_of_the_scanner_itself_is_a_bug_not_an_extra(tmp_path: Path) -> None:
    done = cli_without("cavra_safety.detectors.python.fix", "fix", "app.py", cwd=tmp_path)
    assert done.returncode == 3
    assert "internal error" in done.stderr
