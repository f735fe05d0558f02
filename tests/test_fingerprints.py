"""Fingerprints that leave the machine cannot be reversed by guessing: values a dictionary could reach get a
slow, salted derivation; random keys keep their plain hash; old baselines still match and are rewritten."""

from __future__ import annotations

import hashlib
import json
import secrets
from pathlib import Path

import pytest

from cavra_safety.cli import main
from cavra_safety.findings import (
    SLOW_PREFIX,
    Category,
    Finding,
    Fingerprints,
    RuleInfo,
    Severity,
    fingerprint,
    guessable,
    slow_fingerprint,
)

BASELINE = ".cavra-safety-baseline.json"
TENANT_RULE = "policy/tenant-id-value"
RULE = RuleInfo("policy/x", Category.TENANT_ID, Severity.HIGH, "x")


def random_key(length: int = 32) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    while True:  # a random draw can, rarely, look regular; draw again
        value = "".join(secrets.choice(alphabet) for _ in range(length))
        if not guessable(value):
            return value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("globex-prod-17", True),  # a production tenant id: a few thousand guesses away
        ("correct-horse-battery-staple-2024", True),  # long, but words
        ("Password123Password123", True),
        ("ABCD-EFGH-IJKL-MNOP", True),  # a licence-key shape: short groups
        ("a" * 40, True),
        ("12345678901234567890123", True),  # digits only: a number, not a key
        ("0123456789abcdef0123", True),  # too regular (entropy below the bar)
        ("9fQ2xLm7Rt4ZkP1wHs8Vb3Nc", False),  # random base62
        ("e3b0c44298fc1c149afbf4c8996fb92427ae41e4", False),  # random hex
    ],
)
def test_guessable_values_are_told_from_random_ones(value: str, expected: bool) -> None:
    assert guessable(value) is expected


TENANT = "globex" + "-prod-17"  # built at run time: this file passes the scanner's own scan


def test_a_guessable_value_is_published_slow_and_salted_a_random_one_plain() -> None:
    tenant = Finding.create(RULE, path="a.py", line=1, column=1, secret=TENANT, message="m")
    key = random_key()
    strong = Finding.create(RULE, path="a.py", line=2, column=1, secret=key, message="m")
    plain = fingerprint(RULE.rule_id, TENANT)
    assert tenant.guessable and tenant.fingerprint == tenant.identity == plain  # not published yet
    published = Fingerprints("00" * 16).publish(tenant)
    assert published.fingerprint.startswith(SLOW_PREFIX)
    assert plain not in published.fingerprint
    assert published.identity == plain  # kept in memory for "the same value", never written out
    assert Fingerprints("11" * 16).publish(tenant).fingerprint != published.fingerprint  # another salt
    assert Fingerprints("00" * 16).publish(published) == published  # publishing twice changes nothing
    assert Fingerprints("00" * 16).publish(strong).fingerprint == fingerprint(RULE.rule_id, key)


def test_a_guess_costs_a_slow_derivation() -> None:
    """What an attacker holding a published fingerprint must do per candidate: the whole derivation, never a
    plain hash (the hour-per-million figure is measured in benchmarks/scale.py, not timed here)."""
    identity = fingerprint(TENANT_RULE, "globex-prod-17")
    target = slow_fingerprint(identity, "ab" * 16)
    candidates = [f"globex-prod-{n}" for n in range(10, 20)]
    hits = [c for c in candidates if slow_fingerprint(fingerprint(TENANT_RULE, c), "ab" * 16) == target]
    assert hits == ["globex-prod-17"]  # the derivation is deterministic: matching works, for a price
    assert target != hashlib.sha256(identity.encode()).hexdigest()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "tenants.py").write_text('tenant_id = "' + "globex" + '-prod-17"\n')
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def json_findings(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, object]]:
    code, out, _ = run(capsys, "scan", ".", "--format", "json", "-q", *argv)
    assert code in (0, 1)
    findings: list[dict[str, object]] = json.loads(out)["findings"]
    return findings


def test_no_published_fingerprint_is_the_plain_hash_of_a_tenant_id(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (finding,) = json_findings(capsys)
    rule_id = str(finding["rule_id"])
    plain = fingerprint(rule_id, "globex" + "-prod-17")
    assert str(finding["fingerprint"]).startswith(SLOW_PREFIX)
    code, out, _ = run(capsys, "scan", ".", "--format", "sarif", "-q")
    assert code == 1 and plain not in out
    assert run(capsys, "baseline", "create", "--reason", "fixture")[0] == 0
    text = (project / BASELINE).read_text()
    assert plain not in text
    document = json.loads(text)
    assert document["version"] == 2 and len(document["fingerprint_salt"]) == 32
    (entry,) = document["entries"]
    assert entry["fingerprint"].startswith(SLOW_PREFIX)
    # The scan publishes with the baseline's salt, so the entry accepts the finding.
    code, _, err = run(capsys, "scan", ".")
    assert code == 0 and "1 in baseline" in err
    # Each baseline has its own salt: a table computed for one file is useless for another.
    assert run(capsys, "baseline", "create", "--force", "--reason", "fixture")[0] == 0
    again = json.loads((project / BASELINE).read_text())
    assert again["fingerprint_salt"] != document["fingerprint_salt"]
    assert again["entries"][0]["fingerprint"] != entry["fingerprint"]


def test_a_version_1_baseline_still_matches_and_an_update_rewrites_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (finding,) = json_findings(capsys)
    rule_id = str(finding["rule_id"])
    plain = fingerprint(rule_id, "globex" + "-prod-17")
    entry = {"path": "tenants.py", "rule_id": rule_id, "category": "tenant-id", "fingerprint": plain, "reason": "old"}
    (project / BASELINE).write_text(json.dumps({"version": 1, "generated_by": "cavra-safety", "entries": [entry]}))
    code, _, err = run(capsys, "scan", ".")
    assert code == 0 and "1 in baseline" in err
    code, out, _ = run(capsys, "baseline", "list")
    assert code == 0 and out.startswith("ok ")
    code, _, err = run(capsys, "baseline", "update")
    assert code == 0 and "0 added, 0 stale removed, 1 entries" in err  # rewritten, not new
    document = json.loads((project / BASELINE).read_text())
    assert document["version"] == 2 and "fingerprint_salt" in document
    (rewritten,) = document["entries"]
    assert rewritten["reason"] == "old"  # the reviewer's reason survives
    assert rewritten["fingerprint"].startswith(SLOW_PREFIX) and plain not in json.dumps(document)
    code, _, err = run(capsys, "scan", ".")
    assert code == 0 and "1 in baseline" in err


@pytest.mark.parametrize("salt", ["short", "G" * 32, 5])
def test_a_bad_salt_is_a_clear_error(project: Path, capsys: pytest.CaptureFixture[str], salt: object) -> None:
    document = {"version": 2, "generated_by": "cavra-safety", "fingerprint_salt": salt, "entries": []}
    (project / BASELINE).write_text(json.dumps(document, indent=2))
    code, out, err = run(capsys, "scan", ".")
    assert (code, out) == (2, "")
    assert '"fingerprint_salt" must be 32 lowercase hex digits' in err and "Traceback" not in err


def test_baseline_list_never_shows_a_key_pasted_into_a_reason(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "baseline", "create", "--reason", "fixture")[0] == 0
    pasted = "sk_" + "live_" + "9fQ2xLm7Rt4ZkP1wHs8Vb3Nc"
    document = json.loads((project / BASELINE).read_text())
    document["entries"][0]["reason"] = f"rotated: was {pasted}"
    (project / BASELINE).write_text(json.dumps(document, indent=2))
    code, out, _ = run(capsys, "baseline", "list")
    assert code == 0 and "rotated: was sk_l" in out
    assert pasted not in out
