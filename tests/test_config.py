"""[tool.cavra-safety]: every field error at once, unknown keys refused, paths relative to the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from cavra_safety.config import DEFAULT_MAX_FILE_SIZE, load_config, parse_size
from cavra_safety.errors import UserError
from cavra_safety.findings import Category, Severity


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text("[project]\nname = 'x'\n\n[tool.cavra-safety]\n" + body)
    return path


def test_defaults_without_a_pyproject(tmp_path: Path) -> None:
    config = load_config(tmp_path / "nowhere-a", None)
    assert config.max_file_size == DEFAULT_MAX_FILE_SIZE
    assert config.fail_on is Severity.LOW


def test_all_fields_load(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
exclude = ["tests/fixtures/"]
respect-gitignore = false
max-file-size = "1 MiB"
default-policy = false
policies = ["packs/extra.toml"]
categories = ["tenant-id"]
exclude-categories = ["provider-url"]
disable-rules = ["secret/high-entropy-hex"]
fail-on = "high"
jobs = 2
baseline = "safety-baseline.json"
""",
    )
    sub = tmp_path / "sub"
    sub.mkdir()
    config = load_config(sub)
    assert config.config_file == tmp_path / "pyproject.toml"
    assert config.exclude == ("tests/fixtures/",)
    assert config.respect_gitignore is False
    assert config.max_file_size == 1024 * 1024
    assert config.policy_files == (tmp_path / "packs/extra.toml",)
    assert config.categories == frozenset({Category.TENANT_ID})
    assert config.exclude_categories == frozenset({Category.PROVIDER_URL})
    assert config.fail_on is Severity.HIGH and config.jobs == 2
    assert config.baseline == tmp_path / "safety-baseline.json"
    assert config.wants(Category.TENANT_ID) and not config.wants(Category.LICENSE_KEY)


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    write(
        tmp_path, 'exlude = ["x"]\nfail-on = "severe"\njobs = -1\ncategories = ["tenant-ids"]\nmax-file-size = "lots"\n'
    )
    with pytest.raises(UserError) as caught:
        load_config(tmp_path)
    problems = caught.value.problems
    assert len(problems) == 5
    assert any("exlude: unknown key" in p for p in problems)
    assert any("fail-on: unknown severity 'severe'" in p for p in problems)
    assert any("jobs: expected a whole number" in p for p in problems)
    assert any("categories: unknown category 'tenant-ids'" in p for p in problems)
    assert any("max-file-size: expected a size from 1 byte to 1 GiB" in p for p in problems)


def test_invalid_toml_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.cavra-safety\n")
    with pytest.raises(UserError, match="invalid TOML"):
        load_config(tmp_path)


def test_explicit_missing_config_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="config file not found"):
        load_config(tmp_path, tmp_path / "missing.toml")


@pytest.mark.parametrize(("value", "expected"), [(10, 10), ("10", 10), ("2kb", 2000), ("2 KiB", 2048), ("1MB", 10**6)])
def test_parse_size(value: object, expected: int) -> None:
    assert parse_size(value) == expected


@pytest.mark.parametrize("value", [0, -5, "", "ten", "1 TB", True, 1.5])
def test_parse_size_rejects(value: object) -> None:
    with pytest.raises(ValueError):
        parse_size(value)
