"""action.yml, the cavra-safety GitHub Action, run as far as a local machine can.

The action's own ``run:`` steps run with bash, in order, in real repositories shaped like a pull request or a push,
with ``${{ inputs.* }}``, ``${{ github.* }}``, ``${{ runner.* }}`` and ``${{ steps.*.outputs.* }}`` filled in the
way GitHub's runner would (a ``GITHUB_OUTPUT`` file per step; a step that fails skips the rest, except those whose
``if:`` holds ``always()``). The action path is an archive of a tagged clone of this checkout, as GitHub downloads
``uses: <owner>/cavra-safety@vX.Y.Z``; its install step runs for real, once per session (the next runs find the
virtual environment it made under ``runner.temp``). The upload to code scanning is another action: the tests
evaluate its ``if:`` instead.
"""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from ci_run import CHECKOUT, TAG, bash, interpreter_dir, job_env, pull_request, quiet_git_env, tagged_clone
from git_repo import STRIPE_RULE, Repo, secret_line

ACTION = CHECKOUT / "action.yml"
DOC = CHECKOUT / "docs" / "ci.md"
SCHEMA = CHECKOUT / "tests" / "data" / "sarif-schema-2.1.0.json"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
ZEROS = "0" * 40


def action() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(ACTION.read_text())
    return loaded


def documented_use() -> dict[str, Any]:
    """The action's step in docs/ci.md's workflow (the block marked ci:action)."""
    match = re.search(r"<!-- ci:action -->\n```yaml\n(.*?)\n```", DOC.read_text(), re.DOTALL)
    assert match, "docs/ci.md has no block marked ci:action"
    steps = yaml.safe_load(match.group(1))["jobs"]["cavra-safety"]["steps"]
    (step,) = [step for step in steps if "cavra-safety@" in step.get("uses", "")]
    assert steps[0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}
    return dict(step)


@pytest.fixture(scope="session")
def runner(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(action path, runner.temp): the release tag as GitHub downloads it (an archive, no .git), and a runner
    temporary folder that every test shares, so that only the first run installs."""
    root = tmp_path_factory.mktemp("action")
    clone = tagged_clone(root / "clone")
    archive = root / "action.tar"
    subprocess.run(
        ["git", "-C", str(clone), "archive", "--format=tar", "-o", str(archive), TAG],
        check=True,
        capture_output=True,
        env=quiet_git_env(),
    )
    action_path = root / "owner" / "cavra-safety" / TAG
    with tarfile.open(archive) as tar:
        tar.extractall(action_path, filter="data")
    (root / "temp").mkdir()
    return action_path, root / "temp"


@dataclass
class Run:
    """One run of the action: each step's result (None: skipped), its outputs and the upload decision."""

    steps: dict[str, subprocess.CompletedProcess[str] | None] = field(default_factory=dict)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    uploaded: bool = False

    def output(self, name: str) -> str:
        """An output of the action, as its ``outputs:`` section maps it."""
        expression = action()["outputs"][name]["value"]
        (path,) = EXPRESSION.findall(expression)
        _steps, step, _outputs, key = path.split(".")
        return self.outputs.get(step, {}).get(key, "")

    def stdout(self) -> str:
        return "".join(done.stdout for done in self.steps.values() if done is not None)

    def failed(self) -> tuple[str, int] | None:
        for name, done in self.steps.items():
            if done is not None and done.returncode != 0:
                return name, done.returncode
        return None


def lookup(context: dict[str, Any], path: str) -> str:
    """``a.b.c`` in GitHub's contexts; a missing property is the empty string, as GitHub evaluates it."""
    value: Any = context
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def condition_holds(condition: str, context: dict[str, Any], failed: bool) -> bool:
    """The ``if:`` forms action.yml uses: ``always()`` and ``path == 'value'`` / ``path != 'value'`` joined by
    ``&&``. Without ``always()``, a step runs only while no step has failed (GitHub's ``success()``)."""
    terms = [term.strip() for term in condition.split("&&")]
    holds = "always()" in terms or not failed
    for term in terms:
        if term == "always()":
            continue
        match = re.fullmatch(r"([\w.-]+) (==|!=) '([^']*)'", term)
        assert match, f"action.yml uses an if: form this test cannot evaluate: {term}"
        equal = lookup(context, match[1]) == match[3]
        holds = holds and (equal if match[2] == "==" else not equal)
    return holds


def run_action(
    runner: tuple[Path, Path], workspace: Path, github: dict[str, Any], inputs: dict[str, str] | None = None
) -> Run:
    action_path, temp = runner
    declared = action()["inputs"]
    given = {
        key: str(value).lower() if isinstance(value, bool) else str(value) for key, value in (inputs or {}).items()
    }
    assert set(given) <= set(declared), f"undeclared inputs: {set(given) - set(declared)}"
    context: dict[str, Any] = {
        "inputs": {name: given.get(name, spec.get("default", "")) for name, spec in declared.items()},
        "github": {"action_path": str(action_path), "repository": "acme/app", "actor": "octocat", **github},
        "runner": {"temp": str(temp)},
        "steps": {},
    }
    run = Run()
    for index, step in enumerate(action()["runs"]["steps"]):
        name = step["id"]
        failed = run.failed() is not None
        if not (condition_holds(step["if"], context, failed) if "if" in step else not failed):
            run.steps[name] = None
            continue
        if "uses" in step:
            run.uploaded = "upload-sarif" in step["uses"]
            continue
        outputs_file = temp / f"output-{index}"
        outputs_file.write_text("")
        env = {key: EXPRESSION.sub(lambda m: lookup(context, m[1]), str(value)) for key, value in step["env"].items()}
        env |= {"GITHUB_OUTPUT": str(outputs_file), "GITHUB_WORKSPACE": str(workspace), "RUNNER_TEMP": str(temp)}
        run.steps[name] = bash(step["run"], workspace, job_env([interpreter_dir()], env))
        written = dict(line.split("=", 1) for line in outputs_file.read_text().splitlines() if line)
        run.outputs[name] = written
        context["steps"][name] = {"outputs": written}
    return run


def pull_request_event(base: str, head_repository: str = "acme/app") -> dict[str, Any]:
    return {
        "event_name": "pull_request",
        "event": {"pull_request": {"base": {"sha": base}, "head": {"repo": {"full_name": head_repository}}}},
    }


def assert_valid_sarif(workspace: Path, name: str = "cavra-safety.sarif") -> list[dict[str, Any]]:
    report = json.loads((workspace / name).read_text())
    jsonschema.validate(report, json.loads(SCHEMA.read_text()))
    results: list[dict[str, Any]] = report["runs"][0]["results"]
    return results


def places(results: list[dict[str, Any]]) -> list[str]:
    return sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results)


def test_a_clean_pull_request_passes_and_uploads(runner: tuple[Path, Path], repo: Repo) -> None:
    base = pull_request(repo, leak=False)
    run = run_action(runner, repo.path, pull_request_event(base), documented_use()["with"])
    assert run.failed() is None, run.steps
    assert run.uploaded
    assert (run.output("findings"), run.output("sarif")) == ("0", "cavra-safety.sarif")
    assert assert_valid_sarif(repo.path) == []
    assert "::error" not in run.stdout()


def test_a_leaking_pull_request_fails_with_annotations_and_valid_sarif(runner: tuple[Path, Path], repo: Repo) -> None:
    base = pull_request(repo, leak=True)
    run = run_action(runner, repo.path, pull_request_event(base), documented_use()["with"])
    assert run.failed() == ("verdict", 1)  # the last step, after the upload: the scan step itself passed
    scan = run.steps["scan"]
    assert scan is not None
    assert scan.stdout.startswith(f"::error file=feature.py,line=2,endLine=2,col=15,title={STRIPE_RULE}::")
    assert "old.py" not in scan.stdout and "main.py" not in scan.stdout  # only what the pull request adds
    assert run.uploaded  # always(): findings do not stop the upload
    assert run.output("findings") == "1"
    assert places(assert_valid_sarif(repo.path)) == ["feature.py"]


def test_a_pull_request_from_a_fork_skips_the_upload_with_a_notice(runner: tuple[Path, Path], repo: Repo) -> None:
    base = pull_request(repo, leak=True)
    run = run_action(runner, repo.path, pull_request_event(base, "someone/app"), {"upload-sarif": "true"})
    assert not run.uploaded
    assert "::notice title=cavra-safety::SARIF upload skipped: a pull request from a fork (someone/app)" in run.stdout()
    assert run.failed() == ("verdict", 1)  # the check still fails
    assert places(assert_valid_sarif(repo.path)) == ["feature.py"]


@pytest.mark.parametrize(
    "before, expected, notice",
    [
        ("main", ["feature.py"], None),  # the pushed commits only
        (ZEROS, ["feature.py", "old.py"], "no base commit on this push event"),  # a new branch: the tree
        ("f" * 40, ["feature.py", "old.py"], "is not in the clone"),  # a force push's lost head: the tree
    ],
)
def test_a_push_scans_what_it_adds_or_else_the_tree(
    runner: tuple[Path, Path], repo: Repo, before: str, expected: list[str], notice: str | None
) -> None:
    pull_request(repo, leak=True)
    before_sha = repo.git("rev-parse", "main").strip() if before == "main" else before
    repo.git("checkout", "-q", "main")
    repo.git("merge", "-q", "--no-edit", "feature")  # the push: main gains the feature's commits
    run = run_action(runner, repo.path, {"event_name": "push", "event": {"before": before_sha}})
    assert run.failed() == ("verdict", 1)
    assert places(assert_valid_sarif(repo.path)) == expected
    assert not run.uploaded  # upload-sarif defaults to false
    if notice:
        assert notice in run.stdout()
    else:
        assert "::notice" not in run.stdout()


@pytest.mark.parametrize("mode, fail_on", [("tree", ""), ("history", "critical")])
def test_tree_and_history_modes_see_what_the_branch_holds(
    runner: tuple[Path, Path], repo: Repo, mode: str, fail_on: str
) -> None:
    base = pull_request(repo, leak=False)
    run = run_action(runner, repo.path, pull_request_event(base), {"mode": mode, "fail-on": fail_on})
    assert run.failed() == ("verdict", 1)
    assert places(assert_valid_sarif(repo.path)) == ["old.py"]  # on the branch, though not in the pull request
    assert run.output("findings") == "1"


def test_fail_on_above_the_findings_passes_and_counts_them(runner: tuple[Path, Path], repo: Repo) -> None:
    repo.commit("tenant", {"settings.py": 'tenant_id = "' + "acme-" + "prod-" + '7731"\n'})  # a high finding
    run = run_action(
        runner, repo.path, {"event_name": "workflow_dispatch"}, {"fail-on": "critical", "sarif": "o.sarif"}
    )
    assert run.failed() is None
    assert (run.output("findings"), run.output("sarif")) == ("1", "o.sarif")
    assert places(assert_valid_sarif(repo.path, "o.sarif")) == ["settings.py"]


@pytest.mark.parametrize(
    "inputs, message",
    [
        ({"mode": "full"}, "mode must be diff, tree or history, not 'full'"),
        ({"upload-sarif": "yes"}, "upload-sarif must be true or false, not 'yes'"),
        ({"args": "--no-such-flag"}, "--no-such-flag"),
    ],
)
def test_a_bad_input_fails_its_step_with_one_message(
    runner: tuple[Path, Path], repo: Repo, inputs: dict[str, str], message: str
) -> None:
    repo.commit("one", {"app.py": "x = 1\n"})
    run = run_action(runner, repo.path, {"event_name": "push", "event": {"before": ZEROS}}, inputs)
    failed = run.failed()
    assert failed is not None and failed[1] == 2
    assert message in run.stdout() + "".join(done.stderr for done in run.steps.values() if done is not None)
    assert run.steps["verdict"] is None and not run.uploaded  # nothing after a broken step


def test_a_python_older_than_3_11_is_refused_before_installing(
    runner: tuple[Path, Path], repo: Repo, tmp_path: Path
) -> None:
    old = tmp_path / "python3.10"
    old.write_text('#!/bin/sh\n[ "$1" = --version ] && echo "Python 3.10.12" && exit 0\nexit 1\n')
    old.chmod(0o755)
    fresh_temp = tmp_path / "temp"
    fresh_temp.mkdir()
    run = run_action((runner[0], fresh_temp), repo.path, {"event_name": "push"}, {"python": str(old)})
    install = run.steps["install"]
    assert install is not None and install.returncode == 2
    assert "needs Python 3.11 or newer" in install.stdout and "Python 3.10.12" in install.stdout
    assert list(fresh_temp.glob("cavra-safety-*")) == []


def test_the_action_is_well_formed() -> None:
    spec = action()
    assert spec["runs"]["using"] == "composite"
    steps = spec["runs"]["steps"]
    text = ACTION.read_text()
    used_inputs = set(re.findall(r"\binputs\.([\w-]+)", text))
    assert used_inputs == set(spec["inputs"]), "every input declared is used, and every input used is declared"
    ids = [step["id"] for step in steps]  # every step has an id: the tests name steps by it
    for index, step in enumerate(steps):
        assert ("run" in step) != ("uses" in step)
        if "run" in step:
            assert step["shell"] == "bash", step["name"]
            assert "${{" not in step["run"], f"{step['name']}: expressions reach scripts through env: only"
        for ref_step, key in re.findall(r"steps\.([\w-]+)\.outputs\.([\w-]+)", json.dumps(step)):
            assert ref_step in ids[:index], f"{step['name']} reads a later or unknown step: {ref_step}"
            assert f"{key}=" in steps[ids.index(ref_step)]["run"], f"step {ref_step} never writes {key}"
    for name, output in spec["outputs"].items():
        (ref_step, key) = re.findall(r"steps\.([\w-]+)\.outputs\.([\w-]+)", output["value"])[0]
        assert f"{key}=" in steps[ids.index(ref_step)]["run"], name
    (upload,) = [step for step in steps if "uses" in step]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v4"
    assert upload["if"].startswith("always() && ") and upload["with"]["category"] == "cavra-safety"


def test_the_docs_use_the_release_tag_and_document_every_input() -> None:
    use = documented_use()
    assert use["uses"] == f"<owner>/cavra-safety@{TAG}"
    assert set(use.get("with", {})) <= set(action()["inputs"])
    documented = set(re.findall(r"^\| `([\w-]+)` \|", DOC.read_text(), re.MULTILINE))
    assert set(action()["inputs"]) | set(action()["outputs"]) <= documented


def test_the_action_scans_in_one_pass() -> None:
    """One scan writes both the annotations and the SARIF file (the issue's two scans walked the diff twice)."""
    scripts = [step.get("run", "") for step in action()["runs"]["steps"]]
    scans = [script for script in scripts if "argv=(scan " in script]
    assert len(scans) == 1 and "--format github --sarif" in scans[0]


def test_a_leak_in_a_later_commit_is_not_hidden_by_a_clean_head_in_history_mode(
    runner: tuple[Path, Path], repo: Repo
) -> None:
    """history reads every commit: a secret added then deleted is still reported (it is public in the history)."""
    repo.commit("add", {"app.py": secret_line("deleted later")})
    repo.commit("remove", {"app.py": "x = 1\n"})
    run = run_action(runner, repo.path, {"event_name": "schedule"}, {"mode": "history"})
    assert run.failed() == ("verdict", 1)
    assert places(assert_valid_sarif(repo.path)) == ["app.py"]
