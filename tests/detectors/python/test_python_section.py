"""The ``[python]`` table of a policy pack: module pattern semantics, and every problem reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from python_fixtures import default_section

from cavra_safety.config import Config
from cavra_safety.errors import UserError
from cavra_safety.findings import Category
from cavra_safety.policy import load_policy
from cavra_safety.policy.python_section import ModulePattern, PythonSection, merge_sections, parse_python_section


def _pattern(text: str) -> ModulePattern:
    return ModulePattern(text, Category.SAAS_BACKEND_SOURCE, tuple(text.split(".")))


@pytest.mark.parametrize(
    ("pattern", "module", "matches"),
    [
        ("cavra_saas", "cavra_saas", True),
        ("cavra_saas", "cavra_saas.billing.jobs", True),
        ("cavra_saas", "cavra_saasy", False),
        ("cavra_saas", "mycavra_saas", False),
        ("cavra_saas", "vendor.cavra_saas", False),
        ("cavra.saas", "cavra.saas.x", True),
        ("cavra.saas", "cavra.saasy", False),
        ("**.provisioning", "provisioning", True),
        ("**.provisioning", "cavra.jobs.provisioning.tasks", True),
        ("**.provisioning", "cavra.provisioning_docs", False),
        ("**.*_provisioning", "cavra.tenant_provisioning", True),
        ("**.*_provisioning", "cavra.provisioning", False),
        ("cavra_*", "cavra_cloud.x", True),
    ],
)
def test_module_patterns_match_whole_segments_and_submodules(pattern: str, module: str, matches: bool) -> None:
    assert _pattern(pattern).matches(module) is matches


def test_the_gate_keyword_is_the_longest_literal() -> None:
    assert _pattern("**.*_provisioning").keyword == "_provisioning"
    assert _pattern("cavra.saas").keyword == "cavra"


def test_the_default_pack_has_every_part() -> None:
    section = default_section()
    assert {p.category for p in section.modules} == {Category.SAAS_BACKEND_SOURCE, Category.ENTERPRISE_IMPLEMENTATION}
    assert section.implementations and section.implementation_keywords
    assert section.editions == ("enterprise",) and section.headers and section.docstrings


def test_every_problem_is_reported_with_file_and_field() -> None:
    problems: list[str] = []
    table = {
        "modules": {"bogus": ["a"], "tenant-id": ["**", "a b", 3]},
        "implementations": {"keywords": [], "tenant-id": ["("]},
        "markers": {"keywords": ["x"], "headers": ["(?<=x)y"], "colour": "red"},
        "extra": 1,
    }
    assert parse_python_section(table, "packs/p.toml", problems) is not None
    assert problems == [
        "packs/p.toml: python.modules.bogus: unknown category 'bogus' (valid: tenant-record, tenant-id, "
        "billing-secret, license-key, private-policy-pack, connector-credential, provider-url, webhook-secret, "
        "saas-backend-source, enterprise-implementation)",
        "packs/p.toml: python.modules.tenant-id[2]: expected a non-empty string",
        "packs/p.toml: python.modules.tenant-id[0]: '**' would match every module",
        "packs/p.toml: python.modules.tenant-id[1]: 'a b' is not a dotted module pattern (segments of letters, "
        "digits, _ and globs, or **)",
        "packs/p.toml: python.implementations.keywords: must not be empty",
        "packs/p.toml: python.implementations.tenant-id[0]: invalid regex: missing ): (",
        "packs/p.toml: python.markers.headers[0]: invalid regex: invalid perl operator: (?<=",
        "packs/p.toml: python.markers.colour: unknown field (known: docstrings, editions, headers, keywords)",
        "packs/p.toml: python.extra: unknown field (known: implementations, markers, modules)",
    ]


def test_a_python_table_must_be_a_table() -> None:
    problems: list[str] = []
    assert parse_python_section(["modules"], "p.toml", problems) is None
    assert problems == ["p.toml: python: expected a table, got list"]


def test_sections_of_several_packs_merge_in_order_without_duplicates() -> None:
    first = PythonSection(modules=(_pattern("a"),), editions=("enterprise",))
    second = PythonSection(modules=(_pattern("b"), _pattern("a")), editions=("enterprise", "premium"))
    merged = merge_sections([first, second])
    assert [p.text for p in merged.modules] == ["a", "b"]
    assert merged.editions == ("enterprise", "premium")


def test_the_loaded_policy_carries_the_python_tables_of_every_pack(tmp_path: Path) -> None:
    extra = tmp_path / "extra.toml"
    extra.write_text(
        '[pack]\nname = "acme-python"\nversion = "1"\n\n[python.modules]\ntenant-record = ["acme_tenants"]\n',
        encoding="utf-8",
    )
    policy = load_policy(Config(root=tmp_path, policy_files=(extra,)))
    assert "acme_tenants" in [p.text for p in policy.python.modules]
    assert "cavra_saas" in [p.text for p in policy.python.modules]  # the default pack's, merged first
    without_defaults = load_policy(Config(root=tmp_path, default_policy=False, policy_files=(extra,)))
    assert [p.text for p in without_defaults.python.modules] == ["acme_tenants"]
    assert load_policy(Config(root=tmp_path, default_policy=False)).python == PythonSection()


def test_a_broken_python_table_fails_the_policy_with_every_problem(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(
        '[pack]\nname = "broken"\nversion = "1"\n\n[python]\nmodules = { nope = ["x"] }\ntypo = 1\n', encoding="utf-8"
    )
    with pytest.raises(UserError) as raised:
        load_policy(Config(root=tmp_path, default_policy=False, policy_files=(broken,)))
    problems = raised.value.problems
    assert any("python.modules.nope: unknown category 'nope'" in problem for problem in problems)
    assert any("python.typo: unknown field" in problem for problem in problems)
