"""docs/ci.md's manual GitHub Actions workflow and GitLab CI job, run as far as a local machine can.

The documented install line runs as written, with only the repository's URL replaced by a tagged clone of this
checkout (``git+file://localhost/<clone>@vX.Y.Z``), into a fresh virtual environment that stands in for
actions/setup-python's Python: once per test session, shared by the tests. Every other ``run:`` / ``script:``
line is then taken from the document as written and run with bash in a real repository shaped like a pull
request, with the ``${{ ... }}`` expressions of ``env:`` filled in the way GitHub would. ``uses:`` steps
(checkout, Python set-up, the SARIF upload) cannot run here: the test validates the SARIF file the upload would
send, and the condition under which it would.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from ci_run import DOCUMENTED_URL, TAG, bash, clone_url, job_env, pull_request, tagged_clone
from git_repo import STRIPE_RULE, Repo

from cavra_safety import __version__

DOC = Path(__file__).resolve().parents[1] / "docs" / "ci.md"
SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
SARIF = "cavra-safety.sarif"
DIRECT_URL = (
    "python -c \"import importlib.metadata as m; print(m.distribution('cavra-safety').read_text('direct_url.json'))\""
)
DOCUMENTED_INSTALL = f'python -m pip install "cavra-safety @ git+{DOCUMENTED_URL}@{TAG}"'


def ci_block(name: str) -> Any:
    """The YAML code block after the marker ``<!-- ci:NAME -->``."""
    match = re.search(rf"<!-- ci:{name} -->\n```yaml\n(.*?)\n```", DOC.read_text(), re.DOTALL)
    assert match, f"docs/ci.md has no block marked ci:{name}"
    return yaml.safe_load(match.group(1))


def github_steps() -> list[dict[str, Any]]:
    workflow = ci_block("github-actions")
    assert workflow["permissions"]["security-events"] == "write"
    steps: list[dict[str, Any]] = workflow["jobs"]["cavra-safety"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    return steps


def install_lines() -> list[str]:
    """Every documented install line: the workflow's step, the GitLab job's script line."""
    github = [step["run"] for step in github_steps() if "pip install" in step.get("run", "")]
    gitlab = [line for line in ci_block("gitlab")["cavra-safety"]["script"] if "pip install" in line]
    return github + gitlab


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The documented install line, run once per session with only the URL replaced; returns the bin folder."""
    root = tmp_path_factory.mktemp("docs-install")
    clone = tagged_clone(root / "cavra-safety")
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True, capture_output=True)
    line = install_lines()[0].replace(DOCUMENTED_URL, clone_url(clone))
    done = bash(line, root, job_env([root / "venv" / "bin"]))
    assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
    return root / "venv" / "bin"


def test_every_install_line_is_the_pinned_git_install() -> None:
    assert install_lines() == [DOCUMENTED_INSTALL, DOCUMENTED_INSTALL]


def test_the_install_gives_the_tagged_release_not_this_checkout(installed: Path) -> None:
    where = bash('python -c "import cavra_safety; print(cavra_safety.__file__)"', installed, job_env([installed]))
    assert Path(where.stdout.strip()).is_relative_to(installed.parent / "lib"), where.stdout + where.stderr
    version = bash("cavra-safety --version", installed, job_env([installed]))
    assert version.returncode == 0 and version.stdout.strip().endswith(__version__), version.stdout
    # What pip recorded: the clone at the tag, through git (the documented mechanism; only the URL differs).
    recorded = bash(DIRECT_URL, installed, job_env([installed]))
    direct_url = json.loads(recorded.stdout)
    clone = installed.parent.parent / "cavra-safety"
    assert direct_url["url"] == clone_url(clone)
    tagged = subprocess.run(["git", "-C", str(clone), "rev-parse", f"{TAG}^{{commit}}"], capture_output=True, text=True)
    assert direct_url["vcs_info"] == {"vcs": "git", "requested_revision": TAG, "commit_id": tagged.stdout.strip()}


def upload_would_run(condition: str, workspace: Path) -> bool:
    """The manual upload step's condition, ``always() && hashFiles('FILE') != ''``, evaluated here."""
    match = re.fullmatch(r"always\(\) && hashFiles\('([^']+)'\) != ''", condition)
    assert match, f"unexpected upload condition: {condition}"
    return (workspace / match.group(1)).is_file()


def run_github_steps(installed: Path, repo: Repo, base: str) -> list[tuple[str, subprocess.CompletedProcess[str]]]:
    results = []
    for step in github_steps():
        if "run" not in step or "pip install" in step["run"]:
            continue  # uses: steps cannot run here; the install ran once for the session (the fixture)
        env = {
            key: value.replace("${{ github.event.pull_request.base.sha }}", base)
            for key, value in step.get("env", {}).items()
        }
        results.append((step["name"], bash(step["run"], repo.path, job_env([installed], env))))
    return results


def upload_step() -> dict[str, Any]:
    (upload,) = [step for step in github_steps() if "upload-sarif" in step.get("uses", "")]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v4"
    assert upload["with"] == {"sarif_file": SARIF, "category": "cavra-safety"}
    return upload


def test_github_workflow_fails_the_pull_request_and_writes_valid_sarif(installed: Path, repo: Repo) -> None:
    base = pull_request(repo, leak=True)
    ((scan_step, scan),) = run_github_steps(installed, repo, base)
    assert scan.returncode == 1, f"{scan_step}: {scan.stderr}"
    assert scan.stdout.startswith(f"::error file=feature.py,line=2,endLine=2,col=15,title={STRIPE_RULE}::")
    assert "old.py" not in scan.stdout and "main.py" not in scan.stdout
    assert upload_would_run(upload_step()["if"], repo.path)  # findings do not stop the upload
    report = json.loads((repo.path / SARIF).read_text())
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    (result,) = report["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "feature.py"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 2


def test_github_workflow_passes_a_clean_pull_request(installed: Path, repo: Repo) -> None:
    base = pull_request(repo, leak=False)
    for name, done in run_github_steps(installed, repo, base):
        assert done.returncode == 0, f"{name}: {done.stderr}"
        assert done.stdout == ""
    assert upload_would_run(upload_step()["if"], repo.path)
    assert json.loads((repo.path / SARIF).read_text())["runs"][0]["results"] == []


def test_github_workflow_fails_clearly_in_a_shallow_clone(installed: Path, repo: Repo, tmp_path: Path) -> None:
    base = pull_request(repo, leak=True)
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{repo.path}", str(clone)],
        check=True,
        capture_output=True,
    )
    shallow = Repo.__new__(Repo)
    shallow.path = clone
    ((name, done),) = run_github_steps(installed, shallow, base)
    assert done.returncode == 2, name
    assert "shallow clone" in done.stderr and "fetch-depth: 0" in done.stderr
    assert not upload_would_run(upload_step()["if"], clone)  # no SARIF written: nothing to upload


@pytest.mark.parametrize("leak", [True, False])
def test_gitlab_job(installed: Path, repo: Repo, leak: bool) -> None:
    pull_request(repo, leak=leak)
    merge_base = repo.git("merge-base", "main", "feature").strip()
    job = ci_block("gitlab")["cavra-safety"]
    assert job["variables"]["GIT_DEPTH"] == "0"
    assert job["artifacts"]["when"] == "always"
    codes = []
    for line in job["script"]:
        if "pip install" in line:
            continue
        env = job_env([installed], {"CI_MERGE_REQUEST_DIFF_BASE_SHA": merge_base})
        codes.append(bash(line, repo.path, env).returncode)
    assert codes == [1 if leak else 0]
    report = json.loads((repo.path / job["artifacts"]["paths"][0]).read_text())
    assert len(report["runs"][0]["results"]) == (1 if leak else 0)
