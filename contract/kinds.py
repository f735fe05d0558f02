"""The contract's document kinds: one name per shape, its validator, and its JSON Schema (draft 2020-12).

The names are the file names of ``contract/schemas/NAME.schema.json`` and ``contract/examples/NAME.json``,
and the ``kind`` value of the four message documents, which say what they are.
"""

from __future__ import annotations

import json
from typing import Any, Final

from pydantic import ConfigDict, TypeAdapter

from contract.models import (
    CONTRACT_VERSION,
    ActivationRequirement,
    DeploymentModel,
    EntitlementStatusRequest,
    EntitlementStatusResponse,
    TenantOnboardingRequest,
    TenantOnboardingResponse,
)

JSON_SCHEMA_DIALECT: Final = "https://json-schema.org/draft/2020-12/schema"

DOCUMENT_KINDS: Final[dict[str, TypeAdapter[Any]]] = {
    "deployment-model": TypeAdapter(DeploymentModel, config=ConfigDict(strict=True)),
    "activation-requirement": TypeAdapter(ActivationRequirement),
    "tenant-onboarding-request": TypeAdapter(TenantOnboardingRequest),
    "tenant-onboarding-response": TypeAdapter(TenantOnboardingResponse),
    "entitlement-status-request": TypeAdapter(EntitlementStatusRequest),
    "entitlement-status-response": TypeAdapter(EntitlementStatusResponse),
}
# The kinds that carry their own ``kind`` field; the others need ``--kind`` to be recognised.
SELF_DESCRIBING_KINDS: Final = (
    "tenant-onboarding-request",
    "tenant-onboarding-response",
    "entitlement-status-request",
    "entitlement-status-response",
)


def valid_kinds() -> str:
    return ", ".join(DOCUMENT_KINDS)


def adapter_for(kind: str) -> TypeAdapter[Any]:
    try:
        return DOCUMENT_KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown contract document kind {kind!r} (valid: {valid_kinds()})") from None


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema of one kind, as implementers in other languages should read it."""
    generated = adapter_for(kind).json_schema()
    # Metadata first, so that a reader sees the dialect and version at the top of the file.
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"urn:cavra:contract:{CONTRACT_VERSION}:{kind}",
        "x-contract-version": CONTRACT_VERSION,
        **generated,
    }


def schema_text(kind: str) -> str:
    """The schema as checked in: two-space indent, keys in generation order, a final newline."""
    return json.dumps(schema_for(kind), indent=2, ensure_ascii=False) + "\n"


def detect_kind(document: object) -> str | None:
    """The kind a parsed document names in its ``kind`` field, when it names a self-describing kind."""
    if isinstance(document, dict):
        kind = document.get("kind")
        if isinstance(kind, str) and kind in SELF_DESCRIBING_KINDS:
            return kind
    return None
