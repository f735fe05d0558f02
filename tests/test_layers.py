"""The import contracts of pyproject.toml can fail: each is run on a copy of the packages with one import
planted where it must not be, and ``lint-imports`` must then exit non-zero naming the broken contract.

A checker that a planted import does not break is no checker (DESIGN.md, habit 10).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

SECRETS_CONTRACT = "detect-secrets stays behind one adapter"
LIBCST_CONTRACT = "libcst only in the fix codemod"
RE2_CONTRACT = "RE2 only in the regex module"
LAYERS_CONTRACT = "cavra_safety layers: the data flow, top to bottom"


@pytest.fixture
def packages(tmp_path: Path) -> Path:
    """A copy of the two packages and pyproject.toml, for lint-imports to read instead of the installed ones."""
    for package in ("cavra_safety", "contract"):
        shutil.copytree(CHECKOUT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(CHECKOUT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(folder: Path) -> subprocess.CompletedProcess[str]:
    if not LINT_IMPORTS.exists():
        pytest.fail(f"lint-imports is not installed beside {sys.executable} (it is in the [test] extra)")
    # lint-imports puts its working folder first on sys.path, so the copy is analysed, not the installed package.
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=folder, capture_output=True, text=True, timeout=120, check=False
    )


def plant(folder: Path, module: str, line: str) -> None:
    path = folder / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


def broken_contracts(output: str) -> set[str]:
    return {line.rsplit(" BROKEN", 1)[0] for line in output.splitlines() if " BROKEN" in line}


def test_the_unplanted_copy_keeps_every_contract(packages: Path) -> None:
    done = lint_imports(packages)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # detect-secrets has one importer, the secrets adapter: not the fix codemod, the contract, __main__.
        ("cavra_safety/detectors/python/fix.py", "import detect_secrets", SECRETS_CONTRACT),
        ("contract/schema_export.py", "import detect_secrets", SECRETS_CONTRACT),
        ("cavra_safety/__main__.py", "from detect_secrets import settings", SECRETS_CONTRACT),
        # libcst has one importer, the fix codemod: not the secrets adapter nor the Python detector.
        ("cavra_safety/detectors/secrets/adapter.py", "import libcst", LIBCST_CONTRACT),
        ("cavra_safety/detectors/python/detector.py", "import libcst.metadata", LIBCST_CONTRACT),
        # RE2 has one importer, the regex module: not the secrets adapter nor the policy detector.
        ("cavra_safety/detectors/secrets/adapter.py", "import re2", RE2_CONTRACT),
        ("cavra_safety/detectors/policy.py", "import re2", RE2_CONTRACT),
        # The layers: nothing imports upward.
        ("cavra_safety/findings.py", "import cavra_safety.pipeline.targets", LAYERS_CONTRACT),
        ("cavra_safety/sources/files.py", "from cavra_safety import detectors", LAYERS_CONTRACT),
    ],
)
def test_a_planted_import_breaks_its_contract(packages: Path, module: str, line: str, contract: str) -> None:
    plant(packages, module, line)
    done = lint_imports(packages)
    assert done.returncode != 0, done.stdout
    assert broken_contracts(done.stdout) == {contract}, done.stdout


def test_the_layers_are_exhaustive_so_a_new_module_must_choose_its_layer(packages: Path) -> None:
    (packages / "cavra_safety" / "helpers.py").write_text('"""A module no layer names."""\n', encoding="utf-8")
    done = lint_imports(packages)
    assert done.returncode != 0, done.stdout
    assert LAYERS_CONTRACT in broken_contracts(done.stdout), done.stdout
