"""Shared test setup. Helper modules (fakes.py, *_samples.py) sit beside the tests that use them; pytest's
default import mode puts each test folder on sys.path. Test folders are named so that none can pass for a
package of the project (a folder tests/contract/ would shadow the real ``contract`` package)."""

from pathlib import Path

import pytest
from git_repo import Cli, Repo, isolate_git


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git configuration reaches any test (the scanner runs git in many of them), and no
    test reads or writes the user's cache of parsed packs."""
    isolate_git(monkeypatch, tmp_path / "home")
    # One cache per test session (entries are keyed by the packs' content), outside every test's tmp_path:
    # many tests scan tmp_path, and cached packs hold every rule's examples.
    monkeypatch.setenv("CAVRA_SAFETY_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "pack-cache"))


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    return Repo(tmp_path / "repo")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(capsys, monkeypatch)
