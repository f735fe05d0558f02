"""Allow hints that can be followed (issue 18, point 4): an allow comment where the format has comments, the
baseline command that accepts the finding where it has none and for values in the history."""

from __future__ import annotations

import json
import shlex
from dataclasses import replace
from pathlib import Path

import pytest
from git_repo import Cli, Repo, stripe_key

from cavra_safety.findings import Category, Finding, RuleInfo, Severity
from cavra_safety.reporters import REPORTERS, RenderOptions
from cavra_safety.reporters.allow_hint import Hint, baseline_arguments, hint_for, project_folder

RULE = RuleInfo("policy/stripe-live-secret-key", Category.BILLING_SECRET, Severity.CRITICAL, "Stripe key")
ALLOW = "cavra: allow policy/stripe-live-secret-key -- <reason>"
REASON = "'<why it is harmless>'"
ON_LINE_7 = Hint("allow", ALLOW, "(in a comment on line 7, if harmless)")


def _accept(command: str, kind: str) -> Hint:
    return Hint(
        "accept", f"cavra-safety baseline {command} --reason {REASON}", f"({kind} has no comments; if harmless)"
    )


def _finding(path: str, *, commit: str | None = None, history: bool = False) -> Finding:
    made = Finding.create(RULE, path=path, line=7, column=5, secret=stripe_key(path), message="m", commit=commit)
    return replace(made, author_date="2024-01-01T00:00:00+00:00", in_head=False) if history else made


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("app/settings.py", ON_LINE_7),
        ("deploy/values.yaml", ON_LINE_7),
        (".env", ON_LINE_7),
        ("README.md", ON_LINE_7),
        ("db/seed.sql", ON_LINE_7),
        ("keys/server.pem", ON_LINE_7),
        ("tsconfig.json", ON_LINE_7),
        ("tsconfig.base.json", ON_LINE_7),
        (".vscode/settings.json", ON_LINE_7),
        (".devcontainer/devcontainer.json", ON_LINE_7),
        (
            "notebooks/explore.ipynb",
            Hint("allow", ALLOW, "(in a comment at the end of that cell line, line 7, if harmless)"),
        ),
        ("config/prod.json", _accept("update", "JSON")),
        ("config/SETTINGS.JSON", _accept("update", "JSON")),
        ("config/settings.json", _accept("update", "JSON")),
        ("data/tenants.csv", _accept("update", "CSV")),
        ("data/tenants.tsv", _accept("update", "TSV")),
        ("logs/events.jsonl", _accept("update", "JSON Lines")),
        ("static/app.js.map", _accept("update", "a source map (JSON)")),
        ("infra/terraform.tfstate", _accept("update", "Terraform state (JSON)")),
        ("composer.lock", _accept("update", "a JSON lock file")),
        ("go.sum", _accept("update", "go.sum")),
        ("docs/go.sum.md", ON_LINE_7),
    ],
)
def test_a_tree_finding_gets_a_comment_where_the_format_has_comments(path: str, expected: Hint) -> None:
    assert hint_for(_finding(path), ("update",)) == expected


@pytest.mark.parametrize("path", ["app/settings.py", "config/prod.json", "(commit message)"])
def test_a_history_finding_gets_the_history_baseline_command(path: str) -> None:
    assert hint_for(_finding(path, commit="a" * 40, history=True), ("update", "--history", "--all")) == Hint(
        "accept",
        f"cavra-safety baseline update --history --all --reason {REASON}",
        "(in a commit: no comment can change it; if harmless)",
    )


def test_a_diff_finding_stands_in_the_new_version_so_a_comment_works() -> None:
    assert hint_for(_finding("app/settings.py", commit="b" * 40), ("update",)) == ON_LINE_7


@pytest.mark.parametrize(
    ("finding", "action"),
    [
        (_finding("config/prod.json"), f"cavra-safety baseline update --reason {REASON}"),
        (_finding("x.py", history=True), f"cavra-safety baseline update --history --reason {REASON}"),
    ],
)
def test_without_the_scans_arguments_the_command_is_a_plain_update(finding: Finding, action: str) -> None:
    assert hint_for(finding).action == action


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, ("create",)),
        ({"baseline_exists": True}, ("update",)),
        ({"history": True, "baseline_exists": True}, ("update", "--history")),
        ({"history": True, "all_refs": True}, ("create", "--history", "--all")),
        ({"history": True, "branches": ("release",)}, ("create", "--history", "--all")),
        (
            {
                "baseline_exists": True,
                "config_file": Path("ci/pyproject.toml"),
                "baseline_file": Path("ci/accepted.json"),
                "policy_files": (Path("extra.toml"),),
                "no_default_policy": True,
                "excludes": ("vendor/",),
                "folder": Path("../other"),
            },
            (
                "update",
                "--config",
                "ci/pyproject.toml",
                "--baseline",
                "ci/accepted.json",
                "--policy",
                "extra.toml",
                "--no-default-policy",
                "--exclude",
                "vendor/",
                "../other",
            ),
        ),
    ],
)
def test_the_baseline_arguments_repeat_what_the_scan_was_given(
    options: dict[str, object], expected: tuple[str, ...]
) -> None:
    assert baseline_arguments(**options) == expected  # type: ignore[arg-type]


def test_the_project_folder_is_named_unless_it_is_the_working_folder(tmp_path: Path) -> None:
    (tmp_path / "repo" / "src").mkdir(parents=True)
    assert project_folder(tmp_path / "repo", tmp_path / "repo") is None
    assert project_folder(tmp_path / "repo", tmp_path) == Path("repo")
    assert project_folder(tmp_path / "repo", tmp_path / "repo" / "src") == (tmp_path / "repo").resolve()


def test_the_text_report_prints_the_hint_under_the_evidence() -> None:
    from cavra_safety.findings import ScanResult

    result = ScanResult(findings=(_finding("data/tenants.csv"),), rules=(RULE,))
    lines = REPORTERS["text"](result, RenderOptions(baseline_arguments=("create",))).splitlines()
    assert lines[0] == "data/tenants.csv"
    assert lines[4] == (
        f"       accept    cavra-safety baseline create --reason {REASON}  (CSV has no comments; if harmless)"
    )


def _suggested(out: str) -> list[str]:
    """The baseline command the report suggests, with a reason filled in (as the reader would run it)."""
    line = next(line for line in out.splitlines() if line.strip().startswith("accept "))
    command = line.strip().removeprefix("accept").strip().split("  (", 1)[0]
    words = shlex.split(command)
    assert words[:2] == ["cavra-safety", "baseline"]
    return [word if word != "<why it is harmless>" else "documented test value" for word in words[2:]]


def test_following_the_hint_for_a_json_file_accepts_its_finding(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "prod.json").write_text(json.dumps({"stripe": stripe_key("json")}) + "\n")
    code, out, _ = cli(tmp_path, "scan", ".", "--quiet", "--no-cache")
    assert code == 1
    assert _suggested(out) == ["create", "--reason", "documented test value"]
    assert cli(tmp_path, "baseline", *_suggested(out))[0] == 0
    assert cli(tmp_path, "scan", ".", "--quiet", "--no-cache")[:2] == (0, "no findings; 1 suppressed (1 baseline)\n")
    # With the baseline in place, a new value is accepted by updating it.
    (tmp_path / "data.csv").write_text("id,key\n1," + stripe_key("csv") + "\n")
    code, out, _ = cli(tmp_path, "scan", ".", "--quiet", "--no-cache")
    assert (code, _suggested(out)) == (1, ["update", "--reason", "documented test value"])


def test_following_the_hint_for_a_value_in_the_history_accepts_it(cli: Cli, repo: Repo) -> None:
    repo.commit("add", {"billing.py": f'KEY = "{stripe_key("history")}"\n'})
    repo.commit("remove", {"billing.py": None})
    code, out, _ = cli(repo.path, "scan", "--history", "--quiet", "--no-cache")
    assert code == 1
    assert _suggested(out) == ["create", "--history", "--reason", "documented test value"]
    assert cli(repo.path, "baseline", *_suggested(out))[0] == 0
    assert cli(repo.path, "scan", "--history", "--quiet", "--no-cache")[0] == 0


def test_a_scan_of_another_folder_names_it_in_the_command(cli: Cli, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "keys.csv").write_text("id,key\n1," + stripe_key("other") + "\n")
    code, out, _ = cli(tmp_path, "scan", "project", "--quiet", "--no-cache")
    assert (code, _suggested(out)) == (1, ["create", "project", "--reason", "documented test value"])
    assert cli(tmp_path, "baseline", *_suggested(out))[0] == 0
    assert cli(tmp_path, "scan", "project", "--quiet", "--no-cache")[0] == 0
