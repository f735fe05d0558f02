"""Public safety is part of validation: every string value runs through the real cavra-safety scanner."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

import pytest
from contract_samples import EXAMPLE_DIR, REPO_ROOT, UNSAFE_VALUES, changed, example, string_fields

from cavra_safety.api import scan_text
from contract.documents import ContractError, ensure_public_safe, load_document
from contract.kinds import DOCUMENT_KINDS
from contract.models import OwnerContact
from contract.safety import PERSONAL_CONTACT, check_public_safety, iter_string_values, personal_contact_data

CATEGORIES = list(UNSAFE_VALUES)


def _field_cases() -> list[tuple[str, str, str]]:
    """Every distinct string field of every kind, each paired with an unsafe category (cycling through all)."""
    cases = []
    for kind in DOCUMENT_KINDS:
        fields = sorted({re.sub(r"\[\d+\]", "[0]", path) for path in string_fields(example(kind))})
        cases += [(kind, path, "") for path in fields]
    return [(kind, path, CATEGORIES[index % len(CATEGORIES)]) for index, (kind, path, _) in enumerate(cases)]


FIELD_CASES = _field_cases()


def test_the_cases_cover_every_category_and_many_fields() -> None:
    assert {category for _, _, category in FIELD_CASES} == set(CATEGORIES)
    assert len(FIELD_CASES) >= 30


@pytest.mark.parametrize(("kind", "path", "category"), FIELD_CASES)
def test_an_unsafe_value_in_any_field_is_rejected_naming_field_and_category(
    kind: str,
    path: str,
    category: str,
) -> None:
    secret = UNSAFE_VALUES[category]()
    document = example(kind) if path == "(document)" else changed(example(kind), path, secret)
    if path == "(document)":
        document = secret
    with pytest.raises(ContractError) as raised:
        load_document(json.dumps(document), kind=kind, source="sample.json")
    message = str(raised.value)
    assert any(problem.startswith(f"{path}: {category} (") for problem in raised.value.problems), message
    assert "value rejected: " in message
    assert secret not in message and secret[-12:] not in message


@pytest.mark.parametrize("category", CATEGORIES)
def test_each_unsafe_value_is_found_by_the_real_scanner(category: str) -> None:
    findings = scan_text(UNSAFE_VALUES[category]())
    assert category in {finding.category.value for finding in findings}


@pytest.mark.parametrize("kind", list(DOCUMENT_KINDS))
def test_every_example_is_valid_and_public_safe(kind: str) -> None:
    text = (EXAMPLE_DIR / f"{kind}.json").read_text(encoding="utf-8")
    found_kind, _ = load_document(text, kind=kind)
    assert found_kind == kind
    assert scan_text(text, path=f"contract/examples/{kind}.json") == []


def test_the_contract_package_and_its_docs_pass_the_repository_scan() -> None:
    files = [p for p in (REPO_ROOT / "contract").rglob("*") if p.is_file() and p.suffix in (".py", ".json")]
    files += [REPO_ROOT / "docs" / "contract.md", REPO_ROOT / "cavra_safety" / "commands" / "contract.py"]
    flagged = {}
    for path in files:
        relative = path.relative_to(REPO_ROOT).as_posix()
        findings = scan_text(path.read_text(encoding="utf-8"), path=relative)
        if findings:
            flagged[relative] = [(f.rule_id, f.line) for f in findings]
    assert len(files) > 20
    assert flagged == {}


def test_safety_and_shape_problems_are_reported_together() -> None:
    document = changed(example("tenant-onboarding-request"), "notes", UNSAFE_VALUES["webhook-secret"]())
    document = changed(document, "deployment_model", "moon")
    with pytest.raises(ContractError) as raised:
        load_document(json.dumps(document))
    fields = [problem.split(":", 1)[0] for problem in raised.value.problems]
    assert fields == ["deployment_model", "notes"]


def test_a_secret_in_a_field_name_is_reported_and_never_shown() -> None:
    secret = UNSAFE_VALUES["connector-credential"]()
    document = changed(example("entitlement-status-request"), secret, "x")
    with pytest.raises(ContractError) as raised:
        load_document(json.dumps(document))
    assert raised.value.problems == (
        "(document): unknown field of 20 characters (name not shown) (allowed: contract_version, kind,"
        " deployment_model, tenant_alias, features)",
        "(document) (a field name): connector-credential (secret/aws-access-key) must not appear in a public"
        " contract document; value rejected: AKIA…(20 chars)",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail jane.doe@customer.example.org now", [("contract/email-address", "jane.doe@customer.example.org")]),
        ("call +44 20 7946 0958 after 5", [("contract/phone-number", "+44 20 7946 0958")]),
        ("call (555) 010-0199", [("contract/phone-number", "(555) 010-0199")]),
        ("mobile 5550100199", [("contract/phone-number", "5550100199")]),
        ("met on 2025-01-15 and 2025-02-01", []),
        ("version 1.24.3, build 12345", []),
        ("ticket 123456", []),
        ("gateway 10.20.30.40", []),
        ("#platform-team on chat", []),
        ("", []),
    ],
)
def test_personal_contact_data(text: str, expected: list[tuple[str, str]]) -> None:
    assert list(personal_contact_data(text)) == expected


def test_personal_contact_data_in_notes_is_rejected() -> None:
    email = "".join(["jane.doe", "@", "customer.example.org"])
    document = changed(example("tenant-onboarding-request"), "notes", f"Questions to {email}.")
    with pytest.raises(ContractError) as raised:
        load_document(json.dumps(document))
    assert raised.value.problems == (
        f"notes: {PERSONAL_CONTACT} (contract/email-address) must not appear in a public contract document;"
        " value rejected: jane…(29 chars)",
    )


def test_iter_string_values_names_every_field() -> None:
    document: Any = {"a": "x", "b": {"c": ["y", 3, {"d": "z"}]}, "e": None}
    assert [(field, text) for field, text, is_name in iter_string_values(document) if not is_name] == [
        ("a", "x"),
        ("b.c[0]", "y"),
        ("b.c[2].d", "z"),
    ]
    assert [text for _, text, is_name in iter_string_values(document) if is_name] == ["a", "b", "c", "d", "e"]


def test_documents_built_in_code_are_checked_too() -> None:
    ensure_public_safe(
        OwnerContact(role="Platform owner", team="Platform", contact_alias="platform-team"), what="owner"
    )
    unsafe = OwnerContact.model_construct(role=UNSAFE_VALUES["tenant-id"](), team="Platform", contact_alias="x")
    with pytest.raises(ContractError, match=r"role: tenant-id \(policy/"):
        ensure_public_safe(unsafe, what="owner")
    assert check_public_safety({"role": "Platform owner"}).unsafe == ()


def test_the_shapes_import_nothing_from_the_scanner() -> None:
    code = (
        "import sys\n"
        "import contract.models, contract.requirements, contract.entitlement, contract.onboarding\n"
        "import contract.kinds, contract.render, contract.schema_export, contract.documents\n"
        "print(sorted(name for name in sys.modules if name.startswith('cavra_safety')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert result.stdout.strip() == "[]"
