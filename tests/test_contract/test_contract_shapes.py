"""Each shape's valid and invalid documents, judged by the models (shape, not public safety) and by the
checked-in JSON Schemas, which must agree with the models on every case."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from contract_samples import DELETE, SCHEMA_DIR, changed, example
from pydantic import ValidationError

from contract.documents import shape_problems
from contract.kinds import DOCUMENT_KINDS, adapter_for, schema_for
from contract.models import ActivationRequirement, DeploymentModel, TenantOnboardingRequest


def schema_accepts(kind: str, document: Any) -> bool:
    """The verdict of the checked-in schema file, as an implementer in another language would get it."""
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema).is_valid(document)


def problems_of(kind: str, document: Any) -> list[str]:
    """The models' verdict; asserts that the schema file reaches the same one."""
    code_accepts = True
    try:
        adapter_for(kind).validate_json(json.dumps(document))
    except ValidationError as error:
        code_accepts = False
        problems = shape_problems(error.errors(include_url=False, include_input=False), schema_for(kind))
    assert schema_accepts(kind, document) == code_accepts, f"schema and models disagree on {document!r}"
    return [] if code_accepts else problems


@pytest.mark.parametrize("kind", list(DOCUMENT_KINDS))
def test_each_example_is_a_valid_document(kind: str) -> None:
    assert problems_of(kind, example(kind)) == []


REQUEST, RESPONSE = "tenant-onboarding-request", "tenant-onboarding-response"
E_REQUEST, E_RESPONSE = "entitlement-status-request", "entitlement-status-response"
REQUIREMENT = "activation-requirement"

INVALID = [
    # unknown fields, at the top and nested
    (REQUEST, "tenant_id", "x", "(document): unknown field 'tenant_id' (allowed: contract_version, kind,"),
    (REQUEST, "owner.phone", "x", "owner: unknown field 'phone' (allowed: role, team, contact_alias)"),
    (RESPONSE, "requirements[0].owner", "x", "requirements[0]: unknown field 'owner' (allowed: id, title,"),
    (E_REQUEST, "tenant_id", "x", "(document): unknown field 'tenant_id' (allowed: contract_version, kind,"),
    (E_RESPONSE, "features[0].licence", "x", "features[0]: unknown field 'licence' (allowed: feature, status,"),
    (REQUIREMENT, "owner", "x", "(document): unknown field 'owner' (allowed: id, title, description, applies_to)"),
    # wrong enum values, listing the valid ones
    (
        REQUEST,
        "deployment_model",
        "on_premises",
        "deployment_model: must be one of 'hosted_saas', 'self_hosted_enterprise' or 'hybrid'",
    ),
    (REQUEST, "acknowledged_requirements[1]", "free-lunch", "acknowledged_requirements[1]: must be one of"),
    (RESPONSE, "status", "approved", "status: must be one of 'unavailable', 'received', 'pending_review',"),
    (RESPONSE, "edition", "platinum", "edition: must be one of 'community', 'enterprise' or 'saas'"),
    (E_REQUEST, "deployment_model", "cloud", "deployment_model: must be one of 'hosted_saas',"),
    (E_RESPONSE, "features[1].status", "maybe", "features[1].status: must be one of 'unavailable', 'entitled',"),
    (REQUIREMENT, "applies_to[0]", "mainframe", "applies_to[0]: must be one of 'hosted_saas',"),
    (REQUIREMENT, "id", "free-lunch", "id: must be one of 'tenant-database-isolation', 'sso-onboarding',"),
    # wrong types
    (REQUEST, "organization_display_name", 42, "organization_display_name: input should be a valid string"),
    (REQUEST, "owner", "platform-team", "owner: input should be an object"),
    (REQUEST, "acknowledged_requirements", "sso-onboarding", "acknowledged_requirements: input should be a valid"),
    (REQUEST, "notes", None, "notes: input should be a valid string"),
    (RESPONSE, "next_steps", "call us", "next_steps: input should be a valid"),
    (E_REQUEST, "features", 3, "features: input should be a valid"),
    (E_REQUEST, "tenant_alias", 7, "tenant_alias: input should be a valid string"),
    (E_RESPONSE, "deployment_model", 1, "deployment_model: must be one of"),
    (REQUIREMENT, "applies_to", "hybrid", "applies_to: input should be a valid"),
    # the contract's own rules
    (REQUEST, "contract_version", "2.0", "contract_version: unsupported contract version (supported: 1.0)"),
    (E_RESPONSE, "contract_version", 1.0, "contract_version: unsupported contract version (supported: 1.0)"),
    (REQUEST, "kind", "tenant-onboarding-response", "kind: must be 'tenant-onboarding-request'"),
    (REQUEST, "trial_package_ready", False, "trial_package_ready: the trial package must be ready (true)"),
    (REQUEST, "pilot_handoff_ready", False, "pilot_handoff_ready: the pilot handoff must be ready (true)"),
    (REQUEST, "trial_package_ready", "yes", "trial_package_ready: input should be a valid boolean"),
    (REQUEST, "pilot_handoff_ready", 1, "pilot_handoff_ready: input should be a valid boolean"),
    (
        REQUEST,
        "acknowledged_requirements",
        ["sso-onboarding", "sso-onboarding"],
        "acknowledged_requirements: items must be unique",
    ),
    (E_REQUEST, "features", ["sso", "sso"], "features: items must be unique"),
    (REQUIREMENT, "applies_to", [], "applies_to: must have at least 1 item(s)"),
    (REQUEST, "organization_display_name", "", "organization_display_name: must have at least 1 character(s)"),
    (REQUEST, "organization_display_name", " Padded", "organization_display_name: must be printable text"),
    (REQUEST, "notes", "x" * 2001, "notes: must have at most 2000 characters"),
    (REQUEST, "notes", "bell\x07", "notes: must be printable text"),
    # public-safe owner contact: a role-based handle, no personal e-mail address or phone number
    (REQUEST, "owner.contact_alias", "jane.doe@example.com", "owner.contact_alias: must be a role-based handle"),
    (REQUEST, "owner.contact_alias", "Platform Team", "owner.contact_alias: must be a role-based handle"),
    (REQUEST, "owner.contact_alias", "oncall-5550100123", "owner.contact_alias: must be a role-based handle"),
    (REQUEST, "owner.role", "owner@example.com", "owner.role: must be a short public label"),
    (REQUEST, "owner.team", "+1 555 010 0199", "owner.team: must be a short public label"),
    (REQUEST, "owner.team", "Team (555) 010-0199", "owner.team: must be a short public label"),
    (REQUEST, "owner.team", "https://intranet.example.com/team", "owner.team: must be a short public label"),
    (E_REQUEST, "tenant_alias", "7c9e6679-7425-40de-944b-e07cc4f1cb9f", "tenant_alias: must be a role-based"),
    (E_REQUEST, "features[0]", "Audit Export", "features[0]: must be a feature key such as 'audit.export'"),
]


@pytest.mark.parametrize(("kind", "path", "value", "expected"), INVALID)
def test_an_invalid_document_is_rejected_naming_the_field(kind: str, path: str, value: Any, expected: str) -> None:
    problems = problems_of(kind, changed(example(kind), path, value))
    assert any(problem.startswith(expected) for problem in problems), problems


def _required_fields() -> list[tuple[str, str]]:
    cases = []
    for kind in DOCUMENT_KINDS:
        schema = schema_for(kind)
        cases += [(kind, name) for name in schema.get("required", [])]
    cases.append((REQUEST, "owner.contact_alias"))
    cases.append((RESPONSE, "requirements[0].applies_to"))
    cases.append((E_RESPONSE, "features[0].message"))
    return cases


@pytest.mark.parametrize(("kind", "path"), _required_fields())
def test_a_missing_required_field_is_named(kind: str, path: str) -> None:
    problems = problems_of(kind, changed(example(kind), path, DELETE))
    assert problems == [f"{path}: required field is missing"]


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    [
        (REQUEST, "owner.contact_alias", "platform-team"),
        (REQUEST, "owner.contact_alias", "security_review.emea"),
        (REQUEST, "owner.role", "Platform owner (EMEA)"),
        (REQUEST, "owner.team", "Platform engineering 2"),
        (REQUEST, "organization_display_name", "Société Exemple & Fils"),
        (REQUEST, "acknowledged_requirements", []),
        (REQUEST, "notes", "Line one.\n\tLine two, dated 2025-01-15."),
        (E_REQUEST, "tenant_alias", None),
        (E_REQUEST, "deployment_model", None),
        (E_REQUEST, "features", []),
        (E_RESPONSE, "deployment_model", None),
        (E_RESPONSE, "status", "entitled"),
        (RESPONSE, "status", "provisioning"),
        (RESPONSE, "edition", "enterprise"),
    ],
)
def test_valid_variants_are_accepted(kind: str, path: str, value: Any) -> None:
    assert problems_of(kind, changed(example(kind), path, value)) == []


def test_optional_fields_may_be_left_out() -> None:
    document = example(REQUEST)
    for name in ("acknowledged_requirements", "notes"):
        document = changed(document, name, DELETE)
    assert problems_of(REQUEST, document) == []
    assert problems_of(E_REQUEST, {"contract_version": "1.0", "kind": E_REQUEST}) == []


def test_every_problem_of_a_document_is_listed_at_once() -> None:
    document = changed(example(REQUEST), "deployment_model", "moon")
    document = changed(document, "owner.team", DELETE)
    document = changed(document, "pilot_handoff_ready", False)
    document = changed(document, "surprise", 1)
    problems = problems_of(REQUEST, document)
    assert [problem.split(":", 1)[0] for problem in problems] == [
        "deployment_model",
        "owner.team",
        "pilot_handoff_ready",
        "(document)",
    ]


def test_problems_never_echo_the_rejected_value() -> None:
    secretish = "".join(["zq", "X8vN2", "kLp4T", "9wR"])
    document = changed(example(REQUEST), "organization_display_name", [secretish])
    document = changed(document, "deployment_model", secretish)
    document = changed(document, f"{secretish}-x", 1)
    problems = problems_of(REQUEST, document)
    assert len(problems) == 3
    assert not any(secretish in problem for problem in problems), problems
    assert "unknown field of 17 characters (name not shown)" in problems[-1]
    assert problems_of(REQUEST, changed(example(REQUEST), "tenantAlias2", 1))[0].startswith(
        "(document): unknown field 'tenantAlias2'"
    )


def test_a_document_of_the_wrong_json_type_is_rejected() -> None:
    assert problems_of(REQUEST, ["not", "an", "object"]) == ["(document): input should be an object"]
    assert problems_of("deployment-model", 3) == [
        "(document): must be one of 'hosted_saas', 'self_hosted_enterprise' or 'hybrid'"
    ]


def test_models_are_frozen_and_strict_in_python_too() -> None:
    requirement = ActivationRequirement.model_validate_json(json.dumps(example(REQUIREMENT)))
    with pytest.raises(ValidationError):
        requirement.title = "Changed"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        TenantOnboardingRequest.model_validate_json(json.dumps(changed(example(REQUEST), "trial_package_ready", 1)))
    assert DeploymentModel("hybrid") is DeploymentModel.HYBRID
