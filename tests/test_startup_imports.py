"""What a pre-commit run imports: the hook pays Python's start-up on every commit, so a one-file scan loads only
what it uses. Each case runs the CLI in a fresh interpreter and reads ``sys.modules`` afterwards.

Two pins: heavy or unrelated modules that must stay out (``FORBIDDEN``), and an allow-list of the scanner's own
modules (``HOOK_MODULES``), so that a new eager import anywhere in the package shows up here. The positive cases
show that the probe sees what a run does import (a secret-shaped line loads detect-secrets, ``--format sarif``
the SARIF reporter, ...), so that the negative ones cannot pass for want of looking.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from git_repo import Repo

REPO_ROOT = Path(__file__).resolve().parents[1]
CLEAN_FILE = "import os\n\nDATABASE_URL = os.environ['DATABASE_URL']\nDEBUG = False\n"

# Runs the CLI as the console script does, then writes every loaded module's name to the file argv[1] names.
PROBE = """
import sys
from cavra_safety.cli import main
code = main(sys.argv[2:])
with open(sys.argv[1], "w", encoding="utf-8") as out:
    out.write("\\n".join([str(code), *sorted(sys.modules)]))
"""

# Never in a one-file or --staged run of a clean file: the contract's models (pydantic), the fix codemod
# (libcst), detect-secrets (loaded on the first file that passes its pre-gate), the worker pool (one file
# needs none), the reporters not printed with, the baseline (there is no baseline file), the record parsers (no
# record rule's keyword is in the file), the commands not run, pathspec (gitignore-style matching: only for
# exclude patterns, a .gitignore met on a walk, or a rule with path globs that a keyword of the file reaches).
FORBIDDEN = (
    "pydantic",
    "pathspec",
    "hyperscan",
    "libcst",
    "detect_secrets",
    "requests",
    "contract",
    "multiprocessing",
    "concurrent.futures",
    "secrets",
    "traceback",
    "cavra_safety.audit",
    "cavra_safety.baseline",
    "cavra_safety.commands.audit",
    "cavra_safety.commands.baseline",
    "cavra_safety.commands.contract",
    "cavra_safety.commands.fix",
    "cavra_safety.commands.policy",
    "cavra_safety.detectors.python.checks",
    "cavra_safety.detectors.python.fix",
    "cavra_safety.detectors.secrets.adapter",
    "cavra_safety.detectors.secrets.precision",
    "cavra_safety.pipeline.history",
    "cavra_safety.policy.records",
    "csv",
    "cavra_safety.reporters.github",
    "cavra_safety.reporters.json_report",
    "cavra_safety.reporters.sarif",
)
# difflib is imported for "did you mean" suggestions only; click's parser imports it itself whenever a short
# option (``-q``) is given, so it is pinned only on runs without one (the hook's own command line has none).
SUGGESTIONS = "difflib"

# The scanner's own modules a one-file scan may load. An entry ending in "." admits a whole package.
# When this test fails on a module a hook run really needs, add it here (with the package it belongs to);
# otherwise import it inside the function that needs it, with a comment saying why it is imported there.
HOOK_MODULES = frozenset(
    {
        "cavra_safety",
        "cavra_safety.cli",
        "cavra_safety.commands",
        "cavra_safety.commands.options",
        "cavra_safety.commands.output",
        "cavra_safety.commands.scan",
        "cavra_safety.config",
        "cavra_safety.detectors",
        "cavra_safety.detectors.base",
        "cavra_safety.detectors.policy",
        "cavra_safety.detectors.python",
        "cavra_safety.detectors.python.detector",
        "cavra_safety.detectors.python.gates",
        "cavra_safety.detectors.python.names",
        "cavra_safety.detectors.python.prefilter",
        "cavra_safety.detectors.python.rules",
        "cavra_safety.detectors.python.sensitive",
        "cavra_safety.detectors.secrets",
        "cavra_safety.detectors.secrets.lazy",
        "cavra_safety.detectors.secrets.plugins",
        "cavra_safety.detectors.secrets.text",
        "cavra_safety.display",
        "cavra_safety.errors",
        "cavra_safety.filters",
        "cavra_safety.findings",
        "cavra_safety.multipattern",  # the shared pass's registry: gates register at import (Hyperscan is not loaded)
        "cavra_safety.pipeline",
        "cavra_safety.pipeline.decoded",
        "cavra_safety.pipeline.engine",
        "cavra_safety.pipeline.pool",
        "cavra_safety.pipeline.scan",
        "cavra_safety.pipeline.targets",
        "cavra_safety.pipeline.views",  # derived views: every source asks whether it has any (policy.views)
        "cavra_safety.policy.",  # every rule is loaded: the packs, their parser and the compiled-policy cache
        "cavra_safety.precedence",
        "cavra_safety.redaction",
        "cavra_safety.regex",
        "cavra_safety.reporters",
        "cavra_safety.reporters.base",
        "cavra_safety.reporters.text",
        "cavra_safety.sources",
        "cavra_safety.sources.encoded",
        "cavra_safety.sources.files",
        "cavra_safety.sources.generated",  # the engine asks it of every source (is it a lockfile?)
        "cavra_safety.sources.keys",
        "cavra_safety.sources.text",
    }
)
# What --staged adds: git (run safely) and the index as a source.
STAGED_MODULES = frozenset({"cavra_safety.git", "cavra_safety.sources.patch", "cavra_safety.sources.staged"})


def loaded_modules(args: list[str], cwd: Path, tmp_path: Path) -> tuple[int, frozenset[str]]:
    """The exit code of ``cavra-safety ARGS`` run in ``cwd`` by a fresh interpreter, and every module it loaded."""
    report = tmp_path / "modules.txt"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, (str(REPO_ROOT), os.environ.get("PYTHONPATH")))))
    subprocess.run([sys.executable, "-c", PROBE, str(report), *args], cwd=cwd, env=env, capture_output=True, check=True)
    code, *modules = report.read_text(encoding="utf-8").splitlines()
    return int(code), frozenset(modules)


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def loads(modules: frozenset[str], name: str) -> bool:
    """Whether ``name`` or any of its submodules was loaded."""
    return any(within(module, name) for module in modules)


def allowed(module: str, allow_list: frozenset[str]) -> bool:
    """Whether ``module`` is on ``allow_list``: by name, or in a package listed as ``"package."``."""
    return module in allow_list or any(entry.endswith(".") and within(module, entry[:-1]) for entry in allow_list)


def clean_project(tmp_path: Path) -> Path:
    """A folder outside any repository, holding one clean Python file (no config file, no baseline)."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "settings.py").write_text(CLEAN_FILE, encoding="utf-8")
    return project


def staged_project(tmp_path: Path) -> Path:
    repo = Repo(tmp_path / "repo")
    repo.write("settings.py", CLEAN_FILE)
    repo.git("add", "settings.py")
    return repo.path


@pytest.mark.parametrize(
    ("make", "args", "extra", "pin_suggestions"),
    [
        (clean_project, ["scan", "settings.py"], frozenset(), True),
        (clean_project, ["scan", "settings.py", "-q"], frozenset(), False),
        (staged_project, ["scan", "--staged"], STAGED_MODULES, True),
        (staged_project, ["scan", "--staged", "settings.py", "--quiet"], STAGED_MODULES, True),
    ],
    ids=["hook-file", "file-short-option", "staged", "staged-path"],
)
def test_a_hook_run_on_a_clean_file_imports_only_what_it_uses(
    tmp_path: Path,
    make: Callable[[Path], Path],
    args: list[str],
    extra: frozenset[str],
    pin_suggestions: bool,
) -> None:
    code, modules = loaded_modules(args, make(tmp_path), tmp_path)
    assert code == 0
    assert "cavra_safety.pipeline.scan" in modules  # the scan ran in this interpreter
    forbidden = [name for name in FORBIDDEN if loads(modules, name)]
    assert forbidden == [], f"a one-file scan of a clean file now imports {forbidden}: import it where it is used"
    assert not (pin_suggestions and loads(modules, SUGGESTIONS)), "difflib is for suggestions: import it there"
    unexpected = sorted(
        module for module in modules if within(module, "cavra_safety") and not allowed(module, HOOK_MODULES | extra)
    )
    assert unexpected == [], (
        f"a one-file scan now imports {unexpected}: import it inside the function that needs it (with a comment "
        "saying why), or, if every hook run needs it, add it to HOOK_MODULES in tests/test_startup_imports.py"
    )


def _secret_line(project: Path) -> list[str]:
    password = "".join(chr(ord("a") + (7 * index) % 26) for index in range(18))
    (project / "settings.py").write_text(f'password = "{password}"\n', encoding="utf-8")
    return ["scan", "settings.py", "--quiet"]


def _parsed_python(project: Path) -> list[str]:
    (project / "settings.py").write_text("tenant_id = '" + "acme-" + "prod-" + "7731'\n", encoding="utf-8")
    return ["scan", "settings.py", "--quiet"]


def _tenant_rows(project: Path) -> list[str]:
    rows = "tenant_id,owner_email,plan\n" + "acme-" + "prod-" + "7731,owner@example.com,enterprise\n"
    (project / "tenants.csv").write_text(rows, encoding="utf-8")
    return ["scan", "tenants.csv", "--quiet"]


def _baseline(project: Path) -> list[str]:
    (project / ".cavra-safety-baseline.json").write_text(json.dumps({"version": 2, "entries": []}), encoding="utf-8")
    return ["scan", "settings.py", "--quiet"]


def _many_files(project: Path) -> list[str]:
    for index in range(200):
        (project / f"module_{index}.py").write_text(CLEAN_FILE, encoding="utf-8")
    return ["scan", ".", "--quiet", "--jobs", "2"]


def _format(name: str) -> Callable[[Path], list[str]]:
    return lambda _project: ["scan", "settings.py", "--quiet", "--format", name]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (_secret_line, ("detect_secrets", "cavra_safety.detectors.secrets.adapter")),
        (_parsed_python, ("cavra_safety.detectors.python.checks",)),
        (_tenant_rows, ("cavra_safety.policy.records", "csv")),
        (_baseline, ("cavra_safety.baseline",)),
        (_many_files, ("multiprocessing", "concurrent.futures")),
        (_format("sarif"), ("cavra_safety.reporters.sarif",)),
        (_format("json"), ("cavra_safety.reporters.json_report",)),
        (_format("github"), ("cavra_safety.reporters.github",)),
    ],
    ids=["candidate-line", "parsed-python", "record-rows", "baseline-file", "pool", "sarif", "json", "github"],
)
def test_what_a_run_needs_is_imported_when_it_needs_it(
    tmp_path: Path, setup: Callable[[Path], list[str]], expected: tuple[str, ...]
) -> None:
    project = clean_project(tmp_path)
    args = setup(project)
    _, modules = loaded_modules(args, project, tmp_path)
    missing = [name for name in expected if not loads(modules, name)]
    assert missing == [], f"the probe did not see {missing} loaded: it would miss an eager import too"
    assert not loads(modules, "libcst") and not loads(modules, "pydantic")  # fix and contract only, always


def test_detect_secrets_loads_without_requests(tmp_path: Path) -> None:
    """detect-secrets imports ``requests`` only to verify online, which is never done: a run that builds its
    plugins must not pay the 0.1 s of ``requests`` (``detectors.secrets.offline_import``)."""
    project = clean_project(tmp_path)
    _, modules = loaded_modules(_secret_line(project), project, tmp_path)
    assert loads(modules, "detect_secrets.plugins")  # the plugins were built
    assert not loads(modules, "requests") and not loads(modules, "urllib3")
