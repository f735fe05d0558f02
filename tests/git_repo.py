"""Real ``git init`` repositories for the git tests, and a way to run the CLI inside one.

Secret-shaped values are built at run time so that this repository passes its own scan.
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
    """A live-key-shaped value, different per seed, never a real key."""
    body = hashlib.sha256(seed.encode()).hexdigest()
    mixed = "".join(char.upper() if index % 3 == 0 else char for index, char in enumerate(body))
    return "sk_" + "live_" + mixed[:24]


def secret_line(seed: str) -> str:
    return f'STRIPE_KEY = "{stripe_key(seed)}"\n'


def tenant_line(tenant: str = "7731") -> str:
    return 'tenant_id = "' + "acme-" + "prod-" + tenant + '"\n'


def isolate_git(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """No user or system git config may leak into a test (signing, hooks, default branch...)."""
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
        done = subprocess.run(
            ["git", *args],
            cwd=self.path,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **(env or {})},
        )
        assert done.returncode == 0, f"git {args}: {done.stderr}"
        return done.stdout

    def write(self, name: str, text: str) -> Path:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def commit(self, message: str, files: dict[str, str | None] | None = None) -> str:
        """Write (or, for None, delete) files, stage everything and commit at a fixed, advancing time."""
        for name, text in (files or {}).items():
            if text is None:
                self.git("rm", "-q", "--", name)
            else:
                self.write(name, text)
        self.git("add", "-A")
        self.clock += 3600
        stamp = f"{self.clock} +0000"
        self.git(
            "commit", "-q", "--allow-empty", "-m", message, env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
        )
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def author_date(self, commit: str) -> str:
        return self.git("show", "-s", "--format=%aI", commit).strip()


class Cli:
    """``main(argv)`` run with a given working folder; returns (exit code, stdout, stderr)."""

    def __init__(self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
        self.capsys = capsys
        self.monkeypatch = monkeypatch

    def __call__(self, cwd: Path, *argv: str) -> tuple[int, str, str]:
        self.monkeypatch.chdir(cwd)
        self.capsys.readouterr()
        code = main(list(argv))
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def findings(self, cwd: Path, *argv: str) -> list[dict[str, Any]]:
        code, out, err = self(cwd, *argv, "--format", "json", "--quiet")
        assert code in (0, 1), err
        findings: list[dict[str, Any]] = json.loads(out)["findings"]
        assert (code == 1) == bool(findings)
        return findings


def places(findings: list[dict[str, Any]]) -> list[tuple[str, int, str]]:
    return sorted((finding["path"], finding["line"], finding["rule_id"]) for finding in findings)


def record_history_pools(monkeypatch: pytest.MonkeyPatch, min_files: int, batch_files: int) -> list[int]:
    """Lowers the history scan's pool thresholds; the returned list records the size of every pool started."""
    import cavra_safety.pipeline.history as history_scan
    import cavra_safety.pipeline.pool as pool

    monkeypatch.setattr(history_scan, "PARALLEL_MIN_FILES", min_files)
    monkeypatch.setattr(pool, "BATCH_FILES", batch_files)
    started: list[int] = []
    real_pool = history_scan.worker_pool

    def recording_pool(engine: Any, jobs: int) -> Any:
        started.append(jobs)
        return real_pool(engine, jobs)

    monkeypatch.setattr(history_scan, "worker_pool", recording_pool)
    return started
