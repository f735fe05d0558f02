"""Real git repositories with planted findings for the audit tests, and a way to run the CLI inside them.

Every secret-shaped value is built at run time, so that this repository passes its own scan.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from cavra_safety.cli import main

STRIPE_RULE = "policy/stripe-live-secret-key"
TENANT_RULE = "python/tenant-id-binding"


def stripe_key(seed: str) -> str:
    body = hashlib.sha256(seed.encode()).hexdigest()
    mixed = "".join(char.upper() if index % 3 == 0 else char for index, char in enumerate(body))
    return "sk_" + "live_" + mixed[:24]


def aws_key(seed: str) -> str:
    body = hashlib.sha256(seed.encode()).hexdigest().upper()
    return "AKIA" + "".join(c if c.isalpha() or c in "234567" else "Q" for c in body)[:16]


def slack_webhook(seed: str) -> str:
    body = hashlib.sha256(seed.encode()).hexdigest()
    return "https://hooks." + "slack.com/services/T" + body[:8].upper() + "/B" + body[8:16].upper() + "/" + body[16:40]


def tenant_value(seed: str) -> str:
    return "acme-" + "prod-" + str(int(hashlib.sha256(seed.encode()).hexdigest()[:6], 16) % 9000 + 1000)


def stripe_line(seed: str) -> str:
    return f'STRIPE_KEY = "{stripe_key(seed)}"\n'


def tenant_line(seed: str) -> str:
    return f'tenant_id = "{tenant_value(seed)}"\n'


def isolate_git(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)


class Repo:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.clock = 1_700_000_000
        path.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.name", "Test Author")
        self.git("config", "user.email", "author@example.invalid")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(["git", *args], cwd=self.path, capture_output=True, text=True, check=False,
                              env={**os.environ, **(env or {})})
        assert done.returncode == 0, f"git {args}: {done.stderr}"
        return done.stdout

    def write(self, name: str, text: str) -> Path:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def commit(self, message: str, files: dict[str, str | None] | None = None) -> str:
        for name, text in (files or {}).items():
            if text is None:
                self.git("rm", "-q", "--", name)
            else:
                self.write(name, text)
        self.git("add", "-A")
        self.clock += 3600
        stamp = f"{self.clock} +0000"
        self.git("commit", "-q", "--allow-empty", "-m", message,
                 env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp})
        return self.git("rev-parse", "HEAD").strip()


class Cli:
    """``main(argv)`` in a working folder: (exit code, stdout, stderr)."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, cwd: Path, *argv: str) -> tuple[int, str, str]:
        self.monkeypatch.chdir(cwd)
        self.capsys.readouterr()
        code = main(list(argv))
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def report(self, cwd: Path, *argv: str) -> tuple[int, dict[str, Any]]:
        code, out, err = self(cwd, "audit", *argv, "--format", "json", "--quiet")
        assert code in (0, 1), err
        document: dict[str, Any] = json.loads(out)
        return code, document


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
