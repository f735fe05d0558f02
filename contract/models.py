"""The shapes of the public contract: one pydantic model (or enum) per shape, and nothing else.

These classes are the single source of truth: the JSON Schemas under ``contract/schemas/`` are generated from
them (``python -m contract.schema_export --write``) and a test fails when the two drift apart.

Every model is strict (no type coercion), frozen, and rejects unknown fields. Documents are validated
from JSON text (``Model.model_validate_json``), where strict mode still accepts enum values as strings. The
shape is only half of validation: ``contract.documents`` also runs the public-safety check of
``contract.safety`` over every string value. This module imports nothing from the scanner.
"""

from __future__ import annotations

import enum
from typing import Annotated, Final, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

CONTRACT_VERSION: Final = "1.0"
ContractVersion = Literal["1.0"]

# Patterns are written for both Python's ``re`` (pydantic runs with regex_engine="python-re") and ECMA-262
# (JSON Schema), so that implementers in other languages get the same answers from the checked-in schemas.
NO_DIGIT_RUN = r"(?!(?:[^0-9]*[0-9]){7})"  # seven or more digits reads as a phone number or an opaque id
HANDLE_PATTERN: Final = rf"^{NO_DIGIT_RUN}[a-z][a-z0-9]*(?:[-_.][a-z0-9]+)*$"
LABEL_PATTERN: Final = rf"^(?!\s)(?!.*\s$){NO_DIGIT_RUN}[^\x00-\x1f\x7f@:+<>]+$"
DISPLAY_NAME_PATTERN: Final = r"^(?!\s)(?!.*\s$)[^\x00-\x1f\x7f]+$"
TEXT_PATTERN: Final = r"^[^\x00-\x08\x0b-\x1f\x7f]*$"  # printable text; newlines and tabs allowed
FEATURE_KEY_PATTERN: Final = r"^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$"

# What a pattern means, for error messages (a regex is no explanation).
PATTERN_HINTS: Final[dict[str, str]] = {
    HANDLE_PATTERN: "must be a role-based handle such as 'platform-team': lowercase letters and digits"
    " joined by '-', '_' or '.', at most six digits, no e-mail address or phone number",
    LABEL_PATTERN: "must be a short public label such as 'Platform owner': no '@', ':', '+', '<', '>',"
    " control characters, leading or trailing spaces, and at most six digits"
    " (no e-mail address, URL or phone number)",
    DISPLAY_NAME_PATTERN: "must be printable text without control characters or leading or trailing spaces",
    TEXT_PATTERN: "must be printable text (newlines and tabs are allowed, other control characters are not)",
    FEATURE_KEY_PATTERN: "must be a feature key such as 'audit.export': lowercase letters and digits"
    " joined by '.', '_' or '-'",
}

Handle = Annotated[str, StringConstraints(min_length=2, max_length=64, pattern=HANDLE_PATTERN)]
Label = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=LABEL_PATTERN)]
DisplayName = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=DISPLAY_NAME_PATTERN)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=DISPLAY_NAME_PATTERN)]
Sentence = Annotated[str, StringConstraints(min_length=1, max_length=600, pattern=TEXT_PATTERN)]
Notes = Annotated[str, StringConstraints(max_length=2000, pattern=TEXT_PATTERN)]
FeatureKey = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=FEATURE_KEY_PATTERN)]

_Item = TypeVar("_Item")


def _no_duplicates(items: tuple[_Item, ...]) -> tuple[_Item, ...]:
    if len(set(items)) != len(items):
        raise ValueError("items must be unique")
    return items


# A list without repeats: order kept (deterministic output), and ``uniqueItems`` in the schema.
UniqueTuple = Annotated[
    tuple[_Item, ...], AfterValidator(_no_duplicates), Field(json_schema_extra={"uniqueItems": True})
]


def _must_be_true(value: bool) -> bool:
    if not value:
        raise ValueError("must be true")
    return value


# A flag that must be set. Not ``Literal[True]``: pydantic lets the JSON number 1 pass as True there, while
# JSON Schema's ``const: true`` (and so every other implementation) rejects it.
ReadyFlag = Annotated[bool, AfterValidator(_must_be_true), Field(json_schema_extra={"const": True})]


class ContractModel(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True, regex_engine="python-re")


class DeploymentModel(enum.StrEnum):
    """How a private CAVRA tenant is run: by CAVRA, by the customer, or split between the two."""

    HOSTED_SAAS = "hosted_saas"
    SELF_HOSTED_ENTERPRISE = "self_hosted_enterprise"
    HYBRID = "hybrid"


class Edition(enum.StrEnum):
    """The edition that answered. Community is the public code; the others are private services."""

    COMMUNITY = "community"
    ENTERPRISE = "enterprise"
    SAAS = "saas"


class OnboardingStatus(enum.StrEnum):
    """Community answers only ``unavailable``; the other statuses belong to private services."""

    UNAVAILABLE = "unavailable"
    RECEIVED = "received"
    PENDING_REVIEW = "pending_review"
    PROVISIONING = "provisioning"
    ACTIVE = "active"
    REJECTED = "rejected"


class EntitlementStatus(enum.StrEnum):
    """Community answers only ``unavailable``; the other statuses belong to private services."""

    UNAVAILABLE = "unavailable"
    ENTITLED = "entitled"
    NOT_ENTITLED = "not_entitled"
    TRIAL = "trial"
    EXPIRED = "expired"
    SUSPENDED = "suspended"


class RequirementId(enum.StrEnum):
    """What a private service must provide before it activates a tenant (see ``contract.requirements``)."""

    TENANT_DATABASE_ISOLATION = "tenant-database-isolation"
    SSO_ONBOARDING = "sso-onboarding"
    LICENSE_VALIDATION = "license-validation"
    ENTITLEMENT_BINDING = "entitlement-binding"
    POLICY_REGISTRY_ENROLLMENT = "policy-registry-enrollment"
    AUDIT_STORE_PROVISIONING = "audit-store-provisioning"
    BILLING_CHECKS = "billing-checks"
    SUPPORT_OWNERSHIP = "support-ownership"
    OBSERVABILITY = "observability"
    OPERATIONAL_RUNBOOKS = "operational-runbooks"


class ActivationRequirement(ContractModel):
    """One thing a private SaaS or Enterprise service must provide before a tenant is activated."""

    id: RequirementId
    title: Title
    description: Sentence
    applies_to: UniqueTuple[DeploymentModel] = Field(
        min_length=1, description="The deployment models this requirement applies to."
    )


class OwnerContact(ContractModel):
    """Public-safe metadata about who owns the tenant: a role, a team and a role-based alias, never a
    person."""

    role: Label = Field(description="The owner's role, e.g. 'Platform owner'.")
    team: Label = Field(description="The owning team, e.g. 'Platform engineering'.")
    contact_alias: Handle = Field(
        description="A role-based handle such as 'platform-team'; never a personal e-mail address or a phone number."
    )


class TenantOnboardingRequest(ContractModel):
    """A public-safe request to activate a private tenant, produced once a trial package and a pilot handoff
    are ready. It carries no tenant id, licence key, secret, provider URL or personal contact data."""

    contract_version: ContractVersion
    kind: Literal["tenant-onboarding-request"]
    deployment_model: DeploymentModel
    organization_display_name: DisplayName
    owner: OwnerContact
    trial_package_ready: ReadyFlag = Field(description="The trial package is ready; must be true.")
    pilot_handoff_ready: ReadyFlag = Field(description="The pilot handoff is ready; must be true.")
    acknowledged_requirements: UniqueTuple[RequirementId] = Field(
        default=(), description="The activation requirements the requester has read and acknowledges."
    )
    notes: Notes = ""


class TenantOnboardingResponse(ContractModel):
    """The answer to a tenant onboarding request. Community always answers ``unavailable``."""

    contract_version: ContractVersion
    kind: Literal["tenant-onboarding-response"]
    status: OnboardingStatus
    edition: Edition
    deployment_model: DeploymentModel
    message: Sentence
    requirements: tuple[ActivationRequirement, ...] = Field(
        description="The activation requirements that apply to the requested deployment model."
    )
    next_steps: tuple[Sentence, ...]


class EntitlementStatusRequest(ContractModel):
    """Which features a tenant, known only by its public alias, is entitled to."""

    contract_version: ContractVersion
    kind: Literal["entitlement-status-request"]
    deployment_model: DeploymentModel | None = None
    tenant_alias: Handle | None = Field(
        default=None, description="A public alias such as 'acme-pilot'; never a tenant id."
    )
    features: UniqueTuple[FeatureKey] = Field(default=(), description="The feature keys asked about.")


class FeatureEntitlement(ContractModel):
    """The entitlement status of one feature."""

    feature: FeatureKey
    status: EntitlementStatus
    message: Sentence


class EntitlementStatusResponse(ContractModel):
    """The answer of an entitlement provider. Community's provider always answers ``unavailable``."""

    contract_version: ContractVersion
    kind: Literal["entitlement-status-response"]
    status: EntitlementStatus = Field(description="The overall status.")
    edition: Edition
    deployment_model: DeploymentModel | None
    message: Sentence
    features: tuple[FeatureEntitlement, ...] = Field(description="One entry per feature asked about, in order.")
