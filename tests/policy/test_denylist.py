"""Deny-lists end to end: ``policy hash-values`` output -> a pack -> a scan that finds exactly the listed
values (and dotted host suffixes), never near misses; the values themselves are never printed."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from pack_fixtures import pack_text, write_pack

from cavra_safety.commands.policy import policy as policy_group
from cavra_safety.config import Config
from cavra_safety.detectors.policy import build_policy_detector
from cavra_safety.errors import UserError
from cavra_safety.findings import Category, Finding, Severity
from cavra_safety.policy import load_policy
from cavra_safety.policy.denylist import MAX_VALUE_LENGTH, tokens, unique_tokens, value_problem
from cavra_safety.sources import Source

# Private-looking values, built at run time.
TENANT = "acme-" + "prod-" + "7731"
HOST = "acme" + ".internal"
LICENCE = "LK9Q" + "-ZZ41-" + "B7XW"
VALUES = [TENANT, HOST, LICENCE]


def hash_values(stdin: str | bytes, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(policy_group, ["hash-values", *args], input=stdin, standalone_mode=False)
    if isinstance(result.exception, UserError):
        return 2, result.stdout, str(result.exception)
    assert result.exception is None, result.exception
    return result.return_value, result.stdout, result.stderr


@pytest.fixture
def listed(tmp_path: Path) -> tuple[Path, str, str]:
    stdin = "# private tenant values\n\n" + "\n".join(VALUES) + "\n" + TENANT + "\n"
    code, stdout, stderr = hash_values(
        stdin, "--category", "tenant-id", "--id", "known-tenants", "--severity", "critical"
    )
    assert code == 0
    path = write_pack(tmp_path, "private.toml", pack_text("private-values", visibility="private") + "\n" + stdout)
    return path, stdout, stderr


def _scan(path: Path, text: str, filename: str = "notes.md") -> list[Finding]:
    config = Config(root=path.parent, default_policy=False, policy_files=(path,))
    detector = build_policy_detector(config, load_policy(config))
    return [item for item in detector.detect(Source(path=filename, text=text)) if isinstance(item, Finding)]


def test_printed_block_loads_and_never_shows_a_value(listed: tuple[Path, str, str]) -> None:
    path, stdout, stderr = listed
    for value in VALUES:
        assert value not in stdout and value not in stderr
        assert value.lower() not in stdout.lower()
    (deny,) = tomllib.loads(stdout)["denylist"]
    assert deny["id"] == "known-tenants" and deny["algorithm"] == "blake2b-256" and len(deny["salt"]) == 32
    assert len(deny["hashes"]) == 3 and deny["hashes"] == sorted(deny["hashes"])  # duplicates merged
    assert stderr.strip() == "hashed 3 value(s) into policy/denylist-known-tenants"

    policy = load_policy(Config(root=path.parent, default_policy=False, policy_files=(path,)))
    (loaded,) = policy.denylists
    assert loaded.info.rule_id == "policy/denylist-known-tenants"
    assert (loaded.info.category, loaded.info.severity) == (Category.TENANT_ID, Severity.CRITICAL)
    assert [info.rule_id for info in policy.rule_infos] == ["policy/denylist-known-tenants"]


def test_salt_is_random_per_run() -> None:
    first = tomllib.loads(hash_values(TENANT, "--category", "tenant-id")[1])["denylist"][0]
    second = tomllib.loads(hash_values(TENANT, "--category", "tenant-id")[1])["denylist"][0]
    assert first["salt"] != second["salt"] and first["hashes"] != second["hashes"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"tenant: {TENANT}", [(1, 9, TENANT)]),
        (f"TENANT={TENANT.upper()}", [(1, 8, TENANT.upper())]),  # case-insensitive by default
        (f"see https://api.{HOST}:8443/v1 and {HOST}.", [(1, 17, HOST), (1, 43, HOST)]),
        (f"db.eu.{HOST}\r\nkey {LICENCE}", [(1, 7, HOST), (2, 5, LICENCE)]),
        (f"{TENANT}0 x{TENANT} {TENANT}_old", []),  # near misses
        (f"{HOST}s {HOST}.evil acme-internal {HOST.replace('.', '-')}", []),
        (f"{LICENCE[:-1]} {LICENCE}9", []),
    ],
    ids=["exact", "upper-case", "host-suffix", "crlf-lines", "near-tenant", "near-host", "near-licence"],
)
def test_scan_finds_listed_values_only(
    listed: tuple[Path, str, str], text: str, expected: list[tuple[int, int, str]]
) -> None:
    findings = _scan(listed[0], text)
    assert [(f.line, f.column, f.end_column - f.column) for f in findings] == [
        (line, column, len(value)) for line, column, value in expected
    ]
    assert all(f.rule_id == "policy/denylist-known-tenants" and f.severity is Severity.CRITICAL for f in findings)


def test_case_sensitive_list(tmp_path: Path) -> None:
    code, stdout, _ = hash_values(TENANT, "--category", "tenant-id", "--case-sensitive")
    assert code == 0 and "case-sensitive = true" in stdout
    path = write_pack(tmp_path, "p.toml", pack_text() + "\n" + stdout)
    assert len(_scan(path, TENANT)) == 1 and _scan(path, TENANT.upper()) == []


@pytest.mark.parametrize(
    ("stdin", "problem"),
    [
        (f"{TENANT}\nacme prod\n", "line 2: value is not a single token"),
        (f"ops@{HOST}\n", "line 1: value is not a single token"),
        (f".{HOST}\n", "line 1: value is not a single token"),
        (f"{HOST}.\n", "line 1: value is not a single token"),
        ("k" * (MAX_VALUE_LENGTH + 1) + "\n", f"line 1: value is longer than {MAX_VALUE_LENGTH} characters"),
    ],
)
def test_unlistable_values_are_errors_that_never_quote_the_value(stdin: str, problem: str) -> None:
    code, stdout, message = hash_values(stdin, "--category", "tenant-id")
    assert code == 2 and stdout == ""
    assert problem in message
    for value in stdin.split("\n"):
        if value.strip():
            assert value.strip() not in message


def test_no_values_is_an_error() -> None:
    code, _, message = hash_values("# only a comment\n\n", "--category", "tenant-id")
    assert code == 2 and "no values on stdin" in message


def test_bad_list_id_is_an_error() -> None:
    code, _, message = hash_values(TENANT, "--category", "tenant-id", "--id", "Known Tenants")
    assert code == 2 and "--id 'Known Tenants'" in message


def test_every_listable_value_is_a_token_of_itself_in_context() -> None:
    for value in [TENANT, HOST, LICENCE, "a", "x_y-z.w", "a..b"]:
        assert value_problem(value) is None
        for context in (f"{value}", f"({value})", f"https://{value}/", f"x.{value}", f"'{value}'."):
            assert value in {token for _, token in tokens(context)}, (value, context)


def test_tokeniser_bounds_long_tokens() -> None:
    long_dotted = "a." * 100_000 + HOST
    found = [token for _, token in tokens(long_dotted)]
    assert HOST in found and all(len(token) <= MAX_VALUE_LENGTH for token in found)
    assert len(found) <= MAX_VALUE_LENGTH


def test_denylist_field_errors(tmp_path: Path) -> None:
    deny = {
        "id": "Bad Id",
        "category": "tenant-id",
        "severity": "high",
        "title": "t",
        "message": "m",
        "salt": "zz",
        "hashes": ["abc"],
        "algorithm": "md5",
        "extra": 1,
    }
    path = write_pack(tmp_path, "p.toml", pack_text(denylists=[deny]))
    with pytest.raises(UserError) as caught:
        load_policy(Config(root=tmp_path, default_policy=False, policy_files=(path,)))
    problems = caught.value.problems
    for expected in (
        "denylist[0]: id:",
        "denylist[0]: algorithm: unsupported 'md5'",
        "denylist[0]: salt:",
        "denylist[0]: hashes[0]: expected 64 lowercase hex digits",
        "denylist[0]: extra: unknown field",
    ):
        assert any(expected in problem for problem in problems), (expected, problems)
    assert len(problems) == 5


def test_undecodable_and_windows_input(tmp_path: Path) -> None:
    code, _, message = hash_values(
        b"\xef\xbb\xbf" + TENANT.encode() + b"\r\n" + b"acme\xff\xfeprod\r\n", "--category", "tenant-id"
    )
    assert code == 2 and "line 2: value is not a single token" in message and "line 1" not in message
    code, stdout, _ = hash_values(b"\xef\xbb\xbf" + TENANT.encode() + b"\r\n", "--category", "tenant-id")
    assert code == 0
    path = write_pack(tmp_path, "p.toml", pack_text() + "\n" + stdout)
    assert len(_scan(path, f"id {TENANT}")) == 1  # the BOM and the CR are not part of the value


def test_unique_tokens_are_the_tokens_of_the_text() -> None:
    text = f"x https://api.{HOST}/v1?t={TENANT} ..a..b.. {LICENCE}\r\n" + "k" * 300 + ".acme.io"
    assert unique_tokens(text) == {token for _, token in tokens(text)}
    assert {HOST, f"api.{HOST}", "internal", TENANT, "a..b", "acme.io", "io"} <= unique_tokens(text)
