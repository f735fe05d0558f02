"""The public entitlement status contract: the provider interface, and Community's offline provider.

A private SaaS or Enterprise service implements ``EntitlementProvider`` and answers with the private statuses.
Community ships only ``CommunityEntitlementProvider``: it answers ``unavailable`` for everything, offline,
without reading, parsing or checking any licence.
"""

from __future__ import annotations

from typing import Final, Protocol

from contract.models import (
    CONTRACT_VERSION,
    DeploymentModel,
    Edition,
    EntitlementStatus,
    EntitlementStatusRequest,
    EntitlementStatusResponse,
    FeatureEntitlement,
)

WHO_ANSWERS: Final[dict[DeploymentModel | None, str]] = {
    DeploymentModel.HOSTED_SAAS: "the hosted CAVRA SaaS service that runs the tenant",
    DeploymentModel.SELF_HOSTED_ENTERPRISE: "the organisation's own CAVRA Enterprise installation",
    DeploymentModel.HYBRID: "the CAVRA control plane of the hybrid deployment",
    None: "the private CAVRA SaaS or Enterprise service that runs the tenant",
}
FEATURE_MESSAGE: Final = "Not available in CAVRA Community: feature entitlements are answered by a private service."


class EntitlementProvider(Protocol):
    """What a private service implements to answer entitlement status requests.

    ``status`` must answer every feature asked about, in the order asked, and must not echo secrets: the
    answer is checked by the same public-safety validation as the request.
    """

    @property
    def edition(self) -> Edition: ...

    def status(self, request: EntitlementStatusRequest) -> EntitlementStatusResponse: ...


class CommunityEntitlementProvider:
    """Community's provider: every answer is ``unavailable``, worked out offline from the request alone."""

    @property
    def edition(self) -> Edition:
        return Edition.COMMUNITY

    def status(self, request: EntitlementStatusRequest) -> EntitlementStatusResponse:
        message = (
            "Entitlement status is unavailable in CAVRA Community: the public code holds, reads and checks no"
            f" licences or entitlements. Ask {WHO_ANSWERS[request.deployment_model]}."
        )
        return EntitlementStatusResponse(
            contract_version=CONTRACT_VERSION,
            kind="entitlement-status-response",
            status=EntitlementStatus.UNAVAILABLE,
            edition=self.edition,
            deployment_model=request.deployment_model,
            message=message,
            features=tuple(
                FeatureEntitlement(feature=key, status=EntitlementStatus.UNAVAILABLE, message=FEATURE_MESSAGE)
                for key in request.features
            ),
        )
