"""``cavra-safety policy list|show|check|hash-values`` through click's test runner: exit codes and output."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from policy.pack_fixtures import gizmo_rule, pack_text, widget_record_rule, write_pack

from cavra_safety.cli import main
from cavra_safety.commands.policy import policy as policy_group
from cavra_safety.errors import UserError


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Like ``cli.main``: the command's return value is the exit code, a ``UserError`` is exit 2."""
    result = CliRunner().invoke(policy_group, list(args), input=stdin, standalone_mode=False)
    if isinstance(result.exception, UserError):
        return 2, result.stdout, str(result.exception)
    assert result.exception is None, repr(result.exception)
    return result.return_value, result.stdout, result.stderr


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    return write_pack(
        tmp_path,
        "fixture.toml",
        pack_text(
            rules=[
                gizmo_rule(**{"stop-words": ["demo"], "min-length": 8}),
                widget_record_rule(severity="medium"),
                gizmo_rule(id="another-gizmo", category="billing-secret", severity="critical", title="Another gizmo"),
            ]
        ),
    )


def test_list_text_is_sorted_and_aligned(pack: Path) -> None:
    code, stdout, _ = run("list", "--policy-only", "--no-default-policy", "--policy", str(pack))
    assert code == 0
    assert stdout == (
        "policy/another-gizmo  billing-secret  critical  Another gizmo\n"
        "policy/gizmo-code     license-key     high      Gizmo code\n"
        "policy/widget-record  tenant-record   medium    Widget record\n"
    )


def test_list_json(pack: Path) -> None:
    code, stdout, _ = run("list", "--policy-only", "--format", "json", "--no-default-policy", "--policy", str(pack))
    assert code == 0
    rows = json.loads(stdout)["rules"]
    assert [row["rule_id"] for row in rows] == ["policy/another-gizmo", "policy/gizmo-code", "policy/widget-record"]
    assert rows[1] == {
        "rule_id": "policy/gizmo-code",
        "category": "license-key",
        "severity": "high",
        "title": "Gizmo code",
    }


def test_list_reads_policies_from_the_config_file(pack: Path, tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text(
        f'[tool.cavra-safety]\ndefault-policy = false\npolicies = ["{pack.name}"]\n'
        'disable-rules = ["policy/another-gizmo"]\n',
        encoding="utf-8",
    )
    code, stdout, _ = run("list", "--policy-only", "--config", str(config))
    assert code == 0
    assert [line.split()[0] for line in stdout.splitlines()] == ["policy/gizmo-code", "policy/widget-record"]


def test_list_default_policy() -> None:
    code, stdout, _ = run("list", "--policy-only")
    assert code == 0
    ids = [line.split()[0] for line in stdout.splitlines()]
    assert ids and ids == sorted(ids) and all(rule_id.startswith("policy/") for rule_id in ids)


def test_list_shows_every_rule_a_scan_runs_by_default() -> None:
    code, stdout, _ = run("list")
    assert code == 0
    ids = [line.split()[0] for line in stdout.splitlines()]
    assert ids == sorted(ids)
    assert {rule_id.split("/")[0] for rule_id in ids} == {"policy", "secret", "python"}
    assert {"secret/aws-access-key", "python/tenant-id-binding", "policy/tenant-id-value"} <= set(ids)


def test_list_honours_disabled_rules_of_every_detector(tmp_path: Path) -> None:
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.cavra-safety]\ndisable-rules = ["secret/aws-access-key"]\n', encoding="utf-8")
    code, stdout, _ = run("list", "--config", str(config))
    assert code == 0
    ids = [line.split()[0] for line in stdout.splitlines()]
    assert "secret/aws-access-key" not in ids and "secret/stripe-key" in ids


@pytest.mark.parametrize("rule_id", ["policy/gizmo-code", "gizmo-code"])
def test_show_everything_about_a_rule(pack: Path, rule_id: str) -> None:
    code, stdout, _ = run("show", rule_id, "--no-default-policy", "--policy", str(pack))
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0] == "policy/gizmo-code"
    for expected in (
        "title: Gizmo code",
        "category: license-key (License key)",
        "severity: high",
        "kind: regex",
        "keywords: gizmo",
        '  gizmo_code\\s*=\\s*"(?P<secret>[^"]*)"',
        "stop-words: demo",
        "min-length: 8",
        "examples:",
        "  'gizmo_code = \"GZ7q2LmP9x\"'",
        "negative-examples:",
        f"pack: fixture-pack ({pack.as_posix()})",
    ):
        assert expected in lines, (expected, lines)


def test_show_record_rule(pack: Path) -> None:
    code, stdout, _ = run("show", "widget-record", "--no-default-policy", "--policy", str(pack))
    assert code == 0
    assert "kind: record" in stdout and "identifier-keys: widget_id, widgetid" in stdout
    assert "min-companions: 1" in stdout and "window: 10" in stdout


def test_show_unknown_rule_names_close_matches(pack: Path) -> None:
    code, _, message = run("show", "gizmo-cod", "--no-default-policy", "--policy", str(pack))
    assert code == 2
    assert message == "unknown rule 'gizmo-cod' (did you mean policy/gizmo-code?)"


def test_show_and_exit_code_through_main(pack: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policy", "show", "nothing-like-it", "--no-default-policy", "--policy", str(pack)]) == 2
    assert capsys.readouterr().err == "cavra-safety: error: unknown rule 'nothing-like-it'\n"
    assert main(["policy", "show", "gizmo-code", "--no-default-policy", "--policy", str(pack)]) == 0


def test_check_good_pack(pack: Path) -> None:
    code, stdout, _ = run("check", str(pack))
    assert code == 0
    assert stdout == f"{pack}: ok (3 rules, 0 deny-lists, 6 examples)\n"


def test_check_reports_every_problem_of_every_file(tmp_path: Path, pack: Path) -> None:
    broken = write_pack(
        tmp_path,
        "broken.toml",
        pack_text(
            rules=[gizmo_rule(id="bad-regex", patterns=["gizmo(x"]), gizmo_rule(id="bad-severity", severity="urgent")]
        ),
    )
    failing = write_pack(
        tmp_path,
        "failing.toml",
        pack_text(
            "failing",
            rules=[
                gizmo_rule(
                    examples=['gizmo_code = "<placeholder>"', 'code = "GZ7q2LmP9x"'],
                    **{"negative-examples": ['gizmo_code = "GZ7q2LmP9x"']},
                )
            ],
        ),
    )
    code, stdout, _ = run("check", str(pack), str(broken), str(failing), str(tmp_path / "absent.toml"))
    assert code == 2
    source = failing.as_posix()
    assert stdout.splitlines() == [
        f"{pack}: ok (3 rules, 0 deny-lists, 6 examples)",
        f"{broken}: 2 problems",
        f'  {broken.as_posix()}: rule "bad-regex": patterns[0]: invalid regex: missing ): gizmo(x',
        f"  {broken.as_posix()}: rule \"bad-severity\": severity: unknown severity 'urgent' "
        "(valid: low, medium, high, critical)",
        f"{failing}: 3 problems",
        f'  {source}: rule "gizmo-code": examples[0]: expected a finding of policy/gizmo-code, got none '
        "(scanned as example.txt)",
        f'  {source}: rule "gizmo-code": examples[1]: contains none of the keywords (gizmo), so the rule never '
        "runs on it",
        f'  {source}: rule "gizmo-code": negative-examples[0]: expected no finding of policy/gizmo-code, got one '
        "at line 1 column 15 (scanned as example.txt)",
        f"{tmp_path / 'absent.toml'}: 1 problem",
        f"  {(tmp_path / 'absent.toml').as_posix()}: cannot read policy pack: No such file or directory",
    ]


def test_check_needs_a_file() -> None:
    result = CliRunner().invoke(policy_group, ["check"], standalone_mode=False)
    assert isinstance(result.exception, click.UsageError) and "files" in str(result.exception)


def test_hash_values_prints_a_block(tmp_path: Path) -> None:
    value = "acme-" + "prod-" + "7731"
    code, stdout, stderr = run("hash-values", "--category", "tenant-id", stdin=f"{value}\n")
    assert code == 0 and value not in stdout + stderr
    assert stdout.startswith('[[denylist]]\nid = "known-tenant-id"\ncategory = "tenant-id"\nseverity = "high"\n')


@pytest.mark.parametrize("rule_id", ["secret/aws-access-key", "python/tenant-id-binding"])
def test_show_a_rule_of_the_secrets_or_python_detector(rule_id: str) -> None:
    code, stdout, _ = run("show", rule_id)
    assert code == 0
    assert stdout.startswith(f"{rule_id}: ")
    assert "category: " in stdout and "severity: " in stdout
