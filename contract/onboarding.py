"""Tenant onboarding: the service interface a private service implements, and Community's answer.

Community provisions nothing. ``CommunityOnboardingService`` checks nothing beyond the request's own shape and
answers ``unavailable``, with the activation requirements that apply and the steps that lead to a private
SaaS or Enterprise service.
"""

from __future__ import annotations

from typing import Final, Protocol

from contract.models import (
    CONTRACT_VERSION,
    DeploymentModel,
    Edition,
    OnboardingStatus,
    TenantOnboardingRequest,
    TenantOnboardingResponse,
)
from contract.requirements import requirements_for

UNAVAILABLE_MESSAGE: Final = (
    "Tenant activation is unavailable in CAVRA Community: the public code defines this contract but"
    " provisions"
    " nothing and keeps no copy of the request. A private CAVRA SaaS or Enterprise service handles"
    " activation."
)
HANDOFF_STEP: Final[dict[DeploymentModel, str]] = {
    DeploymentModel.HOSTED_SAAS: "Hand this request to the CAVRA account team for the hosted SaaS service.",
    DeploymentModel.SELF_HOSTED_ENTERPRISE: (
        "Hand this request to the CAVRA account team, which issues the Enterprise installation package."
    ),
    DeploymentModel.HYBRID: (
        "Hand this request to the CAVRA account team, which sets up the control plane and the data plane package."
    ),
}
REVIEW_STEP: Final = (
    "The platform owner confirms every activation requirement above with the private service before"
    " the tenant"
    " is provisioned there."
)


class OnboardingService(Protocol):
    """What a private service implements to take tenant onboarding requests."""

    @property
    def edition(self) -> Edition: ...

    def submit(self, request: TenantOnboardingRequest) -> TenantOnboardingResponse: ...


class CommunityOnboardingService:
    """Community's answer to every onboarding request: ``unavailable``, with what a private service needs."""

    @property
    def edition(self) -> Edition:
        return Edition.COMMUNITY

    def submit(self, request: TenantOnboardingRequest) -> TenantOnboardingResponse:
        applicable = requirements_for(request.deployment_model)
        applicable_ids = [requirement.id for requirement in applicable]
        steps = [HANDOFF_STEP[request.deployment_model]]
        missing = [rid for rid in applicable_ids if rid not in request.acknowledged_requirements]
        if missing:
            steps.append("Acknowledge the requirements not yet acknowledged: " + ", ".join(missing) + ".")
        ignored = [rid for rid in request.acknowledged_requirements if rid not in applicable_ids]
        if ignored:
            steps.append(
                f"These acknowledged requirements do not apply to {request.deployment_model} and were"
                f" ignored: " + ", ".join(ignored) + "."
            )
        steps.append(REVIEW_STEP)
        return TenantOnboardingResponse(
            contract_version=CONTRACT_VERSION,
            kind="tenant-onboarding-response",
            status=OnboardingStatus.UNAVAILABLE,
            edition=self.edition,
            deployment_model=request.deployment_model,
            message=UNAVAILABLE_MESSAGE,
            requirements=applicable,
            next_steps=tuple(steps),
        )
