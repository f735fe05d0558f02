"""docs/ci.md's GitHub Actions workflow and GitLab CI job, run as far as a local machine can.

Every ``run:`` / ``script:`` line is taken from the document as written and run with bash in a real
repository shaped like a pull request; the ``${{ ... }}`` expressions of ``env:`` are filled in the way GitHub
would. The installation line is replaced by the package under test; ``uses:`` steps (checkout, Python set-up,
the SARIF upload) cannot run here, so the test validates the SARIF file the upload would send instead.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from git_repo import STRIPE_RULE, Repo, secret_line

DOC = Path(__file__).resolve().parents[1] / "docs" / "ci.md"
SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
SARIF = "cavra-safety.sarif"


def ci_block(name: str) -> Any:
    """The YAML code block after the marker ``<!-- ci:NAME -->``."""
    match = re.search(rf"<!-- ci:{name} -->\n```yaml\n(.*?)\n```", DOC.read_text(), re.DOTALL)
    assert match, f"docs/ci.md has no block marked ci:{name}"
    return yaml.safe_load(match.group(1))


def bash(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # GitHub's default shell on Linux is `bash --noprofile --norc -eo pipefail {0}`.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", line],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def ci_env(extra: dict[str, str]) -> dict[str, str]:
    # The installed cavra-safety of this interpreter stands in for `pip install cavra-safety`.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, **extra}


def pull_request(repo: Repo, leak: bool) -> str:
    """main with a tenant-free app, a moved-on main, and a feature branch that may add a secret. Returns base."""
    repo.commit("base", {"app.py": "x = 1\n", "old.py": secret_line("old, accepted long ago")})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("feature", {"feature.py": "import os\n" + (secret_line("pr") if leak else "KEY = os.environ['K']\n")})
    repo.git("checkout", "-q", "main")
    base = repo.commit("main moves on", {"main.py": "y = 2\n"})
    repo.git("checkout", "-q", "--detach", "feature")
    return base


def run_github_steps(repo: Repo, base: str) -> list[tuple[str, subprocess.CompletedProcess[str]]]:
    workflow = ci_block("github-actions")
    job = workflow["jobs"]["cavra-safety"]
    assert workflow["permissions"]["security-events"] == "write"
    assert job["steps"][0]["with"]["fetch-depth"] == 0
    results = []
    for step in job["steps"]:
        if "run" not in step or "pip install" in step["run"]:
            continue
        env = {
            key: value.replace("${{ github.event.pull_request.base.sha }}", base)
            for key, value in step.get("env", {}).items()
        }
        results.append((step["name"], bash(step["run"], repo.path, ci_env(env))))
    return results


def test_github_workflow_fails_the_pull_request_and_writes_valid_sarif(repo: Repo) -> None:
    base = pull_request(repo, leak=True)
    (sarif_step, sarif_run), (gate_step, gate_run) = run_github_steps(repo, base)
    assert sarif_run.returncode == 0, f"{sarif_step}: {sarif_run.stderr}"  # findings must not stop the upload
    assert gate_run.returncode == 1, f"{gate_step}: {gate_run.stderr}"
    assert gate_run.stdout.startswith(f"::error file=feature.py,line=2,endLine=2,col=15,title={STRIPE_RULE}::")
    assert "old.py" not in gate_run.stdout and "main.py" not in gate_run.stdout
    report = json.loads((repo.path / SARIF).read_text())
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    (result,) = report["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "feature.py"
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 2


def test_github_workflow_passes_a_clean_pull_request(repo: Repo) -> None:
    base = pull_request(repo, leak=False)
    for name, done in run_github_steps(repo, base):
        assert done.returncode == 0, f"{name}: {done.stderr}"
    assert json.loads((repo.path / SARIF).read_text())["runs"][0]["results"] == []


def test_github_workflow_fails_clearly_in_a_shallow_clone(repo: Repo, tmp_path: Path) -> None:
    base = pull_request(repo, leak=True)
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{repo.path}", str(clone)],
        check=True,
        capture_output=True,
    )
    shallow = Repo.__new__(Repo)
    shallow.path = clone
    (name, done), _ = run_github_steps(shallow, base)
    # `|| [ $? -eq 1 ]` lets findings through to the upload, never a broken scan: the step fails.
    assert done.returncode != 0, name
    assert "shallow clone" in done.stderr and "fetch-depth: 0" in done.stderr


@pytest.mark.parametrize("leak", [True, False])
def test_gitlab_job(repo: Repo, leak: bool) -> None:
    base = pull_request(repo, leak=leak)
    merge_base = repo.git("merge-base", "main", "feature").strip()
    assert merge_base != base
    job = ci_block("gitlab")["cavra-safety"]
    assert job["variables"]["GIT_DEPTH"] == "0"
    codes = []
    for line in job["script"]:
        if "pip install" in line:
            continue
        codes.append(bash(line, repo.path, ci_env({"CI_MERGE_REQUEST_DIFF_BASE_SHA": merge_base})).returncode)
    assert codes == ([0, 1] if leak else [0, 0])
    assert (repo.path / job["artifacts"]["paths"][0]).is_file()
