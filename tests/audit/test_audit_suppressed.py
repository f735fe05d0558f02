"""The audit lists every suppression: each inline allow and each accepted baseline entry, per category, with its
place, rule, kind, reason and redacted evidence; the verdict and the rows say how many were waved through; an allow
without a reason is flagged (it does not fail the verdict)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from audit_repo import STRIPE_RULE, Cli, Repo, accept_aws, aws_key, stripe_key, stripe_line
from audit_samples import AWS, COMMIT_A, ROOT, RULES, STRIPE, finding, identity

from cavra_safety.audit import FORMATS, compute_digest, to_document, verify_document
from cavra_safety.audit.assemble import Scans, assemble
from cavra_safety.audit.model import AuditReport, Location, Status, Verdict
from cavra_safety.config import Config
from cavra_safety.findings import Category, Finding, ScanResult, Suppressed, SuppressionKind
from cavra_safety.policy import Policy

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "audit-report.schema.json"
ALLOW = "cavra" + ": allow"  # built at run time: this file holds no allow comment of its own
ALLOW_REASON = "parser fixture"
ACCEPTED_REASON = "rotated in 2023; kept as a parser fixture"


def _allowed_line(seed: str, reason: str | None) -> str:
    comment = f"{ALLOW} {STRIPE_RULE}" + (f" -- {reason}" if reason else "")
    return stripe_line(seed).rstrip("\n") + f"  # {comment}\n"


def _waved_through(repo: Repo, cli: Cli) -> dict[str, str]:
    """Nothing open: an AWS key the baseline accepts, a Stripe key allowed with a reason in the tree, and one
    allowed without a reason that only the history still holds."""
    commits = {"init": repo.commit("init", {"app.py": "import os\n"})}
    commits["aws"] = repo.commit("fixture", {"fixtures/aws.py": f'AWS_ACCESS_KEY_ID = "{aws_key("accepted")}"\n'})
    accept_aws(cli, repo, ACCEPTED_REASON)
    commits["unexplained"] = repo.commit("no reason", {"old.py": _allowed_line("unexplained", None)})
    commits["removed"] = repo.commit("remove", {"old.py": None})
    commits["allowed"] = repo.commit("allowed", {"billing_test.py": _allowed_line("allowed", ALLOW_REASON)})
    return commits


def _report(cli: Cli, repo: Repo, tmp_path: Path) -> tuple[int, dict[str, Path], str]:
    out = tmp_path / "reports"
    out.mkdir()
    files = {name: out / f"audit.{suffix}" for name, suffix in (("json", "json"), ("md", "md"), ("html", "html"))}
    args = [part for target in files.values() for part in ("--report", str(target))]
    code, _, err = cli(repo.path, "audit", *args)
    return code, files, err


def test_every_suppression_is_listed_and_the_verdict_says_how_many(repo: Repo, cli: Cli, tmp_path: Path) -> None:
    commits = _waved_through(repo, cli)
    code, files, err = _report(cli, repo, tmp_path)
    assert code == 0  # nothing open: suppressions never fail the verdict
    document = json.loads(files["json"].read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))).validate(document)
    assert verify_document(document).ok
    assert document["verdict"] == "pass"
    assert document["summary"] == {
        "categories_failing": 0,
        "open": 0,
        "accepted": 1,
        "allowed": 2,
        "allowed_without_reason": 1,
    }
    listed = {
        (f["status"], f["location"], f["path"], f["line"], f["commit"], f["allow_reason"], f["allow_line"])
        for f in document["findings"]
    }
    assert listed == {
        ("accepted", "tree", "fixtures/aws.py", 1, commits["aws"], None, None),
        ("allowed", "tree", "billing_test.py", 1, commits["allowed"], ALLOW_REASON, 1),
        ("allowed", "history", "old.py", 1, commits["unexplained"], "", 1),
    }
    rows = {row["id"]: row for row in document["categories"]}
    billing = rows["billing-secret"]
    assert billing["verdict"] == "pass"
    assert billing["counts"] == {
        "tree": 0,
        "history_only": 0,
        "accepted": 0,
        "allowed": 2,
        "allowed_without_reason": 1,
    }
    assert [(a["path"], a["location"], a["reason"], a["comment_line"]) for a in billing["allowed"]] == [
        ("old.py", "history", "", 1),
        ("billing_test.py", "tree", ALLOW_REASON, 1),
    ]
    assert rows["connector-credential"]["counts"]["accepted"] == 1
    assert "PASS (3 suppressed: 2 inline, 1 baseline)" in err
    assert "0 open findings, 1 accepted, 2 allowed inline" in err
    assert "needs attention: 1 inline allow gives no reason" in err

    md = files["md"].read_text(encoding="utf-8")
    assert "**Verdict: PASS (3 suppressed: 2 inline, 1 baseline)**" in md
    assert "⚠️ **Needs attention**: 1 allow gives no reason" in md
    assert f"`old.py:1` in commit `{commits['unexplained'][:12]}`" in md
    assert "allowed inline (comment on line 1)" in md
    assert f"Allowed because: {ALLOW_REASON}" in md
    assert "Allowed because: (no reason given) ⚠️ needs attention" in md
    assert "Accepted because: rotated in 2023; kept as a parser fixture" in md
    (row,) = [line for line in md.splitlines() if line.startswith("| Billing")]
    assert "| ✅ pass ⚠️ 1 allow without a reason |" in row and row.endswith("| 0 | 0 | 0 | 2 |")

    html = files["html"].read_text(encoding="utf-8")
    assert "Verdict: PASS (3 suppressed: 2 inline, 1 baseline)." in html
    assert "Needs attention:" in html and "(no reason given)" in html
    assert html.count('<article class="allowed">') == 1 and html.count('<article class="attention">') == 1
    assert html.count('<article class="accepted">') == 1

    for path in files.values():
        text = path.read_text(encoding="utf-8")
        for secret in (stripe_key("allowed"), stripe_key("unexplained"), aws_key("accepted")):
            assert secret[4:] not in text, path.name
        assert "sk_l…(32 chars)" in text


def test_an_allowed_live_key_beside_an_open_finding_still_fails(repo: Repo, cli: Cli) -> None:
    repo.commit("allowed", {"billing_test.py": _allowed_line("allowed", ALLOW_REASON)})
    repo.commit("open", {"billing.py": stripe_line("open")})
    code, document = cli.report(repo.path)
    assert (code, document["verdict"]) == (1, "fail")
    statuses = [(f["status"], f["path"]) for f in document["findings"]]
    assert statuses == [("open", "billing.py"), ("allowed", "billing_test.py")]  # open first
    code, out, err = cli(repo.path, "audit")
    assert code == 1
    assert "FAIL (billing-secret; 1 suppressed: 1 inline)" in err
    assert out.startswith("# Public-safety audit of `public-repo`: FAIL")


def test_a_clean_repository_reads_as_before(repo: Repo, cli: Cli) -> None:
    repo.commit("clean", {"app.py": "x = 1\n"})
    code, out, err = cli(repo.path, "audit")
    assert code == 0
    assert "**Verdict: PASS**: no category has an unaccepted finding." in out
    assert "Needs attention" not in out and "suppressed" not in err


# --- the model, without git ---------------------------------------------------------------------------------


def _inline(item: Finding, reason: str = "fixture", line: int | None = None) -> Suppressed:
    return Suppressed(item, SuppressionKind.INLINE, reason, line or item.line)


def _assemble(
    tree: tuple[Finding, ...] = (),
    history: tuple[Finding, ...] = (),
    tree_allowed: tuple[Suppressed, ...] = (),
    history_allowed: tuple[Suppressed, ...] = (),
) -> AuditReport:
    scans = Scans(
        tree=ScanResult(findings=tree, rules=RULES, suppressed=tree_allowed),
        history=ScanResult(findings=history, rules=RULES, suppressed=history_allowed),
        commits=2,
    )
    return assemble(identity(), scans, Policy(), Config(root=ROOT), None)


def test_an_allowed_tree_value_folds_its_history_and_is_dated_by_it() -> None:
    in_tree = finding(STRIPE, "billing.py", "kept", line=3)
    in_history = finding(STRIPE, "billing.py", "kept", line=3, commit=COMMIT_A, in_head=True)
    report = _assemble(tree_allowed=(_inline(in_tree),), history_allowed=(_inline(in_history),))
    (item,) = report.findings
    assert (item.status, item.location, item.commit, item.allow_reason, item.allow_line) == (
        Status.ALLOWED,
        Location.TREE,
        COMMIT_A,
        "fixture",
        3,
    )
    assert report.verdict is Verdict.PASS
    assert report.suppressed_summary == "1 suppressed: 1 inline"


def test_a_value_added_openly_then_allowed_is_one_allowed_tree_item() -> None:
    """Committed without an allow, allowed later: the tree's allow covers the value the history met."""
    in_tree = finding(STRIPE, "billing.py", "later", line=3)
    committed = finding(STRIPE, "billing.py", "later", line=3, commit=COMMIT_A, in_head=True)
    report = _assemble(tree_allowed=(_inline(in_tree),), history=(committed,))
    (item,) = report.findings
    assert (item.status, item.location, item.commit) == (Status.ALLOWED, Location.TREE, COMMIT_A)


def test_a_history_only_value_both_open_and_allowed_is_listed_twice_and_fails() -> None:
    opened = finding(AWS, "a.py", "twice", commit=COMMIT_A, in_head=False)
    allowed = finding(AWS, "b.py", "twice", commit="b" * 40, in_head=False)
    report = _assemble(history=(opened,), history_allowed=(_inline(allowed, ""),))
    assert [(f.status, f.path) for f in report.findings] == [(Status.OPEN, "a.py"), (Status.ALLOWED, "b.py")]
    assert report.verdict is Verdict.FAIL
    assert [f.path for f in report.needing_attention] == ["b.py"]
    (row,) = [r for r in report.categories if r.category is Category.CONNECTOR_CREDENTIAL]
    assert (row.history_only, row.allowed, row.unexplained) == (1, 1, 1)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_shows_the_reason_or_its_absence(name: str) -> None:
    report = _assemble(
        tree_allowed=(
            _inline(finding(STRIPE, "a.py", "one"), "documented sample"),
            _inline(finding(STRIPE, "b.py", "two"), "  "),
        )
    )
    rendered = FORMATS[name](report)
    assert "documented sample" in rendered
    if name == "json":
        allow_reasons = sorted(f["allow_reason"] for f in json.loads(rendered)["findings"])
        assert allow_reasons == ["", "documented sample"]
    else:
        assert "(no reason given)" in rendered and "Needs attention" in rendered
        assert "2 suppressed: 2 inline" in rendered


# --- audit verify ------------------------------------------------------------------------------------------


def _document() -> dict[str, Any]:
    report = _assemble(
        tree=(finding(AWS, "open.py", "open"),),
        tree_allowed=(_inline(finding(STRIPE, "a.py", "one"), "sample"), _inline(finding(STRIPE, "b.py", "two"), "")),
    )
    return to_document(report)


def _recomputed(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    document = _document()
    change(document)
    document["digest"] = compute_digest(document)
    return document


def test_the_digest_covers_the_suppressions() -> None:
    document = _document()
    assert verify_document(document).ok
    allowed = next(f for f in document["findings"] if f["status"] == "allowed")
    allowed["allow_reason"] = "approved by security"
    outcome = verify_document(document)
    assert not outcome.ok and "digest mismatch" in outcome.problems[0]


def _hide_allowed(document: dict[str, Any]) -> None:
    document["findings"] = [f for f in document["findings"] if f["status"] != "allowed"]


def _hide_missing_reason(document: dict[str, Any]) -> None:
    for f in document["findings"]:
        if f["status"] == "allowed":
            f["allow_reason"] = f["allow_reason"] or "looks fine"


def _allowed_as_open(document: dict[str, Any]) -> None:
    for f in document["findings"]:
        if f["status"] == "open":
            f["status"] = "allowed"


@pytest.mark.parametrize(
    "change",
    [_hide_allowed, _hide_missing_reason, _allowed_as_open],
    ids=["allowed-removed", "missing-reason-filled-in", "open-relabelled-allowed"],
)
def test_a_recomputed_digest_still_fails_when_the_rows_no_longer_follow(change: Callable[[Any], None]) -> None:
    outcome = verify_document(_recomputed(change))
    assert not outcome.ok
    assert any("do not match its findings" in problem for problem in outcome.problems)


def test_a_report_written_before_allows_were_listed_still_verifies() -> None:
    """Version-1 reports from before this change have no allowed counts (and no allowed findings)."""
    report = _assemble(tree=(finding(AWS, "open.py", "open"),))
    document = to_document(report)
    for row in document["categories"]:
        del row["allowed"], row["counts"]["allowed"], row["counts"]["allowed_without_reason"]
    for item in document["findings"]:
        del item["allow_reason"], item["allow_line"]
    del document["summary"]["allowed"], document["summary"]["allowed_without_reason"]
    document["digest"] = compute_digest(document)
    assert verify_document(document).ok
