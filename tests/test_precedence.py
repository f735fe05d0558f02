"""One finding per value and place (DESIGN.md section 2): the most specific rule reports it, disabling that rule
silences the value, and an allow naming any rule that saw the value covers it."""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

import pytest
from git_repo import Cli
from policy.pack_fixtures import pack_text, write_pack

from cavra_safety.findings import Category, Finding, RuleInfo, Severity, Specificity
from cavra_safety.precedence import CATEGORY_PRECEDENCE, Resolved, resolve_overlaps

BILLING_NAME = RuleInfo("policy/billing-name", Category.BILLING_SECRET, Severity.HIGH, "t", "", Specificity.GENERIC)
PROVIDER = RuleInfo("policy/provider", Category.CONNECTOR_CREDENTIAL, Severity.CRITICAL, "t")
KEYWORD = RuleInfo("secret/keyword", Category.CONNECTOR_CREDENTIAL, Severity.MEDIUM, "t", "", Specificity.GENERIC)
ENTROPY = RuleInfo("secret/entropy", Category.CONNECTOR_CREDENTIAL, Severity.MEDIUM, "t", "", Specificity.ENTROPY)
HOST = RuleInfo("policy/host", Category.PROVIDER_URL, Severity.HIGH, "t", "", Specificity.CONTEXT)
RULES = {rule.rule_id: rule for rule in (BILLING_NAME, PROVIDER, KEYWORD, ENTROPY, HOST)}


def hit(rule: RuleInfo, line: int, column: int, length: int = 10, *, end_line: int | None = None) -> Finding:
    return Finding.create(
        rule,
        path="f.txt",
        line=line,
        column=column,
        secret=f"value-{rule.rule_id}-{line}-{column}",
        message="m",
        end_line=end_line,
        end_column=column + length,
    )


def winners(findings: list[Finding]) -> list[tuple[str, int, int]]:
    return [
        (item.finding.rule_id, item.finding.line, item.finding.column) for item in resolve_overlaps(findings, RULES)
    ]


def test_every_category_has_a_precedence() -> None:
    assert sorted(CATEGORY_PRECEDENCE) == sorted(Category)


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        # The category decides first: a key under a billing name is a billing secret, whatever saw it too.
        ([hit(ENTROPY, 1, 5), hit(PROVIDER, 1, 5), hit(BILLING_NAME, 1, 5)], [("policy/billing-name", 1, 5)]),
        # Within a category: a provider's format over a sensitive name over randomness, whatever the severity.
        ([hit(ENTROPY, 1, 5), hit(KEYWORD, 1, 3), hit(PROVIDER, 1, 7)], [("policy/provider", 1, 7)]),
        ([hit(ENTROPY, 1, 5), hit(KEYWORD, 1, 3)], [("secret/keyword", 1, 3)]),
        # A connector credential over a provider URL (a database URL with a password on an internal host).
        ([hit(HOST, 1, 1, 40), hit(KEYWORD, 1, 20, 5)], [("secret/keyword", 1, 20)]),
        # Places that do not overlap are separate findings: beside, on the next line.
        (
            [hit(PROVIDER, 1, 1, 5), hit(KEYWORD, 1, 6, 5), hit(ENTROPY, 2, 1)],
            [
                ("policy/provider", 1, 1),
                ("secret/keyword", 1, 6),
                ("secret/entropy", 2, 1),
            ],
        ),
        # A value that runs over lines (a PEM block, a multi-line string) holds what lies inside it.
        ([hit(KEYWORD, 3, 2), hit(PROVIDER, 2, 1, 4, end_line=4)], [("policy/provider", 2, 1)]),
        (
            [hit(KEYWORD, 5, 2), hit(PROVIDER, 2, 1, 4, end_line=4)],
            [("policy/provider", 2, 1), ("secret/keyword", 5, 2)],
        ),
    ],
)
def test_the_most_specific_rule_reports_the_value(
    findings: list[Finding], expected: list[tuple[str, int, int]]
) -> None:
    assert winners(findings) == expected
    assert winners(list(reversed(findings))) == expected


def test_the_winner_knows_the_rules_it_outranked() -> None:
    (resolved,) = resolve_overlaps([hit(ENTROPY, 1, 5), hit(KEYWORD, 1, 5), hit(PROVIDER, 1, 5)], RULES)
    assert resolved == Resolved(hit(PROVIDER, 1, 5), frozenset({"secret/keyword", "secret/entropy"}))


def test_commits_are_apart() -> None:
    first, second = hit(PROVIDER, 1, 1), hit(KEYWORD, 1, 1)
    moved = Finding(**{**second.__dict__, "commit": "c" * 40})
    assert len(resolve_overlaps([first, moved], RULES)) == 2


# --- Through the scanner: disabling, allows, configuration errors ---------------------------------------------

BODY = "".join(random.Random(7).choices(string.ascii_lowercase + string.digits, k=24))


def _pack(folder: Path) -> Path:
    provider = {
        "id": "wdg-token",
        "category": "connector-credential",
        "severity": "critical",
        "title": "Widget token",
        "message": "A widget token. Revoke it.",
        "keywords": ["wdg_"],
        "patterns": [r"\b(?P<secret>wdg_[a-z0-9]{24})\b"],
        "examples": ["t = wdg_" + BODY],
        "negative-examples": ["t = wdg_short"],
    }
    billing = {
        "id": "invoice-key",
        "category": "billing-secret",
        "severity": "high",
        "specificity": "generic",
        "title": "Key under an invoice name",
        "message": "A key under an invoice name. Move it to the secret store.",
        "keywords": ["invoice_key"],
        "patterns": [r"invoice_key\s*=\s*(?P<secret>\S+)"],
        "examples": ["invoice_key = wdg_" + BODY],
        "negative-examples": ["invoice_key = <key>"],
    }
    return write_pack(folder, "pack.toml", pack_text(rules=[provider, billing]))


def _scan(cli: Cli, tmp_path: Path, text: str, *, disable: tuple[str, ...] = ()) -> tuple[int, list[str], str]:
    (tmp_path / "app.env").write_text(text, encoding="utf-8")
    listed = ", ".join(f'"{rule_id}"' for rule_id in disable)
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.cavra-safety]\ndefault-policy = false\npolicies = ["pack.toml"]\ndisable-rules = [{listed}]\n',
        encoding="utf-8",
    )
    _pack(tmp_path)
    code, out, err = cli(tmp_path, "scan", "app.env", "--format", "json", "--quiet")
    if code == 2:
        return code, [], err
    return code, sorted(finding["rule_id"] for finding in json.loads(out)["findings"]), err


def test_one_value_seen_by_three_rules_is_one_finding_in_its_most_specific_category(cli: Cli, tmp_path: Path) -> None:
    code, rules, _ = _scan(cli, tmp_path, f"invoice_key = wdg_{BODY}\nother = wdg_{BODY[::-1]}\n")
    assert (code, rules) == (1, ["policy/invoice-key", "policy/wdg-token"])


def test_disabling_the_winning_rule_silences_the_value(cli: Cli, tmp_path: Path) -> None:
    code, rules, _ = _scan(cli, tmp_path, f"invoice_key = wdg_{BODY}\n", disable=("policy/invoice-key",))
    assert (code, rules) == (0, [])


def test_disabling_an_outranked_rule_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    code, rules, _ = _scan(cli, tmp_path, f"invoice_key = wdg_{BODY}\n", disable=("policy/wdg-token",))
    assert (code, rules) == (1, ["policy/invoice-key"])


def test_an_allow_naming_any_rule_that_saw_the_value_covers_it(cli: Cli, tmp_path: Path) -> None:
    allow = "cavra" + ": allow policy/wdg-token -- documented sample"
    code, rules, _ = _scan(cli, tmp_path, f"invoice_key = wdg_{BODY}  # {allow}\n")
    assert (code, rules) == (0, [])


@pytest.mark.parametrize(
    ("rule_id", "message"),
    [
        (
            "secret/slack-webhok",
            "disable-rules: unknown rule 'secret/slack-webhok' (did you mean secret/slack-webhook?)",
        ),
        ("python/nothing-like-it", "disable-rules: unknown rule 'python/nothing-like-it'"),
    ],
)
def test_unknown_rule_ids_in_disable_rules_are_errors(cli: Cli, tmp_path: Path, rule_id: str, message: str) -> None:
    code, _, err = _scan(cli, tmp_path, "nothing = here\n", disable=(rule_id,))
    assert code == 2
    assert message in err


def test_disabling_the_default_slack_rule_silences_the_url_that_two_detectors_see(cli: Cli, tmp_path: Path) -> None:
    """The case users met: detect-secrets' Slack plugin sees the same URL as the policy rule."""
    url = "https://hooks.slack.com/services/" + "T0A1B2C3D4E/B0A1B2C3D4E/" + BODY
    (tmp_path / "app.env").write_text(f"SLACK_URL={url}\n", encoding="utf-8")
    assert [f["rule_id"] for f in cli.findings(tmp_path, "scan", "app.env")] == ["policy/slack-webhook-url"]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.cavra-safety]\ndisable-rules = ["policy/slack-webhook-url"]\n', encoding="utf-8"
    )
    assert cli.findings(tmp_path, "scan", "app.env") == []


def test_a_provider_token_holding_url_escapes_is_the_providers_not_its_decoded_form(cli: Cli, tmp_path: Path) -> None:
    """Decoding runs the detectors again on ``%2B`` turned into ``+``; the header rule then sees the decoded
    token, but the raw provider shape is more specific and keeps the value."""
    rng = random.Random(11)
    body = "".join(rng.choices(string.ascii_letters + string.digits, k=30))
    token = "A" * 21 + body[:12] + "%2B" + body[12:] + "%3D" + "".join(rng.choices(string.ascii_letters, k=40))
    (tmp_path / "x.md").write_text(f'curl -H "Authorization: Bearer {token}" https://api.x.com/2/users\n')
    assert [f["rule_id"] for f in cli.findings(tmp_path, "scan", "x.md")] == ["policy/twitter-bearer-token"]
