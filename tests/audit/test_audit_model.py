"""Assembling the report from scans: locations, baseline, rows, verdict, fixes. Pure (no git)."""

from __future__ import annotations

import pytest
from audit_samples import AWS, COMMIT_A, HOSTILE_PATH, IMPORT, STRIPE, TENANT, busy, finding, sample

from cavra_safety.audit.model import Location, Status, Verdict
from cavra_safety.audit.remedies import history_fix, tree_fix
from cavra_safety.findings import Category


def test_a_report_without_findings_passes_with_every_category() -> None:
    report = sample()
    assert report.verdict is Verdict.PASS
    assert [row.category for row in report.categories] == list(Category)
    assert all(not row.failing for row in report.categories)


def test_locations_statuses_and_rows() -> None:
    report = busy()
    rows = {row.category: (row.tree, row.history_only, row.accepted) for row in report.categories}
    assert rows[Category.TENANT_ID] == (1, 0, 0)  # in the tree and the history: counted once, in the tree
    assert rows[Category.BILLING_SECRET] == (0, 1, 0)
    assert rows[Category.CONNECTOR_CREDENTIAL] == (1, 0, 1)
    assert report.verdict is Verdict.FAIL
    tenant = report.findings_of(Category.TENANT_ID)[0]
    assert (tenant.location, tenant.commit, tenant.occurrences) == (Location.TREE, COMMIT_A, 2)
    stripe = report.findings_of(Category.BILLING_SECRET)[0]
    assert (stripe.location, stripe.in_head, stripe.status) == (Location.HISTORY, False, Status.OPEN)
    accepted = [f for f in report.findings if f.status is Status.ACCEPTED]
    assert [(f.path, f.accepted_reason) for f in accepted] == [("fixtures/aws.py", "rotated; parser fixture")]
    assert report.scope.commits_scanned == 4
    assert report.scope.settings.baseline_file == ".cavra-safety-baseline.json"


def test_a_category_whose_findings_are_all_accepted_passes() -> None:
    gone = finding(STRIPE, "billing.py", "gone", commit=COMMIT_A, in_head=False)
    report = sample(history=(gone,), accepted=((gone, "revoked"),))
    assert report.verdict is Verdict.PASS
    (row,) = [r for r in report.categories if r.category is Category.BILLING_SECRET]
    assert (row.tree, row.history_only, row.accepted, row.failing) == (0, 0, 1, False)


def test_a_stale_baseline_entry_is_counted() -> None:
    report = sample(accepted=((finding(AWS, "old.py", "old"), "long gone"),))
    assert (report.scope.settings.baseline_entries, report.scope.settings.baseline_stale) == (1, 1)


def test_a_different_value_at_an_accepted_place_is_still_open() -> None:
    accepted = finding(AWS, "fixtures/aws.py", "fixture")
    report = sample(tree=(finding(AWS, "fixtures/aws.py", "another"),), accepted=((accepted, "ok"),))
    assert report.verdict is Verdict.FAIL


def test_rules_are_listed_per_category_with_titles() -> None:
    rows = {row.category: row for row in sample().categories}
    assert [rule.rule_id for rule in rows[Category.CONNECTOR_CREDENTIAL].rules] == [AWS.rule_id]
    assert rows[Category.TENANT_ID].title == "Production tenant IDs"  # from the policy
    assert rows[Category.LICENSE_KEY].title == "License keys"  # fallback when no pack titles it
    assert rows[Category.LICENSE_KEY].rules == ()


def test_paths_stay_as_found() -> None:
    paths = {f.path for f in busy().findings}
    assert HOSTILE_PATH in paths


@pytest.mark.parametrize(
    ("category", "expected", "absent"),
    [
        (Category.BILLING_SECRET, "Rotate it now", "data owner"),
        (Category.CONNECTOR_CREDENTIAL, "Rotate it now", "data owner"),
        (Category.WEBHOOK_SECRET, "Rotate it now", "data owner"),
        (Category.TENANT_ID, "data owner", "Rotate it now"),
        (Category.TENANT_RECORD, "data owner", "Rotate it now"),
        (Category.SAAS_BACKEND_SOURCE, "tell its owner", "Rotate it now"),
        (Category.ENTERPRISE_IMPLEMENTATION, "tell its owner", "Rotate it now"),
    ],
)
def test_history_fixes_fit_the_category(category: Category, expected: str, absent: str) -> None:
    fix = history_fix(category, COMMIT_A)
    assert expected in fix and absent not in fix
    assert "owner's call" in fix and COMMIT_A[:12] in fix


@pytest.mark.parametrize(
    ("category", "commit", "rotate"),
    [
        (Category.BILLING_SECRET, None, False),
        (Category.BILLING_SECRET, COMMIT_A, True),
        (Category.SAAS_BACKEND_SOURCE, COMMIT_A, False),
    ],
)
def test_tree_fixes_add_rotation_once_committed(category: Category, commit: str | None, rotate: bool) -> None:
    fix = tree_fix(category, "Remove it.", commit)
    assert fix.startswith("Remove it.")
    assert ("rotate it" in fix) is rotate
    assert ("owner's call" in fix) is (commit is not None)


def test_an_unused_rule_category_still_has_its_row() -> None:
    (row,) = [r for r in sample().categories if r.category is Category.SAAS_BACKEND_SOURCE]
    assert [rule.rule_id for rule in row.rules] == [IMPORT.rule_id]
    assert TENANT.category is Category.TENANT_ID
