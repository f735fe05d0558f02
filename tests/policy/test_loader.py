"""The pack loader: field validation (every error at once, each naming file, rule and field), cross-pack
checks, disabled rules, and where the default packs come from."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pack_fixtures import ALL_CATEGORIES, gizmo_rule, pack_text, widget_record_rule, write_pack

from cavra_safety.config import Config
from cavra_safety.errors import UserError
from cavra_safety.findings import Category, Severity
from cavra_safety.policy import PackFile, RecordRule, RegexRule, Visibility, assemble, default_pack_files, load_policy


def _load(*paths: Path, disabled: frozenset[str] = frozenset()) -> object:
    return load_policy(Config(root=paths[0].parent, default_policy=False, policy_files=paths, disabled_rules=disabled))


def _problems(*paths: Path, disabled: frozenset[str] = frozenset()) -> tuple[str, ...]:
    with pytest.raises(UserError) as caught:
        _load(*paths, disabled=disabled)
    assert caught.value.problems, "a policy error must list its problems"
    return caught.value.problems


def test_valid_pack_loads_every_field(tmp_path: Path) -> None:
    text = pack_text(
        "fixture-pack",
        rules=[
            gizmo_rule(
                **{
                    "allow-patterns": ["^GZ0"],
                    "stop-words": ["Sample"],
                    "min-length": 6,
                    "min-entropy": 2.0,
                    "paths": {"include": ["**/*.py", "*.env"], "exclude": ["docs/**"]},
                    "examples": [
                        'gizmo_code = "GZ7q2LmP9x"',
                        {"text": 'gizmo_code = "GZ7q2LmP9x"', "path": "app/settings.py"},
                    ],
                }
            ),
            widget_record_rule(**{"min-companions": 2, "window": 4}),
        ],
        categories={"license-key": {"title": "License keys", "description": "Keys."}},
        description="Fixture.",
        visibility="enterprise",
    )
    path = write_pack(tmp_path, "fixture.toml", text)
    policy = load_policy(Config(root=tmp_path, default_policy=False, policy_files=(path,)))

    (pack,) = policy.packs
    assert (pack.name, pack.version, pack.visibility, pack.description) == (
        "fixture-pack",
        "1.0.0",
        Visibility.ENTERPRISE,
        "Fixture.",
    )
    assert pack.path == path and pack.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert policy.categories[Category.LICENSE_KEY].title == "License keys"
    assert set(policy.categories) == set(Category)  # undefined categories get a plain title

    gizmo, widget = policy.rules
    assert isinstance(gizmo, RegexRule) and isinstance(widget, RecordRule)
    assert gizmo.info.rule_id == "policy/gizmo-code"
    assert (gizmo.info.category, gizmo.info.severity) == (Category.LICENSE_KEY, Severity.HIGH)
    assert gizmo.values.stop_words == ("sample",) and gizmo.values.min_length == 6
    assert gizmo.examples[1].path == "app/settings.py" and gizmo.examples[0].path == "example.txt"
    assert gizmo.applies_to("src/app.py") and gizmo.applies_to("prod.env")
    assert not gizmo.applies_to("docs/app.py") and not gizmo.applies_to("src/app.js")
    assert (widget.identifier_keys, widget.min_companions, widget.window) == (("widget_id", "widgetid"), 2, 4)
    assert [info.rule_id for info in policy.rule_infos] == ["policy/gizmo-code", "policy/widget-record"]


BROKEN_RULES: list[tuple[dict[str, object], str]] = [
    (gizmo_rule(id="no-severity", severity=None), 'rule "no-severity": severity: required field is missing'),
    (gizmo_rule(id="bad-severity", severity="urgent"), "rule \"bad-severity\": severity: unknown severity 'urgent'"),
    (gizmo_rule(id="bad-category", category="tenant"), "rule \"bad-category\": category: unknown category 'tenant'"),
    (
        gizmo_rule(id="bad-regex", patterns=["gizmo", "gizmo(x"]),
        'rule "bad-regex": patterns[1]: invalid regex: missing )',
    ),
    (
        gizmo_rule(id="lookbehind", patterns=["(?<=gizmo)x"]),
        'rule "lookbehind": patterns[0]: invalid regex: invalid perl operator',
    ),
    (
        gizmo_rule(id="backref", patterns=[r"(g)\1"]),
        'rule "backref": patterns[0]: invalid regex: invalid escape sequence',
    ),
    (gizmo_rule(id="giant", patterns=[r"\pL{1000}"]), 'rule "giant": patterns[0]: invalid regex: pattern too large'),
    (
        gizmo_rule(id="empty-match", patterns=["x*"]),
        'rule "empty-match": patterns[0]: invalid regex: matches the empty',
    ),
    (gizmo_rule(id="bad-allow", **{"allow-patterns": ["(?!x)"]}), 'rule "bad-allow": allow-patterns[0]: invalid regex'),
    (gizmo_rule(id="typo", pattern=["x"]), 'rule "typo": pattern: unknown field'),
    (gizmo_rule(id="Bad_Id"), "rules[10]: id: 'Bad_Id' does not match"),
    (gizmo_rule(id="no-keywords", keywords=[]), 'rule "no-keywords": keywords: must not be empty'),
    (gizmo_rule(id="no-examples", examples=[]), 'rule "no-examples": examples: must not be empty'),
    (
        gizmo_rule(id="no-negatives", **{"negative-examples": None}),
        'rule "no-negatives": negative-examples: required field is missing',
    ),
    (gizmo_rule(id="bad-kind", kind="glob"), "rule \"bad-kind\": kind: unknown kind 'glob'"),
    (gizmo_rule(id="record-field", window=3), 'rule "record-field": window: not a field of kind = "regex"'),
    (
        widget_record_rule(id="regex-field", patterns=["x"]),
        'rule "regex-field": patterns: not a field of kind = "record"',
    ),
    (gizmo_rule(id="bad-length", **{"min-length": -1}), 'rule "bad-length": min-length: expected a whole number'),
    (gizmo_rule(id="bad-entropy", **{"min-entropy": "high"}), 'rule "bad-entropy": min-entropy: expected a number'),
    (gizmo_rule(id="bad-paths", paths={"includes": ["*.py"]}), 'rule "bad-paths": paths.includes: unknown field'),
    (
        gizmo_rule(id="bad-example", examples=[{"text": "gizmo", "file": "a.py"}]),
        'rule "bad-example": examples[0].file: unknown field',
    ),
    (gizmo_rule(id="two-lines", title="a\nb"), 'rule "two-lines": title: must be one line'),
    (
        widget_record_rule(id="too-many", **{"min-companions": 9}),
        'rule "too-many": min-companions: expected a whole number',
    ),
]


def test_every_field_error_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    path = write_pack(tmp_path, "broken.toml", pack_text(rules=[rule for rule, _ in BROKEN_RULES]))
    problems = _problems(path)
    source = path.as_posix()
    for _, expected in BROKEN_RULES:
        assert any(problem.startswith(f"{source}: ") and expected in problem for problem in problems), (
            f"missing {expected!r} in:\n" + "\n".join(problems)
        )
    assert len(problems) == len(BROKEN_RULES)  # one problem per broken rule, none for the valid parts


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[pack]\nname = 'p'\nversion = '1'\n[rule]\nid = 'x'\n", "rule: unknown field"),
        ("[pack]\nname = 'p'\nversion = '1'\nowner = 'me'\n", "pack.owner: unknown field"),
        ("[pack]\nname = 'P Q'\nversion = '1'\n", "pack.name: 'P Q' does not match"),
        ("[pack]\nname = 'p'\n", "pack.version: required field is missing"),
        ("[pack]\nname = 'p'\nversion = '1'\nvisibility = 'secret'\n", "pack.visibility: unknown visibility 'secret'"),
        ("[categories.tenant-id]\ntitle = 'T'\n", "[pack]: required table is missing"),
        (
            "[pack]\nname = 'p'\nversion = '1'\n[categories.tenants]\ntitle = 'T'\n",
            'category "tenants": unknown category',
        ),
        (
            "[pack]\nname = 'p'\nversion = '1'\n[categories.tenant-id]\ntitel = 'T'\n",
            'category "tenant-id": titel: unknown field',
        ),
        ("[pack]\nname = 'p'\nversion = '1'\nrules = 'none'\n", "pack.rules: unknown field"),
        ("[pack]\nname = 'p'\nversion = '1'\n[rules]\nid = 'x'\n", "rules: expected an array of tables"),
        ("[pack\nname = 'p'\n", "invalid TOML"),
    ],
    ids=[
        "unknown-section",
        "unknown-pack-field",
        "bad-pack-name",
        "missing-version",
        "bad-visibility",
        "missing-pack",
        "unknown-category",
        "unknown-category-field",
        "pack-level-rules",
        "rules-not-array",
        "invalid-toml",
    ],
)
def test_pack_level_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = write_pack(tmp_path, "pack.toml", text)
    problems = _problems(path)
    assert any(problem.startswith(path.as_posix()) and expected in problem for problem in problems), problems


def test_duplicates_across_packs_name_both_files(tmp_path: Path) -> None:
    first = write_pack(
        tmp_path,
        "first.toml",
        pack_text("same-name", rules=[gizmo_rule()], categories={"tenant-id": {"title": "Tenant IDs"}}),
    )
    second = write_pack(
        tmp_path,
        "second.toml",
        pack_text("same-name", rules=[gizmo_rule()], categories={"tenant-id": {"title": "Tenant IDs again"}}),
    )
    problems = _problems(first, second)
    assert len(problems) == 3, problems
    assert all(problem.startswith(second.as_posix()) and first.as_posix() in problem for problem in problems)
    assert any('pack "same-name" is already loaded' in problem for problem in problems)
    assert any('category "tenant-id": already defined' in problem for problem in problems)
    assert any('rule id "policy/gizmo-code" is already defined' in problem for problem in problems)


def test_duplicate_rule_id_within_one_pack(tmp_path: Path) -> None:
    path = write_pack(tmp_path, "pack.toml", pack_text(rules=[gizmo_rule(), gizmo_rule()]))
    (problem,) = _problems(path)
    assert 'rule id "policy/gizmo-code" is already defined' in problem


def test_default_packs_must_define_every_category(tmp_path: Path) -> None:
    partial = {key: value for key, value in ALL_CATEGORIES.items() if key not in ("tenant-id", "provider-url")}
    data = pack_text("core", categories=partial).encode()
    with pytest.raises(UserError) as caught:
        assemble([PackFile(tmp_path / "core.toml", data, "policies/core.toml", default=True)])
    (problem,) = caught.value.problems
    assert problem == "default policy (policies/core.toml): categories not defined: tenant-id, provider-url"

    complete = pack_text("core", categories=ALL_CATEGORIES).encode()
    policy = assemble([PackFile(tmp_path / "core.toml", complete, "policies/core.toml", default=True)])
    assert policy.categories[Category.TENANT_ID].title == "Tenant Id"
    # A user pack need not define categories: only the default packs must.
    assert assemble([PackFile(tmp_path / "user.toml", pack_text("user").encode(), "user.toml")]).rules == ()


def test_disabled_rules_stay_loaded_and_unknown_ones_are_errors(tmp_path: Path) -> None:
    path = write_pack(tmp_path, "pack.toml", pack_text(rules=[gizmo_rule(), widget_record_rule()]))
    policy = load_policy(
        Config(
            root=tmp_path,
            default_policy=False,
            policy_files=(path,),
            disabled_rules=frozenset({"policy/gizmo-code", "secret/aws-access-key"}),
        )
    )
    assert [rule.id for rule in policy.rules] == ["gizmo-code", "widget-record"]  # the engine drops their findings

    (problem,) = _problems(path, disabled=frozenset({"policy/gizmo-cod"}))
    assert problem == "disable-rules: unknown rule 'policy/gizmo-cod' (did you mean policy/gizmo-code?)"


def test_missing_policy_file_is_a_problem(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path / "absent.toml")
    assert problem.startswith(f"{(tmp_path / 'absent.toml').as_posix()}: cannot read policy pack")


def test_default_packs_come_from_the_repository_policies_folder() -> None:
    files = default_pack_files()
    repo_policies = Path(__file__).resolve().parents[2] / "policies"
    assert [file.path.name for file in files] == sorted(path.name for path in repo_policies.glob("*.toml"))
    assert all(file.default and file.source.startswith("policies/") for file in files) or not files


def test_display_paths_are_relative_to_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "policies").mkdir()
    write_pack(tmp_path / "policies", "x.toml", pack_text(rules=[gizmo_rule(id="tenant-id-value", patterns=["a(b"])]))
    monkeypatch.chdir(tmp_path)
    (problem,) = _problems(Path("policies/x.toml"))
    assert problem == 'policies/x.toml: rule "tenant-id-value": patterns[0]: invalid regex: missing ): a(b'
