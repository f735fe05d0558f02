"""The audit tests' fixtures: a repository named like the public one, and a CLI runner that reads reports
(git isolation comes from the top conftest)."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_repo import Cli, Repo


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "public-repo")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(capsys, monkeypatch)
