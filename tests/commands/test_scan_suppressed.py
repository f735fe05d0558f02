"""``scan``: a live key behind an allow comment and one the baseline accepts are never silent, in a tree scan,
a ``--diff`` scan and a ``--history`` scan alike: JSON lists them, SARIF carries them as suppressed results, the
text report counts them (and lists them with ``--show-suppressed``), and none of them fails the scan."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from git_repo import STRIPE_RULE, Cli, Repo, secret_line, stripe_key

SARIF_SCHEMA = Path(__file__).parents[1] / "data" / "sarif-schema-2.1.0.json"
ALLOW = "cavra" + ": allow"  # built at run time: this file holds no allow comment of its own
ACCEPTED_REASON = "revoked at Stripe on 2024-03-01"
ALLOW_REASON = "parser fixture"


def _planted(repo: Repo, cli: Cli) -> str:
    """One value accepted by the baseline, one behind an allow comment, nothing open; returns the base commit."""
    base = repo.commit("init", {"app.py": "import os\n"})
    repo.write("fixtures/accepted.py", secret_line("accepted"))
    code, _, err = cli(repo.path, "baseline", "create", "--reason", ACCEPTED_REASON)
    assert code == 0, err
    repo.commit("accepted fixture")  # the baseline file too: it is never scanned
    allowed = secret_line("allowed").rstrip("\n") + f"  # {ALLOW} {STRIPE_RULE} -- {ALLOW_REASON}\n"
    repo.commit("allowed fixture", {"allowed.py": "import os\n" + allowed})
    return base


MODES = {"tree": lambda base: [], "diff": lambda base: ["--diff", base], "history": lambda base: ["--history"]}


def _scan(cli: Cli, repo: Repo, base: str, mode: str, *argv: str) -> tuple[int, str, str]:
    return cli(repo.path, "scan", *MODES[mode](base), *argv)


@pytest.mark.parametrize("mode", list(MODES))
def test_json_lists_both_suppressions_and_the_scan_passes(repo: Repo, cli: Cli, mode: str) -> None:
    base = _planted(repo, cli)
    code, out, err = _scan(cli, repo, base, mode, "--format", "json", "--quiet")
    assert code == 0, err
    document = json.loads(out)
    assert document["findings"] == []
    assert document["summary"]["suppressed"] == {"inline": 1, "baseline": 1}
    shown = [
        (item["path"], item["line"], item["rule_id"], item["kind"], item["justification"], item["comment_line"])
        for item in document["suppressed"]
    ]
    assert shown == [
        ("allowed.py", 2, STRIPE_RULE, "inline", ALLOW_REASON, 2),
        ("fixtures/accepted.py", 1, STRIPE_RULE, "baseline", ACCEPTED_REASON, None),
    ]
    for item in document["suppressed"]:
        assert item["redacted"] == "sk_l…(32 chars)"
        assert (item["commit"] is None) is (mode == "tree")
    if mode == "history":
        allowed = document["suppressed"][0]
        assert (allowed["occurrences"], allowed["in_head"]) == (1, True)
        assert allowed["commit"] == repo.head()
    assert stripe_key("allowed") not in out and stripe_key("accepted") not in out


@pytest.mark.parametrize("mode", list(MODES))
def test_sarif_carries_them_as_suppressed_results(repo: Repo, cli: Cli, mode: str) -> None:
    base = _planted(repo, cli)
    code, out, err = _scan(cli, repo, base, mode, "--format", "sarif", "--quiet")
    assert code == 0, err
    document = json.loads(out)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(document)
    run = document["runs"][0]
    results = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in run["results"]}
    assert sorted(results) == ["allowed.py", "fixtures/accepted.py"]
    assert results["allowed.py"]["suppressions"] == [
        {
            "kind": "inSource",
            "status": "accepted",
            "justification": ALLOW_REASON,
            "location": {
                "physicalLocation": {
                    "artifactLocation": {"uri": "allowed.py", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 2},
                }
            },
        }
    ]
    assert results["fixtures/accepted.py"]["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": ACCEPTED_REASON}
    ]
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert all(rule_ids[r["ruleIndex"]] == STRIPE_RULE for r in run["results"])


@pytest.mark.parametrize("mode", list(MODES))
def test_text_counts_them_and_show_suppressed_lists_them(repo: Repo, cli: Cli, mode: str) -> None:
    base = _planted(repo, cli)
    code, out, err = _scan(cli, repo, base, mode, "--color", "never")
    assert code == 0, err
    assert out == "no findings; 2 suppressed (1 inline, 1 baseline)\n"
    assert "1 allowed inline, 1 in baseline" in err  # the summary line on stderr, as before
    code, out, _ = _scan(cli, repo, base, mode, "--color", "never", "--show-suppressed")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "suppressed 2 findings (1 inline, 1 baseline)"
    assert lines[1].startswith("  allowed.py:2:") and STRIPE_RULE in lines[1] and "[billing-secret]" in lines[1]
    assert lines[2] == f"      allowed inline (comment on line 2): {ALLOW_REASON}"
    assert lines[3].startswith("      evidence  sk_l…(32 chars)")
    assert lines[4].startswith("  fixtures/accepted.py:1:")
    assert lines[5] == f"      accepted in the baseline: {ACCEPTED_REASON}"
    assert lines[-1] == "no findings; 2 suppressed (1 inline, 1 baseline)"
    assert stripe_key("allowed")[4:] not in out and stripe_key("accepted")[4:] not in out


@pytest.mark.parametrize("mode", list(MODES))
def test_github_annotations_leave_them_out(repo: Repo, cli: Cli, mode: str) -> None:
    base = _planted(repo, cli)
    code, out, err = _scan(cli, repo, base, mode, "--format", "github", "--quiet")
    assert (code, out) == (0, ""), err


def test_an_open_finding_still_fails_beside_suppressed_ones(repo: Repo, cli: Cli) -> None:
    base = _planted(repo, cli)
    repo.commit("open", {"billing.py": secret_line("open")})
    for mode in MODES:
        code, out, _ = _scan(cli, repo, base, mode, "--format", "json", "--quiet")
        document: dict[str, Any] = json.loads(out)
        assert code == 1, mode
        assert [f["path"] for f in document["findings"]] == ["billing.py"]
        assert len(document["suppressed"]) == 2


def test_no_baseline_reports_the_accepted_value_again(repo: Repo, cli: Cli) -> None:
    base = _planted(repo, cli)
    code, out, _ = _scan(cli, repo, base, "tree", "--format", "json", "--quiet", "--no-baseline")
    document = json.loads(out)
    assert code == 1
    assert [f["path"] for f in document["findings"]] == ["fixtures/accepted.py"]
    assert [(s["path"], s["kind"]) for s in document["suppressed"]] == [("allowed.py", "inline")]


def test_a_value_allowed_in_many_commits_is_listed_once_at_its_first(repo: Repo, cli: Cli) -> None:
    allowed = secret_line("many").rstrip("\n") + f"  # {ALLOW} {STRIPE_RULE} -- {ALLOW_REASON}\n"
    first = repo.commit("first", {"a.py": allowed})
    repo.commit("copy", {"b.py": allowed})
    repo.commit("remove the first", {"a.py": None})
    code, out, err = cli(repo.path, "scan", "--history", "--format", "json", "--quiet")
    assert code == 0, err
    (item,) = json.loads(out)["suppressed"]
    assert (item["path"], item["commit"], item["occurrences"], item["in_head"]) == ("a.py", first, 2, True)
    assert item["author_date"] == repo.author_date(first)
