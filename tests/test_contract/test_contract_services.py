"""Community's answers: the activation requirements, the onboarding service and the entitlement provider."""

from __future__ import annotations

import json

import pytest
from contract_samples import EXAMPLE_DIR, REPO_ROOT, example

from contract.documents import ensure_public_safe, load_document, to_json
from contract.entitlement import CommunityEntitlementProvider, EntitlementProvider
from contract.models import (
    CONTRACT_VERSION,
    DeploymentModel,
    Edition,
    EntitlementStatus,
    EntitlementStatusRequest,
    OnboardingStatus,
    RequirementId,
    TenantOnboardingRequest,
)
from contract.onboarding import CommunityOnboardingService, OnboardingService
from contract.render import requirements_markdown
from contract.requirements import ACTIVATION_REQUIREMENTS, requirements_for

SAAS, SELF_HOSTED, HYBRID = DeploymentModel
# The decision, written out once more so that a change to the catalogue has to change this table too.
EXPECTED_MATRIX = {
    "tenant-database-isolation": {SAAS, HYBRID},
    "sso-onboarding": {SAAS, SELF_HOSTED, HYBRID},
    "license-validation": {SELF_HOSTED, HYBRID},
    "entitlement-binding": {SAAS, SELF_HOSTED, HYBRID},
    "policy-registry-enrollment": {SAAS, HYBRID},
    "audit-store-provisioning": {SAAS, SELF_HOSTED, HYBRID},
    "billing-checks": {SAAS, HYBRID},
    "support-ownership": {SAAS, SELF_HOSTED, HYBRID},
    "observability": {SAAS, SELF_HOSTED, HYBRID},
    "operational-runbooks": {SAAS, SELF_HOSTED, HYBRID},
}


def test_every_requirement_is_in_the_catalogue_once_with_the_decided_models() -> None:
    assert [r.id for r in ACTIVATION_REQUIREMENTS] == list(RequirementId)
    assert {r.id.value: set(r.applies_to) for r in ACTIVATION_REQUIREMENTS} == EXPECTED_MATRIX


@pytest.mark.parametrize("model", list(DeploymentModel))
def test_requirements_for_a_model_keep_catalogue_order(model: DeploymentModel) -> None:
    expected = [rid for rid, models in EXPECTED_MATRIX.items() if model in models]
    assert [r.id.value for r in requirements_for(model)] == expected
    assert requirements_for(None) == ACTIVATION_REQUIREMENTS


def test_the_docs_show_the_requirements_table_as_the_code_renders_it() -> None:
    docs = (REPO_ROOT / "docs" / "contract.md").read_text(encoding="utf-8")
    assert requirements_markdown(ACTIVATION_REQUIREMENTS) in docs
    for kind_file in sorted(EXAMPLE_DIR.glob("*.json")):
        assert f"../contract/examples/{kind_file.name}" in docs


def _request(model: DeploymentModel, acknowledged: tuple[str, ...] = ()) -> TenantOnboardingRequest:
    document = example("tenant-onboarding-request") | {
        "deployment_model": model.value,
        "acknowledged_requirements": list(acknowledged),
    }
    return TenantOnboardingRequest.model_validate_json(json.dumps(document))


@pytest.mark.parametrize("model", list(DeploymentModel))
def test_community_onboarding_is_unavailable_with_the_requirements_that_apply(model: DeploymentModel) -> None:
    response = CommunityOnboardingService().submit(_request(model))
    assert response.status is OnboardingStatus.UNAVAILABLE
    assert response.edition is Edition.COMMUNITY
    assert response.deployment_model is model
    assert response.contract_version == CONTRACT_VERSION
    assert response.requirements == requirements_for(model)
    assert "unavailable in CAVRA Community" in response.message
    assert "provisions nothing" in response.message
    unacknowledged = ", ".join(r.id for r in requirements_for(model))
    assert f"Acknowledge the requirements not yet acknowledged: {unacknowledged}." in response.next_steps
    ensure_public_safe(response, what="response")


def test_acknowledged_and_inapplicable_requirements_shape_the_next_steps() -> None:
    every_saas_requirement = tuple(r.id.value for r in requirements_for(SAAS))
    response = CommunityOnboardingService().submit(_request(SAAS, (*every_saas_requirement, "license-validation")))
    assert not any(step.startswith("Acknowledge") for step in response.next_steps)
    assert (
        "These acknowledged requirements do not apply to hosted_saas and were ignored: license-validation."
        in response.next_steps
    )


def test_the_response_example_is_what_community_answers_to_the_request_example() -> None:
    _, request = load_document((EXAMPLE_DIR / "tenant-onboarding-request.json").read_text(encoding="utf-8"))
    response = CommunityOnboardingService().submit(request)
    assert to_json(response) == (EXAMPLE_DIR / "tenant-onboarding-response.json").read_text(encoding="utf-8")
    _, status_request = load_document((EXAMPLE_DIR / "entitlement-status-request.json").read_text(encoding="utf-8"))
    status = CommunityEntitlementProvider().status(status_request)
    assert to_json(status) == (EXAMPLE_DIR / "entitlement-status-response.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("model", [*DeploymentModel, None])
@pytest.mark.parametrize("features", [(), ("sso",), ("audit.export", "sso", "policy.registry")])
def test_community_entitlement_is_unavailable_for_everything(
    model: DeploymentModel | None,
    features: tuple[str, ...],
) -> None:
    request = EntitlementStatusRequest(
        contract_version=CONTRACT_VERSION,
        kind="entitlement-status-request",
        deployment_model=model,
        tenant_alias="example-pilot",
        features=features,
    )
    response = CommunityEntitlementProvider().status(request)
    assert response.status is EntitlementStatus.UNAVAILABLE
    assert response.edition is Edition.COMMUNITY
    assert response.deployment_model is model
    assert [(f.feature, f.status) for f in response.features] == [(k, EntitlementStatus.UNAVAILABLE) for k in features]
    assert "holds, reads and checks no licences" in response.message
    ensure_public_safe(response, what="response")


def test_community_services_satisfy_the_interfaces_private_services_implement() -> None:
    provider: EntitlementProvider = CommunityEntitlementProvider()
    service: OnboardingService = CommunityOnboardingService()
    assert provider.edition is Edition.COMMUNITY
    assert service.edition is Edition.COMMUNITY
