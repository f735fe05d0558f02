"""``cavra-safety contract ...`` end to end, through ``cli.main``: the three user stories and each command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from contract_samples import EXAMPLE_DIR, REPO_ROOT, SCHEMA_DIR, UNSAFE_VALUES, changed, example

from cavra_safety.cli import main
from contract.kinds import DOCUMENT_KINDS

REQUEST_FLAGS = [
    "--deployment-model",
    "hybrid",
    "--organization",
    "Example Manufacturing Co.",
    "--owner-role",
    "Platform owner",
    "--owner-team",
    "Platform engineering",
    "--contact-alias",
    "platform-team",
]
READY = ["--trial-package-ready", "--pilot-handoff-ready"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["contract", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# --- story 1: the sales engineer builds a request once the trial package and pilot handoff are ready ----------


def test_sales_engineer_builds_validates_and_submits_a_request(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    request_file = tmp_path / "request.json"
    code, out, err = run(
        capsys,
        "request",
        *REQUEST_FLAGS,
        *READY,
        "--acknowledge",
        "sso-onboarding",
        "--acknowledge",
        "license-validation",
        "--notes",
        "Pilot finished.",
        "--output",
        str(request_file),
    )
    assert (code, out, err) == (0, "", "")
    document = json.loads(request_file.read_text(encoding="utf-8"))
    assert document == example("tenant-onboarding-request") | {
        "acknowledged_requirements": ["sso-onboarding", "license-validation"],
        "notes": "Pilot finished.",
    }

    code, out, _ = run(capsys, "validate", str(request_file))
    assert (code, out) == (0, f"{request_file}: valid tenant-onboarding-request (contract 1.0)\n")

    code, out, _ = run(capsys, "submit", str(request_file))
    assert code == 0
    response = json.loads(out)
    assert (response["kind"], response["status"], response["edition"]) == (
        "tenant-onboarding-response",
        "unavailable",
        "community",
    )
    assert [r["id"] for r in response["requirements"]][:3] == [
        "tenant-database-isolation",
        "sso-onboarding",
        "license-validation",
    ]


def test_request_prints_json_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "request", *REQUEST_FLAGS, *READY)
    assert code == 0
    assert json.loads(out)["owner"] == {
        "role": "Platform owner",
        "team": "Platform engineering",
        "contact_alias": "platform-team",
    }


TRIAL_NOT_READY = "--trial-package-ready: the trial package is not ready; pass this flag once it is"
PILOT_NOT_READY = "--pilot-handoff-ready: the pilot handoff is not ready; pass this flag once it is"


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--pilot-handoff-ready"], [TRIAL_NOT_READY]),
        (["--trial-package-ready"], [PILOT_NOT_READY]),
        ([], [TRIAL_NOT_READY, PILOT_NOT_READY]),
    ],
)
def test_request_is_refused_while_not_ready(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    flags: list[str],
    expected: list[str],
) -> None:
    output = tmp_path / "request.json"
    code, out, err = run(capsys, "request", *REQUEST_FLAGS, *flags, "--output", str(output))
    assert code == 2
    assert out == ""
    header = "cavra-safety: error: cannot build a tenant onboarding request:"
    if len(expected) == 1:  # a single problem shares the error's one line
        assert err.splitlines() == [f"{header} {expected[0]}"]
    else:
        assert err.splitlines() == [header, *(f"  {line}" for line in expected)]
    assert not output.exists()


def test_request_lists_every_missing_or_wrong_flag_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        capsys,
        "request",
        "--deployment-model",
        "on_premises",
        "--owner-role",
        "Platform owner",
        "--contact-alias",
        "jane.doe@example.com",
        "--acknowledge",
        "free-lunch",
        *READY,
    )
    assert code == 2
    lines = err.splitlines()[1:]
    assert lines[0] == "  --deployment-model: must be one of 'hosted_saas', 'self_hosted_enterprise' or 'hybrid'"
    assert lines[1] == "  --organization: required field is missing"
    assert lines[2] == "  --owner-team: required field is missing"
    assert lines[3].startswith("  --contact-alias: must be a role-based handle such as 'platform-team'")
    assert lines[4].startswith("  --acknowledge: must be one of 'tenant-database-isolation', 'sso-onboarding',")
    assert lines[5].startswith("  --contact-alias: personal-contact (contract/email-address) must not appear")
    assert len(lines) == 6


@pytest.mark.parametrize(
    ("flag", "category"),
    [("--notes", "tenant-id"), ("--organization", "license-key"), ("--owner-team", "connector-credential")],
)
def test_request_rejects_unsafe_values_redacted(
    capsys: pytest.CaptureFixture[str],
    flag: str,
    category: str,
) -> None:
    secret = UNSAFE_VALUES[category]()
    flags = [*REQUEST_FLAGS, *READY]
    if flag in flags:
        flags[flags.index(flag) + 1] = secret
    else:
        flags += [flag, secret]
    code, out, err = run(capsys, "request", *flags)
    assert (code, out) == (2, "")
    assert f" {flag}: {category} (" in err
    assert secret not in err and secret[-10:] not in err


# --- story 2: the platform owner sees what activation needs -----------------------------------------------


@pytest.mark.parametrize(
    ("model", "count"),
    [("hosted_saas", 9), ("self_hosted_enterprise", 7), ("hybrid", 10), (None, 10)],
)
def test_platform_owner_lists_requirements_as_json(
    capsys: pytest.CaptureFixture[str],
    model: str | None,
    count: int,
) -> None:
    args = ["requirements", "--format", "json", *(["--deployment-model", model] if model else [])]
    code, out, _ = run(capsys, *args)
    assert code == 0
    requirements = json.loads(out)
    assert len(requirements) == count
    assert all(set(r) == {"id", "title", "description", "applies_to"} for r in requirements)
    assert all(model in r["applies_to"] for r in requirements) if model else True


def test_requirements_as_text_and_markdown(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "requirements", "--deployment-model", "self_hosted_enterprise")
    assert code == 0
    assert out.startswith("sso-onboarding: SSO onboarding (applies to: hosted_saas, self_hosted_enterprise, hybrid)\n")
    assert "billing-checks" not in out
    output = tmp_path / "requirements.md"
    assert run(capsys, "requirements", "--format", "markdown", "--output", str(output)) == (0, "", "")
    assert output.read_text(encoding="utf-8") in (REPO_ROOT / "docs" / "contract.md").read_text(encoding="utf-8")


def test_requirements_reject_an_unknown_deployment_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "requirements", "--deployment-model", "mainframe")
    assert (code, out) == (2, "")
    assert err == (
        "cavra-safety: error: --deployment-model: unknown deployment model"
        " (valid: hosted_saas, self_hosted_enterprise, hybrid)\n"
    )


# --- story 3: the security reviewer confirms nothing here provisions tenants or holds secrets -----------


def test_security_reviewer_validates_every_example_and_checks_the_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    described = [
        str(EXAMPLE_DIR / f"{kind}.json")
        for kind in (
            "tenant-onboarding-request",
            "tenant-onboarding-response",
            "entitlement-status-request",
            "entitlement-status-response",
        )
    ]
    code, out, _ = run(capsys, "validate", *described)
    assert code == 0
    assert len(out.splitlines()) == 4
    for kind in ("deployment-model", "activation-requirement"):
        code, out, _ = run(capsys, "validate", "--kind", kind, str(EXAMPLE_DIR / f"{kind}.json"))
        assert (code, out) == (0, f"{EXAMPLE_DIR / kind}.json: valid {kind} (contract 1.0)\n")
    assert run(capsys, "schema", "--check") == (0, "", "")


def test_security_reviewer_scans_the_contract_package_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["scan", str(REPO_ROOT / "contract"), "--format", "json", "--quiet"])
    report = json.loads(capsys.readouterr().out)
    assert (code, report["findings"]) == (0, [])


def test_entitlement_status_is_unavailable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "entitlement-status",
        "--deployment-model",
        "self_hosted_enterprise",
        "--tenant-alias",
        "example-pilot",
        "--feature",
        "audit.export",
        "--feature",
        "sso",
        "--format",
        "json",
    )
    assert code == 0
    response = json.loads(out)
    assert response["status"] == "unavailable"
    assert [(f["feature"], f["status"]) for f in response["features"]] == [
        ("audit.export", "unavailable"),
        ("sso", "unavailable"),
    ]
    assert "own CAVRA Enterprise installation" in response["message"]


def test_entitlement_status_as_text_with_no_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "entitlement-status")
    assert code == 0
    assert out.splitlines()[0] == "status: unavailable (edition community, any deployment model, contract 1.0)"
    output = tmp_path / "status.txt"
    assert run(capsys, "entitlement-status", "--feature", "sso", "--output", str(output)) == (0, "", "")
    assert output.read_text(encoding="utf-8").endswith(
        "features:\n  sso: unavailable - Not available in CAVRA"
        " Community: feature entitlements are answered by a"
        " private service.\n"
    )


def test_entitlement_status_lists_every_bad_option(capsys: pytest.CaptureFixture[str]) -> None:
    tenant_id = "".join(["7c9e6679", "-7425-40de-944b-", "e07cc4f1cb9f"])
    code, out, err = run(
        capsys,
        "entitlement-status",
        "--deployment-model",
        "cloud",
        "--tenant-alias",
        tenant_id,
        "--feature",
        "Audit Export",
        "--feature",
        UNSAFE_VALUES["webhook-secret"](),
    )
    assert (code, out) == (2, "")
    fields = [line.split(":", 1)[0].strip() for line in err.splitlines()[1:]]
    assert fields == ["--deployment-model", "--tenant-alias", "--feature", "--feature", "--feature"]
    assert tenant_id not in err
    assert "--feature: webhook-secret (policy/slack-webhook-url)" in err


# --- submit, validate and schema on bad input ------------------------------------------------------------


def _write(tmp_path: Path, name: str, document: Any) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document) if not isinstance(document, str) else document, encoding="utf-8")
    return path


def test_submit_rejects_an_unready_or_unsafe_request_with_every_problem(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    document = changed(example("tenant-onboarding-request"), "trial_package_ready", False)
    document = changed(document, "notes", UNSAFE_VALUES["provider-url"]())
    document = changed(document, "owner.phone", "x")
    path = _write(tmp_path, "request.json", document)
    code, out, err = run(capsys, "submit", str(path))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"cavra-safety: error: {path}: not a valid tenant-onboarding-request (contract 1.0)",
        "  owner: unknown field 'phone' (allowed: role, team, contact_alias)",
        "  trial_package_ready: the trial package must be ready (true) before a tenant onboarding request",
        "  notes: provider-url (policy/identity-provider-tenant-url) must not appear in a public contract document;"
        " value rejected: ac…(9 chars)",
    ]


def test_submit_reads_stdin_and_refuses_another_kind(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(example("entitlement-status-request"))))
    code, _, err = run(capsys, "submit", "-")
    assert code == 2
    assert "  kind: must be 'tenant-onboarding-request'" in err


@pytest.mark.parametrize(
    ("content", "args", "expected"),
    [
        ("{not json", [], "not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
        ('{"contract_version": "1.0"}', [], "cannot tell which contract document this is"),
        ('"hybrid"', [], "cannot tell which contract document this is"),
        ('"mainframe"', ["--kind", "deployment-model"], "(document): must be one of 'hosted_saas',"),
        (
            '{"kind": "entitlement-status-request", "contract_version": "0.9"}',
            [],
            "contract_version: unsupported contract version (supported: 1.0)",
        ),
    ],
)
def test_validate_reports_bad_documents(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    content: str,
    args: list[str],
    expected: str,
) -> None:
    path = _write(tmp_path, "doc.json", content)
    code, out, err = run(capsys, "validate", *args, str(path))
    assert (code, out) == (2, "")
    assert expected in err


def test_validate_reports_every_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    good = _write(tmp_path, "good.json", example("entitlement-status-response"))
    bad = _write(tmp_path, "bad.json", changed(example("entitlement-status-response"), "status", "approved"))
    missing = tmp_path / "missing.json"
    code, out, err = run(capsys, "validate", str(good), str(bad))
    assert code == 2
    assert out == f"{good}: valid entitlement-status-response (contract 1.0)\n"
    assert err.splitlines()[:3] == [
        "cavra-safety: error: 1 of 2 contract documents not valid:",
        f"  {bad}: not a valid entitlement-status-response (contract 1.0)",
        "    status: must be one of 'unavailable', 'entitled', 'not_entitled', 'trial', 'expired' or 'suspended'",
    ]
    code, _, err = run(capsys, "validate", str(missing))
    assert code == 2
    assert f"cannot read {missing}: No such file or directory" in err


@pytest.mark.parametrize("kind", list(DOCUMENT_KINDS))
def test_schema_prints_the_checked_in_schema(capsys: pytest.CaptureFixture[str], kind: str) -> None:
    code, out, _ = run(capsys, "schema", kind)
    assert code == 0
    assert out == (SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8")


def test_schema_lists_names_and_rejects_unknown_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert (code, out.split()) == (0, list(DOCUMENT_KINDS))
    code, out, err = run(capsys, "schema", "tenant-record")
    assert (code, out) == (2, "")
    assert "'tenant-record' is not one of 'deployment-model'" in err
    code, _, err = run(capsys, "schema", "--write", "--check")
    assert code == 2
