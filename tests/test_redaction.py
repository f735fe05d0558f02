"""Secret-shaped values typed where they do not belong are never echoed in full (issue 12, point 5).

Every error path that quotes a user value (configuration keys of each type, flags, paths, refs, policy pack
fields, baseline fields, severities, categories) is fed keys of several shapes; the full value must appear on
neither stdout nor stderr, while the message still names the value by its redacted form.

Secret-shaped values are built at run time so that this repository passes its own scan.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from git_repo import Repo

from cavra_safety.cli import main
from cavra_safety.errors import UserError
from cavra_safety.redaction import quoted, redact, redact_secrets, secret_spans

STRIPE = "sk_" + "live_" + "Q7x9Lm2Kp4ZrAb8Cd0EfGh1J"
GITHUB = "ghp_" + "Zq8Wm2Lx7Kp4Rt9Vb3Nc6Yd1Hf5Gj0Ts8Ue"
AWS = "AKIA" + "Q7X9LM2KP4ZRAB8C"
RANDOM = "Xk3" + "9fQ2mZ7pL1vR8sT4wB6nY0cD5hJ"
HEX = "3f9a1c7e" + "5b2d8f40a1b2c3d4e5f60718293a4b5c"
PASSWORD = "S3cr3t" + "P4ssw0rdQ7x9"
URL = "postgres://admin:" + PASSWORD + "@db.internal/app"
SECRETS = {"stripe": STRIPE, "github": GITHUB, "aws": AWS, "random": RANDOM, "hex": HEX}


# --- the rule --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [*SECRETS.values(), "eyJ" + "hbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.sig"])
def test_secret_shaped_values_are_redacted_as_findings_are(secret: str) -> None:
    assert redact_secrets(secret) == redact(secret)
    assert quoted(secret) == repr(redact(secret))
    assert redact_secrets(f"unknown revision '{secret}': no such commit") == (
        f"unknown revision '{redact(secret)}': no such commit"
    )


def test_a_url_keeps_its_scheme_user_and_host_but_not_its_password() -> None:
    assert redact_secrets(URL) == "postgres://admin:" + redact(PASSWORD) + "@db.internal/app"


def test_a_path_keeps_every_part_but_the_secret_one() -> None:
    assert redact_secrets(f"/tmp/work/{RANDOM}/baseline.json") == f"/tmp/work/{redact(RANDOM)}/baseline.json"
    assert redact_secrets(f"reports/{STRIPE}.json") == f"reports/{redact(STRIPE)}.json"


@pytest.mark.parametrize(
    "text",
    [
        "policy/tenant-id-value",
        "python/connector-credential-binding",
        "/tmp/pytest-of-root/pytest-12/test_a_hand_edited_entry_names0/pyproject.toml",
        "/home/user/projects/cavra-safety/.cavra-safety-baseline.json",
        "getTenantIdFieldValue",
        "HTTPServerErrorHandler2",
        "refs/heads/feature/JIRA-1234-add-thing",
        "origin/main...HEAD~12",
        "unknown severity 'severe' (valid: low, medium, high, critical)",
        "a1b2c3d4e5f6",  # an abbreviated commit id
        "sk_live_" + "x" * 24,  # a placeholder: nothing to hide, but redacted all the same by its shape
    ][:-1],
)
def test_names_paths_and_messages_are_left_in_clear(text: str) -> None:
    assert secret_spans(text) == []
    assert redact_secrets(text) == text


def test_a_user_error_redacts_its_whole_text() -> None:
    error = UserError(f"cannot read {STRIPE}", (f"line 2: {RANDOM}", "line 3: fine"))
    assert STRIPE not in str(error) and RANDOM not in str(error)
    assert str(UserError("invalid configuration:", ("only problem",))) == "invalid configuration: only problem"


# --- every error path ------------------------------------------------------------------------------------

PACK_HEAD = '[pack]\nname = "p"\nversion = "1"\n\n'
RULE = (
    '[[rules]]\nid = "r"\ncategory = "tenant-id"\nseverity = "low"\ntitle = "t"\nmessage = "m"\n'
    'keywords = ["gizmo"]\npatterns = [\'gizmo_code = "(?P<secret>[^"]*)"\']\n'
    "examples = ['gizmo_code = \"GZ7q2LmP9x\"']\nnegative-examples = ['gizmo_code = \"<gizmo-code>\"']\n"
)
DENYLIST = (
    '[[denylist]]\nid = "d"\ncategory = "tenant-id"\nseverity = "low"\ntitle = "t"\nmessage = "m"\n'
    f'salt = "{"ab" * 16}"\nhashes = ["{"cd" * 32}"]\n'
)


def pack_with(secret: str, field: str) -> str:
    """A pack with ``secret`` put in ``field``."""
    cases = {
        "pack-name": PACK_HEAD.replace('name = "p"', f'name = "{secret}"') + RULE,
        "visibility": PACK_HEAD + f'visibility = "{secret}"\n\n' + RULE,
        "rule-id": PACK_HEAD + RULE.replace('id = "r"', f'id = "{secret}"'),
        "category": PACK_HEAD + RULE.replace('category = "tenant-id"', f'category = "{secret}"'),
        "severity": PACK_HEAD + RULE.replace('severity = "low"', f'severity = "{secret}"'),
        "kind": PACK_HEAD + RULE + f'kind = "{secret}"\n',
        "min-length": PACK_HEAD + RULE + f'min-length = "{secret}"\n',
        "min-entropy": PACK_HEAD + RULE + f'min-entropy = "{secret}"\n',
        "unknown-field": PACK_HEAD + RULE + f'"{secret}" = 1\n',
        "glob": PACK_HEAD + RULE + f'paths = {{ include = ["[z-a]{secret}"] }}\n',
        "example-path": PACK_HEAD
        + RULE.replace("examples = [", f'examples = [{{ text = "x", path = "/{secret}" }}, ', 1),
        "category-title": PACK_HEAD + f'[categories."{secret}"]\ntitle = "t"\n\n' + RULE,
        "algorithm": PACK_HEAD + DENYLIST + f'algorithm = "{secret}"\n',
        "salt": PACK_HEAD + DENYLIST.replace(f'salt = "{"ab" * 16}"', f'salt = "{secret}"'),
        "python-module": PACK_HEAD + RULE + f'\n[python.modules]\ntenant-id = ["{secret} x"]\n',
    }
    return cases[field]


PACK_FIELDS = [
    "pack-name",
    "visibility",
    "rule-id",
    "category",
    "severity",
    "kind",
    "min-length",
    "min-entropy",
    "unknown-field",
    "glob",
    "example-path",
    "category-title",
    "algorithm",
    "salt",
    "python-module",
]

CONFIG_CASES = {
    "fail-on": 'fail-on = "{}"',
    "categories": 'categories = ["{}"]',
    "exclude-categories": 'exclude-categories = ["{}"]',
    "jobs": 'jobs = "{}"',
    "max-file-size": 'max-file-size = "{}"',
    "respect-gitignore": 'respect-gitignore = "{}"',
    "default-policy": 'default-policy = "{}"',
    "exclude": 'exclude = "{}"',
    "exclude-pattern": 'exclude = ["[z-a]{}"]',
    "policies": 'policies = "{}"',
    "policies-missing": 'policies = ["{}.toml"]',
    "disable-rules": 'disable-rules = ["policy/{}"]',
    "baseline": 'baseline = ["{}"]',
    "unknown-key": '"{}" = 1',
}


def _baseline_with(secret: str, field: str) -> str:
    entry = {
        "path": "settings.py",
        "rule_id": "policy/stripe-live-secret-key",
        "category": "billing-secret",
        "fingerprint": "ab" * 32,
        "reason": "fixture",
    }
    document: dict[str, object] = {"version": 1, "generated_by": "cavra-safety", "entries": [entry]}
    if field == "version":
        document["version"] = secret
    elif field == "unknown-top-key":
        document[secret] = 1
    elif field == "unknown-entry-key":
        entry[secret] = "x"
    else:
        entry[field] = secret
    return json.dumps(document, indent=2)


BASELINE_FIELDS = ["rule_id", "category", "fingerprint", "version", "unknown-top-key", "unknown-entry-key"]

Case = Callable[[Path, str], list[str]]


def _config_case(line: str) -> Case:
    def prepare(root: Path, secret: str) -> list[str]:
        (root / "pyproject.toml").write_text("[tool.cavra-safety]\n" + line.format(secret) + "\n")
        return ["scan", "."]

    return prepare


def _pack_case(field: str, command: str) -> Case:
    def prepare(root: Path, secret: str) -> list[str]:
        (root / "pack.toml").write_text(pack_with(secret, field))
        if command == "check":
            return ["policy", "check", "pack.toml"]
        return ["scan", ".", "--no-default-policy", "--policy", "pack.toml"]

    return prepare


def _baseline_case(field: str) -> Case:
    def prepare(root: Path, secret: str) -> list[str]:
        (root / "b.json").write_text(_baseline_with(secret, field))
        return ["scan", ".", "--baseline", "b.json"]

    return prepare


def _argv(*argv: str) -> Case:
    return lambda _root, secret: [part.replace("{}", secret) for part in argv]


CASES: dict[str, Case] = {
    **{f"config-{name}": _config_case(line) for name, line in CONFIG_CASES.items()},
    **{f"pack-{field}-check": _pack_case(field, "check") for field in PACK_FIELDS},
    **{f"pack-{field}-scan": _pack_case(field, "scan") for field in PACK_FIELDS},
    **{f"baseline-{field}": _baseline_case(field) for field in BASELINE_FIELDS},
    "flag-fail-on": _argv("scan", ".", "--fail-on", "{}"),
    "flag-category": _argv("scan", ".", "--category", "{}"),
    "flag-exclude-category": _argv("scan", ".", "--exclude-category", "{}"),
    "flag-max-file-size": _argv("scan", ".", "--max-file-size", "{}"),
    "flag-format": _argv("scan", ".", "--format", "{}"),
    "flag-color": _argv("scan", ".", "--color", "{}"),
    "flag-jobs": _argv("scan", ".", "--jobs", "{}"),
    "flag-exclude": _argv("scan", ".", "--exclude", "[z-a]{}"),
    "flag-unknown": _argv("scan", ".", "--{}"),
    "command-unknown": _argv("{}"),
    "path-scan": _argv("scan", "{}"),
    "path-baseline": _argv("scan", ".", "--baseline", "{}.json"),
    "path-config": _argv("scan", ".", "--config", "{}.toml"),
    "path-policy": _argv("scan", ".", "--policy", "{}.toml"),
    "path-output": _argv("scan", ".", "-o", "{}/report.json"),
    "path-fix": _argv("fix", "{}.py"),
    "path-policy-check": _argv("policy", "check", "{}.toml"),
    "path-baseline-list": _argv("baseline", "list", "--baseline", "{}.json"),
    "path-audit-verify": _argv("audit", "verify", "{}.json"),
    "ref-diff": _argv("scan", "--diff", "{}"),
    "ref-diff-range": _argv("scan", "--diff", "main...{}"),
    "ref-since": _argv("scan", "--history", "--since", "{}"),
    "ref-branch": _argv("scan", "--history", "--branch", "{}"),
    "policy-show": _argv("policy", "show", "{}"),
    "hash-values-id": _argv("policy", "hash-values", "--category", "tenant-id", "--id", "{}"),
    "hash-values-severity": _argv("policy", "hash-values", "--category", "tenant-id", "--severity", "{}"),
    "disable-rule-flag-free": _argv("policy", "list", "--policy", "{}"),
}


@pytest.mark.parametrize("shape", ["stripe", "random", "github"])
@pytest.mark.parametrize("case", list(CASES))
def test_no_error_path_echoes_a_secret_in_full(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], case: str, shape: str
) -> None:
    secret = SECRETS[shape]
    repo.commit("one", {"app.py": "x = 1\n"})
    argv = CASES[case](repo.path, secret)
    monkeypatch.chdir(repo.path)
    code = main(argv)
    captured = capsys.readouterr()
    shown = captured.out + captured.err
    assert code == 2, shown
    assert "Traceback" not in shown
    assert secret not in shown
    assert secret[4:20] not in shown  # nor a long piece of it


@pytest.mark.parametrize(
    "argv",
    [["scan", "--diff", URL], ["scan", ".", "--config", URL], ["scan", ".", "--fail-on", URL]],
    ids=["diff", "config", "fail-on"],
)
def test_a_url_password_is_never_echoed(
    repo: Repo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    repo.commit("one", {"app.py": "x = 1\n"})
    monkeypatch.chdir(repo.path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert PASSWORD not in captured.out + captured.err
    assert "db.internal" in captured.err  # the rest of the URL is shown, so the user can find it


def test_a_mistyped_value_that_is_no_secret_is_still_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.cavra-safety]\nfail-on = "severe"\n')
    assert main(["scan", "."]) == 2
    assert "fail-on: unknown severity 'severe' (valid: low, medium, high, critical)" in capsys.readouterr().err
