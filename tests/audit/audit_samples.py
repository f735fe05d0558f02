"""Audit reports assembled from hand-made scan results (no git), for the model and renderer tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cavra_safety.audit.assemble import Scans, assemble
from cavra_safety.audit.model import AuditReport, Identity, PackRef
from cavra_safety.baseline import Baseline, BaselineEntry
from cavra_safety.config import Config
from cavra_safety.findings import Category, Finding, Note, RuleInfo, ScanResult, Severity, Skipped
from cavra_safety.policy import CategoryInfo, Policy

ROOT = Path("/nowhere/repo")
STRIPE = RuleInfo("policy/stripe-live-secret-key", Category.BILLING_SECRET, Severity.CRITICAL, "Stripe key")
TENANT = RuleInfo("policy/tenant-id-value", Category.TENANT_ID, Severity.HIGH, "Tenant ID")
AWS = RuleInfo("secret/aws-access-key", Category.CONNECTOR_CREDENTIAL, Severity.HIGH, "AWS key")
IMPORT = RuleInfo("policy/saas-backend-import", Category.SAAS_BACKEND_SOURCE, Severity.HIGH, "Back-end import")
RULES = (STRIPE, TENANT, AWS, IMPORT)
COMMIT_A, COMMIT_B = "a" * 40, "b" * 40
MADE = "2026-12-03T15:33:09Z"
AUTHOR = "Jane Doe"
# An author name is input too: markup in it must reach a reader as text.
HOSTILE_AUTHOR = "Mallory <b>O'Brien</b> & co"
HOSTILE_PATH = "docs/a|b <img src=x onerror=alert(1)> `x`.md"


def value(seed: str) -> str:
    return "".join(reversed("val-" + seed + "-0123456789"))


def finding(
    rule: RuleInfo,
    path: str,
    seed: str,
    line: int = 1,
    commit: str | None = None,
    in_head: bool | None = None,
    author: str = AUTHOR,
) -> Finding:
    made = Finding.create(
        rule, path=path, line=line, column=1, secret=value(seed), message=f"{rule.title} found.", commit=commit
    )
    if commit is None:
        return made
    return replace(made, author_date="2024-01-01T00:00:00+00:00", author=author, in_head=in_head, occurrences=2)


def identity() -> Identity:
    return Identity(
        repository="repo",
        head_commit=COMMIT_B,
        head_branch="main",
        head_date="2024-02-01T00:00:00+00:00",
        dirty=False,
        tool_version="9.9.9",
        packs=(PackRef("core", "1.0.0", "c" * 64, "public"),),
        generated_at=MADE,
        head_ref="refs/heads/main",
    )


def sample(
    *, tree: tuple[Finding, ...] = (), history: tuple[Finding, ...] = (), accepted: tuple[tuple[Finding, str], ...] = ()
) -> AuditReport:
    baseline = None
    if accepted:
        entries = tuple(BaselineEntry(f.path, f.rule_id, f.fingerprint, f.category, reason) for f, reason in accepted)
        baseline = Baseline(ROOT, entries)
    scans = Scans(
        tree=ScanResult(
            findings=tree,
            rules=RULES,
            files_scanned=3,
            skipped=(Skipped("logo.png", "binary (.png)"),),
            notes=(Note("x.py", 2, "allow comment without a rule id"),),
        ),
        history=ScanResult(findings=history, rules=RULES, files_scanned=7),
        commits=4,
    )
    policy = Policy(categories={Category.TENANT_ID: CategoryInfo("Production tenant IDs")})
    config = Config(root=ROOT, baseline=ROOT / ".cavra-safety-baseline.json", exclude=("vendor/",))
    return assemble(identity(), scans, policy, config, baseline)


def busy() -> AuditReport:
    """Tree, history-only, tree-and-history, accepted: one of each, and a hostile file name."""
    in_both = finding(TENANT, "settings.py", "both", line=3)
    return sample(
        tree=(in_both, finding(AWS, HOSTILE_PATH, "hostile"), finding(AWS, "fixtures/aws.py", "fixture")),
        history=(
            finding(STRIPE, "billing.py", "gone", commit=COMMIT_A, in_head=False),
            finding(TENANT, "settings.py", "both", line=3, commit=COMMIT_A, in_head=True),
        ),
        accepted=((finding(AWS, "fixtures/aws.py", "fixture"), "rotated; parser fixture"),),
    )
