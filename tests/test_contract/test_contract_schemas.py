"""The checked-in JSON Schemas are generated from the models, are valid draft 2020-12, and do not drift."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from contract_samples import SCHEMA_DIR

from contract.kinds import DOCUMENT_KINDS, JSON_SCHEMA_DIALECT, detect_kind, schema_for, schema_text
from contract.models import CONTRACT_VERSION
from contract.schema_export import drifted_schemas, main, write_schemas


def test_the_checked_in_schemas_match_the_models() -> None:
    assert drifted_schemas() == [], "run: python -m contract.schema_export"
    assert main(["--check"]) == 0


@pytest.mark.parametrize("kind", list(DOCUMENT_KINDS))
def test_each_schema_is_valid_draft_2020_12_and_names_its_version(kind: str) -> None:
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == JSON_SCHEMA_DIALECT
    assert schema["$id"] == f"urn:cavra:contract:{CONTRACT_VERSION}:{kind}"
    assert schema == schema_for(kind)


@pytest.mark.parametrize("kind", [k for k in DOCUMENT_KINDS if k != "deployment-model"])
def test_every_object_in_every_schema_rejects_unknown_fields(kind: str) -> None:
    schema = schema_for(kind)
    objects = [schema, *schema.get("$defs", {}).values()]
    objects = [node for node in objects if node.get("type") == "object"]
    assert objects
    assert all(node.get("additionalProperties") is False for node in objects)


@pytest.mark.parametrize(
    "kind",
    [
        "tenant-onboarding-request",
        "tenant-onboarding-response",
        "entitlement-status-request",
        "entitlement-status-response",
    ],
)
def test_message_documents_require_their_version_and_kind(kind: str) -> None:
    schema = schema_for(kind)
    assert {"contract_version", "kind"} <= set(schema["required"])
    assert schema["properties"]["kind"]["const"] == kind
    assert detect_kind({"kind": kind}) == kind


def test_drift_is_detected_and_repaired(tmp_path: Path) -> None:
    write_schemas(tmp_path)
    assert drifted_schemas(tmp_path) == []
    stale = tmp_path / "tenant-onboarding-request.schema.json"
    stale.write_text(stale.read_text(encoding="utf-8").replace('"maxLength": 2000', '"maxLength": 9000'))
    (tmp_path / "entitlement-status-response.schema.json").unlink()
    (tmp_path / "retired.schema.json").write_text("{}")
    assert drifted_schemas(tmp_path) == [
        "tenant-onboarding-request.schema.json: differs from the models",
        "entitlement-status-response.schema.json: missing",
        "retired.schema.json: not generated from any model",
    ]
    write_schemas(tmp_path)
    (tmp_path / "retired.schema.json").unlink()
    assert drifted_schemas(tmp_path) == []


def test_schema_text_is_deterministic() -> None:
    assert all(schema_text(kind) == schema_text(kind) for kind in DOCUMENT_KINDS)
    assert schema_text("deployment-model").endswith("}\n")
