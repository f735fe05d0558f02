"""The cache of parsed default packs: used when present, never stale, never an error when broken."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from pack_fixtures import user_pack

from cavra_safety.config import Config
from cavra_safety.policy import cache, load_policy
from cavra_safety.policy import loader as pack_loader

REPO = Path(__file__).resolve().parents[2]


def _rule_ids() -> list[str]:
    return [rule.info.rule_id for rule in load_policy(Config(root=REPO)).rules]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache folder of this test's own (the session's shared one is set up by conftest.py)."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))


def _entries(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "cache" / "packs").glob("*.json"))


def _no_toml(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(data: bytes) -> dict[str, object]:
        raise AssertionError("parsed the TOML although the cache holds it")

    monkeypatch.setattr(pack_loader, "_toml_document", refuse)


def test_a_second_load_reads_the_cache_and_gives_the_same_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _rule_ids()
    packs = sorted((REPO / "policies").glob("*.toml"))
    assert len(_entries(tmp_path)) == len(packs)
    _no_toml(monkeypatch)
    assert _rule_ids() == first


@pytest.mark.parametrize(
    "damage",
    [b"\x00garbage", b'{"pack": {"name": "x"}}', b"[1, 2]", b'{"rules": "not a list"}'],
    ids=["not-json", "not-a-valid-pack", "not-a-table", "wrong-types"],
)
def test_a_damaged_entry_is_parsed_again_from_the_toml(tmp_path: Path, damage: bytes) -> None:
    first = _rule_ids()
    for entry in _entries(tmp_path):
        entry.write_bytes(damage)
    assert _rule_ids() == first
    assert all(entry.read_bytes() != damage for entry in _entries(tmp_path))  # mended on the way


def test_an_unwritable_cache_is_only_slower(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be", encoding="utf-8")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker))
    assert _rule_ids()
    assert blocker.is_file()


def test_an_empty_setting_turns_the_cache_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "")
    assert _rule_ids()
    assert not (tmp_path / "cache").exists()


def test_the_key_is_the_packs_content() -> None:
    assert cache.cache_key(b"a = 1\n") == cache.cache_key(b"a = 1\n")
    assert cache.cache_key(b"a = 1\n") != cache.cache_key(b"a = 2\n")


def test_a_value_json_cannot_hold_is_not_stored(tmp_path: Path) -> None:
    cache.store_document(b"when = 1979-05-27\n", {"when": datetime.date(1979, 5, 27)})
    assert _entries(tmp_path) == []
    cache.store_document(b"a = 1\n", {"a": 1})
    assert cache.cached_document(b"a = 1\n") == {"a": 1}


def test_the_default_folder_follows_xdg_and_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(cache.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_folder() == tmp_path / "xdg" / "cavra-safety" / "packs"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.cache_folder() == tmp_path / "home" / ".cache" / "cavra-safety" / "packs"


def _user_policy(tmp_path: Path, pattern: str) -> object:
    pack = tmp_path / "mine.toml"
    pack.write_text(user_pack(pattern))
    config = Config(root=tmp_path, default_policy=False, policy_files=(pack,))
    try:
        return load_policy(config)
    except Exception as error:  # the loader's UserError: the pack is invalid
        return error


def _compiled_eagerly(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    compiled: list[str] = []
    original = pack_loader.parse_pack

    def spy(*args: object, **kwargs: object) -> object:
        compiled.append("deferred" if kwargs.get("deferred") else "eager")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pack_loader, "parse_pack", spy)
    return compiled


def test_a_user_pack_found_valid_loads_without_compiling_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    modes = _compiled_eagerly(monkeypatch)
    first = _user_policy(tmp_path, r"mytok_[a-z0-9]{10}")
    second = _user_policy(tmp_path, r"mytok_[a-z0-9]{10}")
    assert modes == ["eager", "deferred"]
    assert [r.info.rule_id for r in first.rules] == [r.info.rule_id for r in second.rules]  # type: ignore[attr-defined]
    _user_policy(tmp_path, r"mytok_[a-z0-9]{11}")  # other bytes: checked again
    assert modes[-1] == "eager"


def test_an_invalid_user_pack_is_never_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    modes = _compiled_eagerly(monkeypatch)
    for _ in range(2):
        error = _user_policy(tmp_path, r"mytok_(?<=x)[a-z]{10}")
        assert "invalid regex" in str(error)
    assert modes == ["eager", "eager"]
