"""Issue 18, point 5: disabling a value's rule silences the value whichever other detector also saw it; every
unknown rule id in the configuration is an error with a suggestion; the configuration's problems and the
policy packs' come in one run, one line each, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from git_repo import Cli

from cavra_safety.config import Config
from cavra_safety.pipeline.engine import Engine
from cavra_safety.policy import Policy, load_policy
from cavra_safety.precedence import resolve_overlaps
from cavra_safety.sources import Origin, Source

# (the rule that reports the value, a rule that also sees it at the same place, the path of the example of
# the pair's policy/ rule that both see). Each detector pair once: policy over secret, secret over policy,
# python over policy, policy over the generic keyword plugin.
PAIRS = [
    ("policy/slack-webhook-url", "secret/slack-webhook", "cavra/notify.py"),
    ("secret/aws-secret-key", "policy/aws-shared-credentials-secret", "home/.aws/credentials"),
    ("python/enterprise-marker", "policy/enterprise-edition-marker", "cavra/__init__.py"),
    ("python/tenant-id-binding", "policy/tenant-id-value", "cavra/jobs/backfill.py"),
    ("policy/zoom-client-secret", "secret/secret-keyword", "server/config.js"),
]


def _example(policy: Policy, winner: str, loser: str, path: str) -> str:
    """The text of the pair's ``policy/`` rule's example at ``path``, built by the default packs (so that no
    secret-shaped value is written here)."""
    rule_id = winner if winner.startswith("policy/") else loser
    rule = policy.find_rule(rule_id)
    assert rule is not None, rule_id
    texts = [example.text for example in rule.examples if example.path == path]
    assert texts, f"{rule_id} has no example at {path}"
    return texts[0] + "\n"


@pytest.fixture(scope="module")
def default_rules() -> tuple[Engine, Policy]:
    config = Config(root=Path("."))
    policy = load_policy(config)
    return Engine(config, policy), policy


def _scan(cli: Cli, folder: Path, path: str, disabled: tuple[str, ...]) -> tuple[int, list[str]]:
    listed = ", ".join(f'"{rule_id}"' for rule_id in disabled)
    (folder / "pyproject.toml").write_text(f"[tool.cavra-safety]\ndisable-rules = [{listed}]\n", encoding="utf-8")
    code, out, err = cli(folder, "scan", path, "--format", "json", "--quiet", "--no-cache")
    assert code in (0, 1), err
    return code, [finding["rule_id"] for finding in json.loads(out)["findings"]]


@pytest.mark.parametrize(("winner", "loser", "path"), PAIRS, ids=[pair[0] for pair in PAIRS])
def test_disabling_the_rule_that_reports_a_value_silences_it_whoever_else_saw_it(
    cli: Cli, tmp_path: Path, default_rules: tuple[Engine, Policy], winner: str, loser: str, path: str
) -> None:
    engine, policy = default_rules
    text = _example(policy, winner, loser, path)
    # The premise: both rules see the value at the same place, and the first one reports it.
    resolved = resolve_overlaps(engine._detect(Source(path, text, Origin.TREE), []), engine._all_rules)
    assert [(item.finding.rule_id, loser in item.also_seen_by) for item in resolved] == [(winner, True)]
    target = tmp_path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    assert _scan(cli, tmp_path, path, ()) == (1, [winner])
    assert _scan(cli, tmp_path, path, (loser,)) == (1, [winner])  # the loser's switch changes nothing
    assert _scan(cli, tmp_path, path, (winner,)) == (0, [])  # not handed down to the loser
    assert _scan(cli, tmp_path, path, (winner, loser)) == (0, [])


def _project(folder: Path, table: str, pack: str | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "app.py").write_text("x = 1\n", encoding="utf-8")
    (folder / "pyproject.toml").write_text("[tool.cavra-safety]\n" + table, encoding="utf-8")
    if pack is not None:
        (folder / "extra.toml").write_text(pack, encoding="utf-8")


@pytest.mark.parametrize(
    ("rule_id", "problem"),
    [
        (
            "secret/slack-webhok",
            "disable-rules: unknown rule 'secret/slack-webhok' (did you mean secret/slack-webhook?)",
        ),
        (
            "secret/aws-acess-key",
            "disable-rules: unknown rule 'secret/aws-acess-key' (did you mean secret/aws-access-key?)",
        ),
        (
            "python/tenant-id-bindings",
            "disable-rules: unknown rule 'python/tenant-id-bindings' (did you mean python/tenant-id-binding?)",
        ),
        (
            "policy/slack-webhook-ur",
            "disable-rules: unknown rule 'policy/slack-webhook-ur' (did you mean policy/slack-webhook-url, "
            "policy/make-webhook-url, policy/discord-webhook-url?)",
        ),
        ("python/nothing-like-it", "disable-rules: unknown rule 'python/nothing-like-it'"),
        (
            "slack-webhook-url",
            "disable-rules: unknown rule 'slack-webhook-url' (did you mean policy/slack-webhook-url?)",
        ),
    ],
)
def test_every_unknown_rule_id_is_one_error_line_with_a_suggestion(
    cli: Cli, tmp_path: Path, rule_id: str, problem: str
) -> None:
    _project(tmp_path, f'disable-rules = ["{rule_id}"]\n')
    assert cli(tmp_path, "scan", ".", "--no-cache") == (
        2,
        "",
        f"cavra-safety: error: invalid configuration: {problem}\n",
    )


def test_a_known_rule_id_of_each_detector_is_accepted(cli: Cli, tmp_path: Path) -> None:
    ids = '"secret/slack-webhook", "python/tenant-id-binding", "policy/slack-webhook-url"'
    _project(tmp_path, f"disable-rules = [{ids}]\n")
    assert cli(tmp_path, "scan", ".", "--no-cache", "--quiet") == (0, "no findings\n", "")


BROKEN_PACK = '[pack]\nname = "extra"\nversion = "1"\n\n[[rules]]\nid = "Bad Id"\n'


@pytest.mark.parametrize("command", [("scan", "."), ("policy", "list"), ("baseline", "create")])
def test_configuration_and_policy_problems_come_in_one_run(cli: Cli, tmp_path: Path, command: tuple[str, ...]) -> None:
    table = (
        'fail-onn = "high"\njobs = -1\npolicies = ["extra.toml"]\n'
        'disable-rules = ["secret/slack-webhok", "policy/slack-webhook-ur", "python/nothing-like-it"]\n'
    )
    _project(tmp_path, table, BROKEN_PACK)
    code, out, err = cli(tmp_path, *command, "--no-cache")
    lines = [
        "cavra-safety: error: invalid configuration and policy: 14 problems",
        "  pyproject.toml: [tool.cavra-safety] fail-onn: unknown key (did you mean fail-on?)",
        "  pyproject.toml: [tool.cavra-safety] jobs: expected a whole number from 0 to 1024 (0 means one per core), "
        "got -1",
        "  extra.toml: rules[0]: id: 'Bad Id' does not match [a-z0-9][a-z0-9-]*",
        *(
            f"  extra.toml: rules[0]: {field}: required field is missing"
            for field in (
                "category",
                "severity",
                "title",
                "message",
                "keywords",
                "examples",
                "negative-examples",
                "patterns",
            )
        ),
        "  disable-rules: unknown rule 'policy/slack-webhook-ur' (did you mean policy/slack-webhook-url, "
        "policy/make-webhook-url, policy/discord-webhook-url?)",
        "  disable-rules: unknown rule 'python/nothing-like-it'",
        "  disable-rules: unknown rule 'secret/slack-webhok' (did you mean secret/slack-webhook?)",
    ]
    assert (code, out) == (2, "")
    assert err.splitlines() == lines


@pytest.mark.parametrize(
    ("table", "pack", "expected"),
    [
        (
            'fail-onn = "high"\n',
            None,
            "cavra-safety: error: pyproject.toml: invalid configuration: [tool.cavra-safety] fail-onn: unknown key "
            "(did you mean fail-on?)\n",
        ),
        (
            'policies = ["extra.toml"]\n',
            BROKEN_PACK.replace('"Bad Id"', '"ok"'),
            None,
        ),
        (
            'flavour = 1\npolicies = ["extra.toml"]\n',
            '[pack]\nname = "extra"\n',
            "cavra-safety: error: invalid configuration and policy: 2 problems\n"
            "  pyproject.toml: [tool.cavra-safety] flavour: unknown key (known: baseline, categories, decode, "
            "default-policy, disable-rules, exclude, exclude-categories, fail-on, jobs, max-file-size, policies, "
            "respect-gitignore)\n"
            "  extra.toml: pack.version: required field is missing\n",
        ),
    ],
    ids=["configuration-only", "policy-only", "both"],
)
def test_the_error_names_what_is_wrong(
    cli: Cli, tmp_path: Path, table: str, pack: str | None, expected: str | None
) -> None:
    _project(tmp_path, table, pack)
    code, out, err = cli(tmp_path, "scan", ".", "--no-cache")
    assert (code, out) == (2, "")
    if expected is not None:
        assert err == expected
    else:  # the policy's own problems keep their heading
        assert err.startswith('cavra-safety: error: invalid policy: 8 problems\n  extra.toml: rule "ok": category:')
