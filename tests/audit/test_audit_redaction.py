"""No audit report, in any format, holds a full secret: checked by reading them, and by scanning them."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_repo import Cli, Repo, accept_aws, aws_key, planted, slack_webhook, stripe_key, tenant_value

from cavra_safety.config import Config
from cavra_safety.pipeline.scan import scan

FORMAT_FILES = ("audit.json", "audit.html", "audit.md")


@pytest.fixture
def reports(repo: Repo, cli: Cli, tmp_path: Path) -> list[Path]:
    planted(repo)
    accept_aws(cli, repo)
    # A secret in a commit message too, and one in a file name's neighbourhood of a skipped binary.
    repo.commit("rotate the key\n\nold: " + stripe_key("message"), {"empty.py": "x = 1\n"})
    out = tmp_path / "reports"
    out.mkdir()
    args = [part for name in FORMAT_FILES for part in ("--report", str(out / name))]
    code, stdout, _ = cli(repo.path, "audit", *args)
    assert code == 1
    (out / "stdout.md").write_text(stdout + cli(repo.path, "audit", "--format", "html")[1], encoding="utf-8")
    return sorted(out.iterdir())


SECRETS = {
    "stripe in history": lambda: stripe_key("history"),
    "stripe in a commit message": lambda: stripe_key("message"),
    "tenant id in the tree": lambda: tenant_value("tree"),
    "accepted AWS key": lambda: aws_key("accepted"),
    "uncommitted webhook": lambda: slack_webhook("uncommitted"),
    "webhook token part": lambda: slack_webhook("uncommitted").rsplit("/", 1)[1],
}


@pytest.mark.parametrize("secret", SECRETS.values(), ids=SECRETS.keys())
def test_no_report_contains_a_planted_secret(reports: list[Path], secret: object) -> None:
    value = secret()  # type: ignore[operator]
    assert len(reports) == 4
    for report in reports:
        text = report.read_text(encoding="utf-8")
        assert value not in text, f"{report.name} holds a secret"
        assert value[4:] not in text, f"{report.name} holds most of a secret"


def test_every_planted_finding_is_reported_redacted(reports: list[Path]) -> None:
    json_text = next(r for r in reports if r.name == "audit.json").read_text(encoding="utf-8")
    assert "(commit message)" in json_text
    for preview in ("sk_l…(32 chars)", "AKIA…(20 chars)"):
        assert preview in json_text


def test_the_scanner_finds_nothing_in_its_own_reports(reports: list[Path]) -> None:
    folder = reports[0].parent
    result = scan(Config(root=folder, paths=(folder,), jobs=1))
    assert result.files_scanned == 4
    assert [(f.path, f.rule_id, f.redacted) for f in result.findings] == []
