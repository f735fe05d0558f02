"""The activation requirements a private service must meet, and which deployment model each applies to.

The three deployment models differ in who runs what:

- ``hosted_saas``: CAVRA runs the whole service, many tenants side by side.
- ``self_hosted_enterprise``: the customer runs a single-tenant Enterprise installation in its own
  infrastructure; CAVRA issues the licence and supports it, but holds no tenant data and runs nothing for it.
- ``hybrid``: CAVRA runs the control plane (sign-in, entitlements, policy registry, billing) and the customer
  runs the data plane (scanning, the audit store) in its own infrastructure.

The catalogue is data only: it describes what must exist and provides none of it.
"""

from __future__ import annotations

from collections.abc import Iterable

from contract.models import ActivationRequirement, DeploymentModel, RequirementId

ALL_MODELS = tuple(DeploymentModel)
SAAS = DeploymentModel.HOSTED_SAAS
SELF_HOSTED = DeploymentModel.SELF_HOSTED_ENTERPRISE
HYBRID = DeploymentModel.HYBRID


def _requirement(
    id: RequirementId, title: str, description: str, applies_to: Iterable[DeploymentModel]
) -> ActivationRequirement:
    return ActivationRequirement(id=id, title=title, description=description, applies_to=tuple(applies_to))


ACTIVATION_REQUIREMENTS: tuple[ActivationRequirement, ...] = (
    _requirement(
        RequirementId.TENANT_DATABASE_ISOLATION,
        "Tenant database isolation",
        "Tenant data that CAVRA stores is isolated per tenant (separate schema or database,"
        " tenant-scoped access"
        " checks on every query). Not applicable to self-hosted Enterprise: the installation is"
        " single-tenant and"
        " its data never reaches CAVRA.",
        (SAAS, HYBRID),
    ),
    _requirement(
        RequirementId.SSO_ONBOARDING,
        "SSO onboarding",
        "The organisation's identity provider is connected (SAML or OpenID Connect) and sign-in is"
        " tested before"
        " activation: against CAVRA's service for hosted SaaS and hybrid, inside the installation"
        " for self-hosted"
        " Enterprise.",
        ALL_MODELS,
    ),
    _requirement(
        RequirementId.LICENSE_VALIDATION,
        "Licence validation",
        "Customer-run components check a signed licence issued by CAVRA before they start. Not"
        " applicable to hosted"
        " SaaS, where the subscription itself is the entitlement and no licence is issued.",
        (SELF_HOSTED, HYBRID),
    ),
    _requirement(
        RequirementId.ENTITLEMENT_BINDING,
        "Entitlement binding",
        "The tenant or installation is bound to its edition and features, and answers the public entitlement"
        " status contract with one of the private statuses.",
        ALL_MODELS,
    ),
    _requirement(
        RequirementId.POLICY_REGISTRY_ENROLLMENT,
        "Policy registry enrollment",
        "The tenant is enrolled in CAVRA's hosted policy registry and receives its private policy"
        " packs from it."
        " Not applicable to self-hosted Enterprise, which runs its own registry (possibly offline)"
        " and imports"
        " packs shipped with each release.",
        (SAAS, HYBRID),
    ),
    _requirement(
        RequirementId.AUDIT_STORE_PROVISIONING,
        "Audit store provisioning",
        "An append-only audit store with agreed retention exists before the first scan: run by CAVRA"
        " for hosted"
        " SaaS, run by the customer in its own infrastructure for self-hosted Enterprise and hybrid.",
        ALL_MODELS,
    ),
    _requirement(
        RequirementId.BILLING_CHECKS,
        "Billing checks",
        "The billing account is in good standing and usage metering is connected before activation. Not"
        " applicable to self-hosted Enterprise, which is billed through its licence term.",
        (SAAS, HYBRID),
    ),
    _requirement(
        RequirementId.SUPPORT_OWNERSHIP,
        "Support ownership",
        "A named support team owns the tenant on both sides (a CAVRA team and the customer's"
        " role-based alias),"
        " with an agreed escalation path.",
        ALL_MODELS,
    ),
    _requirement(
        RequirementId.OBSERVABILITY,
        "Observability",
        "Health, metrics and alerts exist for every component: watched by CAVRA where CAVRA runs it,"
        " exposed to"
        " the customer's monitoring where the customer runs it.",
        ALL_MODELS,
    ),
    _requirement(
        RequirementId.OPERATIONAL_RUNBOOKS,
        "Operational runbooks",
        "Runbooks for activation, upgrade, backup and restore, incident response and offboarding"
        " exist, and say"
        " which side performs each step.",
        ALL_MODELS,
    ),
)


def requirements_for(model: DeploymentModel | None = None) -> tuple[ActivationRequirement, ...]:
    """The requirements that apply to ``model`` (all of them when no model is given), in catalogue order."""
    if model is None:
        return ACTIVATION_REQUIREMENTS
    return tuple(requirement for requirement in ACTIVATION_REQUIREMENTS if model in requirement.applies_to)
