"""Real git repositories with planted findings for the audit tests (built on the shared ``git_repo`` helpers).

Every secret-shaped value is built at run time, so that this repository passes its own scan.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import git_repo
from git_repo import STRIPE_RULE, TENANT_RULE, Repo, isolate_git, stripe_key

__all__ = ["STRIPE_RULE", "TENANT_RULE", "Cli", "Repo", "isolate_git", "stripe_key"]


class Cli(git_repo.Cli):
    def report(self, cwd: Path, *argv: str) -> tuple[int, dict[str, Any]]:
        code, out, err = self(cwd, "audit", *argv, "--format", "json", "--quiet")
        assert code in (0, 1), err
        document: dict[str, Any] = json.loads(out)
        return code, document


def aws_key(seed: str) -> str:
    body = hashlib.sha256(seed.encode()).hexdigest().upper()
    return "AKIA" + "".join(c if c.isalpha() or c in "234567" else "Q" for c in body)[:16]


def slack_webhook(seed: str) -> str:
    body = hashlib.sha256(seed.encode()).hexdigest()
    return "https://hooks." + "slack.com/services/T" + body[:8].upper() + "/B" + body[8:16].upper() + "/" + body[16:40]


def tenant_value(seed: str) -> str:
    return "acme-" + "prod-" + str(int(hashlib.sha256(seed.encode()).hexdigest()[:6], 16) % 9000 + 1000)


stripe_line = git_repo.secret_line


def tenant_line(seed: str) -> str:
    return f'tenant_id = "{tenant_value(seed)}"\n'


def planted(repo: Repo) -> dict[str, str]:
    """A repository with one finding of each kind the audit tells apart; returns the commits by role.

    - tree: a tenant id still in the working tree (committed), and a Slack webhook not committed at all;
    - history only: a Stripe key added then removed;
    - baseline: an AWS key in the tree, accepted with a reason.
    """
    commits = {"init": repo.commit("init", {"app.py": "import os\n"})}
    commits["stripe"] = repo.commit("add billing", {"billing.py": "import os\n" + stripe_line("history")})
    commits["removed"] = repo.commit("remove key", {"billing.py": "import os\nKEY = os.environ['KEY']\n"})
    commits["tenant"] = repo.commit("tenant", {"settings.py": tenant_line("tree")})
    commits["aws"] = repo.commit("fixture", {"fixtures/aws.py": f'AWS_ACCESS_KEY_ID = "{aws_key("accepted")}"\n'})
    repo.write("notify.py", f'URL = "{slack_webhook("uncommitted")}"\n')
    return commits


def accept_aws(cli: Cli, repo: Repo, reason: str = "rotated in 2023; kept as a parser fixture") -> None:
    """Accept today's AWS finding into the baseline (and nothing else)."""
    code, document = cli.report(repo.path, "--no-baseline")
    assert code == 1
    aws = [f for f in document["findings"] if f["rule_id"] == "secret/aws-access-key"]
    assert len(aws) == 1, document["findings"]
    entry = {key: aws[0][key] for key in ("path", "rule_id", "category", "fingerprint")}
    baseline = {"version": 1, "generated_by": "cavra-safety", "entries": [{**entry, "reason": reason}]}
    repo.write(".cavra-safety-baseline.json", json.dumps(baseline, indent=2) + "\n")
