"""One hand-built ``ScanResult`` that exercises every part of every report.

Secret-shaped values are built at run time (so that this repository passes its own scan) but
deterministically (so that fingerprints and redacted previews in the golden files never change).
"""

from __future__ import annotations

from dataclasses import replace

from cavra_safety.findings import (
    Category,
    Finding,
    Note,
    RuleInfo,
    ScanResult,
    Severity,
    Skipped,
    Suppressed,
    SuppressionKind,
)
from cavra_safety.reporters import RenderOptions

TOOL_VERSION = "9.9.9"
OPTIONS = RenderOptions(tool_version=TOOL_VERSION)
HISTORY_COMMIT = "".join("0123456789abcdef"[(i * 7) % 16] for i in range(40))


ALPHANUMERIC = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


def _letters(count: int, step: int, alphabet: str = ALPHANUMERIC) -> str:
    return "".join(alphabet[(i * step + 3) % len(alphabet)] for i in range(count))


def sample_secrets() -> dict[str, str]:
    """Run-time secrets, by the rule that finds them."""
    return {
        "secret/stripe-live-key": "sk_" + "live_" + _letters(24, 11),
        "secret/aws-access-key": "AK" + "IA" + _letters(16, 5, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
        "policy/tenant-id-value": "acme-" + "prod-" + "7731",
        "policy/license-key": "-".join(_letters(5, step, "BCDFGHJKMPQRTVWXY2346789") for step in (3, 5, 7)),
        "secret/slack-webhook": ("https://hooks." + "slack.com/services/T" + _letters(8, 13) + "/B" + _letters(10, 17)),
        "python/provisioning-import": "cavra_saas.tenant_bootstrap",
    }


RULES = (
    RuleInfo(
        "secret/stripe-live-key",
        Category.BILLING_SECRET,
        Severity.CRITICAL,
        "Stripe live secret key",
        "A live Stripe secret key can move money; rotate it and load it from the environment.",
    ),
    RuleInfo("secret/aws-access-key", Category.CONNECTOR_CREDENTIAL, Severity.HIGH, "AWS access key id"),
    RuleInfo(
        "policy/tenant-id-value",
        Category.TENANT_ID,
        Severity.HIGH,
        "Production tenant id",
        "A real tenant id; use a placeholder such as <tenant-id>.",
    ),
    RuleInfo("policy/license-key", Category.LICENSE_KEY, Severity.MEDIUM, "Product license key"),
    RuleInfo("secret/slack-webhook", Category.WEBHOOK_SECRET, Severity.HIGH, "Slack incoming webhook URL"),
    RuleInfo(
        "python/provisioning-import",
        Category.SAAS_BACKEND_SOURCE,
        Severity.LOW,
        "Import of a private SaaS back-end package",
    ),
    # A rule that ran and found nothing still belongs in SARIF's rule list.
    RuleInfo("policy/private-policy-pack", Category.PRIVATE_POLICY_PACK, Severity.HIGH, "Private policy pack"),
)
_RULES_BY_ID = {rule.rule_id: rule for rule in RULES}


def _finding(rule_id: str, path: str, line: int, column: int, message: str, commit: str | None = None) -> Finding:
    found = Finding.create(
        _RULES_BY_ID[rule_id],
        path=path,
        line=line,
        column=column,
        secret=sample_secrets()[rule_id],
        message=message,
        commit=commit,
    )
    if commit is None:
        return found
    # What a history scan adds: the author date and name, the commit count and whether the tip still holds it.
    return replace(found, author_date="2023-04-05T06:07:08+02:00", author="Ada Löwe", in_head=False, occurrences=3)


def sample_suppressed() -> tuple[Suppressed, ...]:
    """Two findings allowed inline (one with a reason, one by a detect-secrets pragma on the line above, which
    gives none), and two the baseline accepts (one of them from the history)."""
    return (
        Suppressed(
            _finding(
                "policy/license-key",
                "docs/license.md",
                5,
                1,
                "License key in documentation; use YOUR_LICENSE_KEY instead.",
            ),
            SuppressionKind.INLINE,
            "",
            comment_line=4,
        ),
        Suppressed(
            _finding(
                "secret/stripe-live-key",
                "tests/fixtures/billing.py",
                8,
                12,
                "Stripe live secret key; remove it, rotate it and read it from the environment.",
            ),
            SuppressionKind.INLINE,
            "fixture for the parser tests",
            comment_line=8,
        ),
        Suppressed(
            _finding(
                "policy/tenant-id-value",
                "docs/tenants.md",
                3,
                5,
                "Production tenant id; replace it with a placeholder such as <tenant-id>.",
            ),
            SuppressionKind.BASELINE,
            "demo tenant, deleted in 2023",
        ),
        Suppressed(
            _finding(
                "secret/aws-access-key",
                "deploy/old.env",
                1,
                19,
                "AWS access key id committed in history; deactivate the key.",
                commit=HISTORY_COMMIT,
            ),
            SuppressionKind.BASELINE,
            "deactivated at AWS on 2023-05-01",
        ),
    )


def sample_result() -> ScanResult:
    findings = (
        # Deliberately out of order: reporters must sort.
        _finding(
            "python/provisioning-import",
            "src/app/tenants.py",
            3,
            1,
            "Imports the private SaaS back end; keep provisioning code out of the public repository.",
        ),
        _finding(
            "secret/stripe-live-key",
            "config/prod settings.py",
            12,
            17,
            "Stripe live secret key; remove it, rotate it and read it from the environment.",
        ),
        _finding(
            "policy/tenant-id-value",
            "config/prod settings.py",
            4,
            13,
            "Production tenant id; replace it with a placeholder such as <tenant-id>.",
        ),
        _finding(
            "policy/license-key",
            "docs/über-setup.md",
            27,
            9,
            "License key in documentation; use YOUR_LICENSE_KEY instead.",
        ),
        _finding(
            "secret/aws-access-key",
            "deploy/old.env",
            2,
            19,
            "AWS access key id committed in history; deactivate the key.",
            commit=HISTORY_COMMIT,
        ),
        _finding(
            "secret/slack-webhook",
            "deploy/old.env",
            5,
            15,
            "Slack webhook URL; anyone with it can post to the channel. Revoke it.",
        ),
    )
    return ScanResult(
        findings=findings,
        rules=RULES,
        skipped=(
            Skipped("assets/logo.png", "binary (.png)"),
            Skipped("data/dump.sql", "larger than max-file-size (1048576 bytes)"),
            Skipped("assets/banner.png", "binary (.png)"),
            Skipped("assets/icons/a b.png", "binary (.png)"),
            Skipped("assets/icons/ça.png", "binary (.png)"),
        ),
        notes=(
            Note("src/app/legacy.py", 0, "not valid Python (line 8): checked with the text rules only"),
            Note(
                "docs/über-setup.md", 30, "allow comment without a rule id; write `cavra: allow <rule-id> -- <reason>`"
            ),
        ),
        files_scanned=14,
        bytes_scanned=52_113,
        suppressed=sample_suppressed(),
        seconds=1.25,
    )


def empty_result() -> ScanResult:
    return ScanResult(findings=(), rules=RULES, files_scanned=3, bytes_scanned=900, seconds=0.5)
