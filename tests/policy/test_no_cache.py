"""``--no-cache``: a run neither reads nor writes the cache (parsed packs, a user's validated pack, pattern
databases), on every command that loads the policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from git_repo import Cli
from pack_fixtures import user_pack

from cavra_safety.policy.cache import CACHE_ENV


def _entries(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())


@pytest.mark.parametrize(
    "command",
    [["scan", "."], ["policy", "list"], ["baseline", "create", "--baseline", "b.json", "--force"]],
    ids=["scan", "policy", "baseline"],
)
def test_no_cache_leaves_the_cache_folder_untouched(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    work, cache, pack = tmp_path / "work", tmp_path / "cache", tmp_path / "mine.toml"
    work.mkdir()
    (work / "app.py").write_text("x = 1\n")
    pack.write_text(user_pack())
    monkeypatch.setenv(CACHE_ENV, str(cache))
    code, _, err = cli(work, *command, "--policy", str(pack), "--no-cache")
    assert code == 0, err
    assert _entries(cache) == []
    monkeypatch.setenv(CACHE_ENV, str(cache))  # the flag holds for the rest of the process it is given to
    code, _, err = cli(work, *command, "--policy", str(pack))
    assert code == 0, err
    assert _entries(cache) != []  # the same run without the flag writes it: the test can see a write
