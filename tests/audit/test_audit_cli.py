"""``cavra-safety audit``: rows, verdict and exit code on real repositories with planted findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from audit_repo import STRIPE_RULE, TENANT_RULE, Cli, Repo, accept_aws, planted, stripe_line

CATEGORY_IDS = [
    "tenant-record",
    "tenant-id",
    "billing-secret",
    "license-key",
    "private-policy-pack",
    "connector-credential",
    "provider-url",
    "webhook-secret",
    "saas-backend-source",
    "enterprise-implementation",
]


def _rows(document: dict[str, Any]) -> dict[str, tuple[str, int, int, int]]:
    return {
        row["id"]: (row["verdict"], row["counts"]["tree"], row["counts"]["history_only"], row["counts"]["accepted"])
        for row in document["categories"]
    }


def test_planted_findings_give_the_right_rows_verdict_and_exit_code(repo: Repo, cli: Cli) -> None:
    commits = planted(repo)
    accept_aws(cli, repo)
    code, document = cli.report(repo.path)
    assert (code, document["verdict"]) == (1, "fail")
    rows = _rows(document)
    assert rows["tenant-id"] == ("fail", 1, 0, 0)
    assert rows["billing-secret"] == ("fail", 0, 1, 0)
    assert rows["connector-credential"] == ("pass", 0, 0, 1)
    assert rows["webhook-secret"] == ("fail", 1, 0, 0)
    for quiet in set(CATEGORY_IDS) - {"tenant-id", "billing-secret", "connector-credential", "webhook-secret"}:
        assert rows[quiet] == ("pass", 0, 0, 0), quiet
    assert [row["id"] for row in document["categories"]] == CATEGORY_IDS
    by_rule = {f["rule_id"]: f for f in document["findings"]}
    stripe = by_rule[STRIPE_RULE]
    assert (stripe["location"], stripe["status"], stripe["path"], stripe["line"]) == (
        "history",
        "open",
        "billing.py",
        2,
    )
    assert (stripe["commit"], stripe["in_head"]) == (commits["stripe"], False)
    assert "Rotate" in stripe["fix"] and "owner's call" in stripe["fix"]
    tenant = by_rule[TENANT_RULE]
    assert (tenant["location"], tenant["path"], tenant["commit"]) == ("tree", "settings.py", commits["tenant"])
    webhook = by_rule["policy/slack-webhook-url"]
    assert (webhook["location"], webhook["commit"], webhook["occurrences"]) == ("tree", None, 0)
    accepted = by_rule["secret/aws-access-key"]
    assert accepted["status"] == "accepted"
    assert accepted["accepted_reason"] == "rotated in 2023; kept as a parser fixture"
    (row,) = [r for r in document["categories"] if r["id"] == "connector-credential"]
    assert [(a["path"], a["reason"]) for a in row["accepted"]] == [
        ("fixtures/aws.py", "rotated in 2023; kept as a parser fixture")
    ]
    assert document["summary"] == {
        "categories_failing": 3,
        "open": 3,
        "accepted": 1,
        "allowed": 0,
        "allowed_without_reason": 0,
    }


def test_identity_and_scope(repo: Repo, cli: Cli) -> None:
    commits = planted(repo)
    repo.write("logo.png", "")
    (repo.path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    _, document = cli.report(repo.path)
    head = document["repository"]["head"]
    assert document["repository"]["name"] == "public-repo"
    assert (head["commit"], head["branch"]) == (commits["aws"], "main")
    assert document["repository"]["uncommitted_changes"] is True  # notify.py and logo.png are untracked
    assert document["tool"]["name"] == "cavra-safety"
    assert {pack["name"] for pack in document["policy_packs"]} >= {"cavra-community-core"}
    assert all(len(pack["sha256"]) == 64 for pack in document["policy_packs"])
    scope = document["scope"]
    assert scope["history"]["commits_scanned"] == 5
    assert scope["tree"]["files_scanned"] == 5  # app.py, billing.py, settings.py, fixtures/aws.py, notify.py
    assert [s["path"] for s in scope["tree"]["files_skipped"]] == ["logo.png"]
    assert scope["tree"]["files_skipped"][0]["reason"].startswith("binary")
    rules = {row["id"]: [rule["rule_id"] for rule in row["rules"]] for row in document["categories"]}
    assert STRIPE_RULE in rules["billing-secret"] and TENANT_RULE in rules["tenant-id"]
    assert all(rules[category] for category in CATEGORY_IDS), "every category is covered by some rule"


@pytest.mark.parametrize(
    "files",
    [
        {"app.py": "import os\nKEY = os.environ['STRIPE_KEY']\n"},
        {"README.md": 'Set tenant_id = "<tenant-id>" in your config.\n'},
    ],
)
def test_a_clean_repository_passes(repo: Repo, cli: Cli, files: dict[str, str]) -> None:
    repo.commit("clean", dict(files))
    code, document = cli.report(repo.path)
    assert (code, document["verdict"], document["findings"]) == (0, "pass", [])
    assert all(row["verdict"] == "pass" for row in document["categories"])


def test_a_history_finding_accepted_in_the_baseline_passes(repo: Repo, cli: Cli) -> None:
    repo.commit("add", {"billing.py": stripe_line("old")})
    repo.commit("remove", {"billing.py": "x = 1\n"})
    code, document = cli.report(repo.path)
    assert code == 1
    (finding,) = document["findings"]
    entry = {key: finding[key] for key in ("path", "rule_id", "category", "fingerprint")}
    repo.write(
        ".cavra-safety-baseline.json",
        json.dumps(
            {"version": 1, "generated_by": "cavra-safety", "entries": [{**entry, "reason": "revoked at Stripe"}]}
        ),
    )
    code, document = cli.report(repo.path)
    assert (code, document["verdict"]) == (0, "pass")
    assert _rows(document)["billing-secret"] == ("pass", 0, 0, 1)
    assert document["findings"][0]["location"] == "history"
    # --no-baseline: the same finding counts again.
    code, document = cli.report(repo.path, "--no-baseline")
    assert (code, _rows(document)["billing-secret"]) == (1, ("fail", 0, 1, 0))


def test_config_filters_do_not_weaken_an_audit(repo: Repo, cli: Cli) -> None:
    pyproject = '[tool.cavra-safety]\ndisable-rules = ["policy/stripe-live-secret-key"]\ncategories = ["tenant-id"]\n'
    repo.commit("add", {"pyproject.toml": pyproject, "billing.py": stripe_line("filtered")})
    code, document = cli.report(repo.path)
    assert code == 1
    assert STRIPE_RULE in {f["rule_id"] for f in document["findings"]}


def test_an_empty_repository_passes_with_no_commits(repo: Repo, cli: Cli) -> None:
    code, document = cli.report(repo.path)
    assert (code, document["verdict"]) == (0, "pass")
    assert document["repository"]["head"] == {"commit": None, "ref": None, "branch": "main", "date": None}
    assert document["scope"]["history"]["commits_scanned"] == 0


def test_path_argument_and_run_alias(repo: Repo, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796312000")  # one clock for both runs
    repo.commit("add", {"billing.py": stripe_line("alias")})
    code_a, out_a, _ = cli(tmp_path, "audit", str(repo.path), "--format", "json", "-q")
    code_b, out_b, _ = cli(tmp_path, "audit", "run", str(repo.path), "--format", "json", "-q")
    assert (code_a, code_b) == (1, 1)
    assert out_a == out_b  # deterministic at one SOURCE_DATE_EPOCH


def test_not_a_repository_is_a_user_error(tmp_path: Path, cli: Cli) -> None:
    folder = tmp_path / "plain"
    folder.mkdir()
    code, _, err = cli(folder, "audit")
    assert code == 2
    assert "not inside a git repository" in err


@pytest.mark.parametrize(
    ("name", "chosen", "starts"),
    [
        ("audit.json", None, "{"),
        ("audit.html", None, "<!DOCTYPE html>"),
        ("audit.md", None, "# Public-safety audit"),
        ("audit.txt", None, "# Public-safety audit"),
        ("audit.txt", "html", "<!DOCTYPE html>"),
    ],
)
def test_report_files_take_their_format_from_the_suffix(
    repo: Repo, cli: Cli, name: str, chosen: str | None, starts: str
) -> None:
    repo.commit("clean", {"app.py": "x = 1\n"})
    target = repo.path.parent / name
    code, out, err = cli(repo.path, "audit", "--report", str(target), *(["--format", chosen] if chosen else []))
    assert code == 0 and out == ""
    assert target.read_text(encoding="utf-8").startswith(starts)
    assert f"wrote {target}" in err
    assert "cavra-safety audit: PASS" in err
    assert "digest sha256:" in err


def test_one_run_writes_several_reports_with_one_digest(repo: Repo, cli: Cli) -> None:
    repo.commit("add", {"billing.py": stripe_line("several")})
    out = repo.path.parent
    code, _, err = cli(
        repo.path,
        "audit",
        "--report",
        str(out / "a.json"),
        "--report",
        str(out / "a.html"),
        "--report",
        str(out / "a.md"),
    )
    assert code == 1
    digest = json.loads((out / "a.json").read_text(encoding="utf-8"))["digest"]
    assert digest in (out / "a.html").read_text(encoding="utf-8")
    assert digest in (out / "a.md").read_text(encoding="utf-8")
    assert f"digest {digest}" in err


def test_help_shows_both_forms(cli: Cli, tmp_path: Path) -> None:
    code, out, _ = cli(tmp_path, "audit", "--help")
    assert code == 0
    assert "audit [PATH]" in out and "verify REPORT.json" in out
    code, out, _ = cli(tmp_path, "--help")
    assert "audit" in out


def test_an_unwritable_report_is_a_user_error(repo: Repo, cli: Cli) -> None:
    repo.commit("clean", {"app.py": "x = 1\n"})
    code, _, err = cli(repo.path, "audit", "--report", str(repo.path / "missing" / "a.json"))
    assert code == 2 and "cannot write" in err
