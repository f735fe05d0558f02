"""The JSON report: its documented schema, its digest, and ``audit verify`` on intact and tampered reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from audit_repo import Cli, Repo, accept_aws, planted

from cavra_safety.audit import compute_digest

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "docs" / "audit-report.schema.json"
DOC_FILE = Path(__file__).resolve().parents[2] / "docs" / "audit.md"


@pytest.fixture
def report(repo: Repo, cli: Cli) -> Path:
    planted(repo)
    accept_aws(cli, repo)
    target = repo.path.parent / "audit.json"
    code, _, _ = cli(repo.path, "audit", "--report", str(target), "-q")
    assert code == 1
    return target


def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def test_the_schema_is_valid_and_the_report_follows_it(report: Path) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(_load(report))


def test_the_documentation_names_every_field_of_the_schema() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    doc = DOC_FILE.read_text(encoding="utf-8")
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            names.update(node.get("properties", {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    missing = sorted(name for name in names if f"`{name}`" not in doc)
    assert missing == []


def test_an_intact_report_verifies(report: Path, cli: Cli) -> None:
    document = _load(report)
    assert document["digest"] == compute_digest(document)
    code, out, err = cli(report.parent, "audit", "verify", str(report))
    assert (code, err) == (0, "")
    assert f"OK: digest {document['digest']} matches; verdict fail" in out
    code, _, _ = cli(report.parent, "audit", "verify", str(report), "--expect", document["digest"])
    assert code == 0


def test_the_digest_ignores_formatting_but_not_content(report: Path, cli: Cli) -> None:
    document = _load(report)
    report.write_text(json.dumps(document, sort_keys=True), encoding="utf-8")  # re-indented, re-ordered
    assert cli(report.parent, "audit", "verify", str(report))[0] == 0


def _set(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        node: Any = document
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return change


def _flip_verdict_everywhere(document: dict[str, Any]) -> None:
    # A careful forger: every count and verdict agrees, but the digest was not recomputed.
    document["verdict"] = "pass"
    for row in document["categories"]:
        row["verdict"], row["counts"]["tree"], row["counts"]["history_only"] = "pass", 0, 0
    document["findings"] = [f for f in document["findings"] if f["status"] == "accepted"]


TAMPERING: dict[str, Callable[[dict[str, Any]], None]] = {
    "verdict flipped": _set(("verdict",), "pass"),
    "a count lowered": _set(("categories", 1, "counts", "tree"), 0),
    "a finding removed": lambda d: d["findings"].pop(0),
    "evidence edited": _set(("findings", 0, "redacted"), "none"),
    "head commit changed": _set(("repository", "head", "commit"), "0" * 40),
    "a pack hash changed": _set(("policy_packs", 0, "sha256"), "f" * 64),
    "a field added": _set(("reviewed_by",), "someone"),
    "consistent forgery": _flip_verdict_everywhere,
}


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_a_tampered_report_fails(report: Path, cli: Cli, tamper: Callable[[dict[str, Any]], None]) -> None:
    document = _load(report)
    tamper(document)
    report.write_text(json.dumps(document, indent=2), encoding="utf-8")
    code, out, err = cli(report.parent, "audit", "verify", str(report))
    assert (code, out) == (1, "")
    assert "FAILED verification" in err and "digest mismatch" in err


def test_a_recomputed_digest_still_fails_on_inconsistency_and_on_expect(report: Path, cli: Cli) -> None:
    document = _load(report)
    original = document["digest"]
    document["verdict"] = "pass"
    document["digest"] = compute_digest(document)
    report.write_text(json.dumps(document), encoding="utf-8")
    code, _, err = cli(report.parent, "audit", "verify", str(report))
    assert code == 1 and "does not follow the category rows" in err
    code, _, err = cli(report.parent, "audit", "verify", str(report), "--expect", original)
    assert code == 1 and "is not the expected" in err


def test_a_repeated_key_is_refused(report: Path, cli: Cli) -> None:
    text = report.read_text(encoding="utf-8")
    report.write_text(
        text.replace('"verdict": "fail",', '"verdict": "fail",\n  "verdict": "pass",', 1), encoding="utf-8"
    )
    code, _, err = cli(report.parent, "audit", "verify", str(report))
    assert code == 2 and "repeated key 'verdict'" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("# Public-safety audit\n", "not a JSON audit report"),
        ('{"findings": []}', "not a cavra-safety audit report"),
        ('{"report": "cavra-safety-audit", "version": 99}', "version 99 is not supported"),
        ("[1, 2]", "not a cavra-safety audit report"),
    ],
)
def test_what_is_not_a_report_is_a_user_error(tmp_path: Path, cli: Cli, content: str, message: str) -> None:
    target = tmp_path / "r.json"
    target.write_text(content, encoding="utf-8")
    code, _, err = cli(tmp_path, "audit", "verify", str(target))
    assert code == 2 and message in err


def test_a_missing_report_is_a_user_error(tmp_path: Path, cli: Cli) -> None:
    code, _, err = cli(tmp_path, "audit", "verify", str(tmp_path / "nope.json"))
    assert code == 2 and "report not found" in err


def test_the_same_commit_gives_the_same_digest(repo: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796312000")  # the clock pinned, as reproducible builds pin it
    planted(repo)
    first = cli.report(repo.path)[1]["digest"]
    second = cli.report(repo.path)[1]["digest"]
    assert first == second
    repo.write("more.py", "x = 2\n")
    assert cli.report(repo.path)[1]["digest"] != first
