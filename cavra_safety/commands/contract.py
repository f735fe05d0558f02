"""``cavra-safety contract ...``: build, validate and answer documents of the public contract.

Exit codes: 0 done (Community answers ``unavailable``: that is a successful answer); 1 ``schema --check``
found schema files that drifted from the models; 2 bad input (a missing flag, a wrong value, an invalid or
unsafe document), with every problem listed; 3 internal error.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, Final

import click
from pydantic import BaseModel

from cavra_safety.commands.output import WholeSummaryGroup, write_output
from cavra_safety.errors import UserError
from contract.documents import ContractError, ensure_public_safe, load_document, to_json
from contract.entitlement import CommunityEntitlementProvider
from contract.kinds import DOCUMENT_KINDS, schema_text
from contract.models import (
    CONTRACT_VERSION,
    DeploymentModel,
    EntitlementStatusRequest,
    TenantOnboardingRequest,
)
from contract.onboarding import CommunityOnboardingService
from contract.render import entitlement_text, requirements_markdown, requirements_text
from contract.requirements import requirements_for
from contract.schema_export import SCHEMA_DIR, drifted_schemas, write_schemas

MODELS: Final = ", ".join(DeploymentModel)
REQUEST_FLAGS: Final = {
    "deployment_model": "--deployment-model",
    "organization_display_name": "--organization",
    "owner.role": "--owner-role",
    "owner.team": "--owner-team",
    "owner.contact_alias": "--contact-alias",
    "trial_package_ready": "--trial-package-ready",
    "pilot_handoff_ready": "--pilot-handoff-ready",
    "acknowledged_requirements": "--acknowledge",
    "notes": "--notes",
}
NOT_READY: Final = {
    "trial_package_ready": "--trial-package-ready: the trial package is not ready; pass this flag once it is",
    "pilot_handoff_ready": "--pilot-handoff-ready: the pilot handoff is not ready; pass this flag once it is",
}
ENTITLEMENT_FLAGS: Final = {
    "deployment_model": "--deployment-model",
    "tenant_alias": "--tenant-alias",
    "features": "--feature",
}
_PROBLEM = re.compile(r"^(?P<field>[a-z_.]+)(?P<index>\[\d+\])?: (?P<message>.*)$", re.DOTALL)

output_option = click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE instead of stdout."
)
model_option = click.option(
    "--deployment-model", "deployment_model", metavar="MODEL", help=f"The deployment model: {MODELS}."
)


@click.group(cls=WholeSummaryGroup)
def contract() -> None:
    """The public tenant onboarding and entitlement status contract.

    Community defines the contract and answers every request with 'unavailable': it provisions nothing,
    holds no licence and keeps no copy. Every string value is checked with the public-safety scanner.

    \b
    Exit codes:
      0  done ('unavailable' is a successful answer)
      1  schema --check found schema files that drifted from the models
      2  bad input: every problem is listed
      3  internal error (a bug)
    """


@contract.command()
@model_option
@click.option("--organization", metavar="NAME", help="The organisation's display name.")
@click.option("--owner-role", metavar="ROLE", help="The owner's role, e.g. 'Platform owner'.")
@click.option("--owner-team", metavar="TEAM", help="The owning team, e.g. 'Platform engineering'.")
@click.option("--contact-alias", metavar="ALIAS", help="A role-based handle such as 'platform-team'.")
@click.option("--trial-package-ready", is_flag=True, help="The trial package is ready (required).")
@click.option("--pilot-handoff-ready", is_flag=True, help="The pilot handoff is ready (required).")
@click.option(
    "--acknowledge",
    "acknowledged",
    multiple=True,
    metavar="REQUIREMENT_ID",
    help="An activation requirement you acknowledge; repeatable (see 'contract requirements').",
)
@click.option("--notes", metavar="TEXT", help="Free-text notes (no secrets, no personal contact data).")
@output_option
def request(
    deployment_model: str | None,
    organization: str | None,
    owner_role: str | None,
    owner_team: str | None,
    contact_alias: str | None,
    trial_package_ready: bool,
    pilot_handoff_ready: bool,
    acknowledged: tuple[str, ...],
    notes: str | None,
    output: Path | None,
) -> int:
    """Build a public-safe tenant onboarding request.

    Refused (exit 2) while the trial package or the pilot handoff is not ready.
    """
    owner = {"role": owner_role, "team": owner_team, "contact_alias": contact_alias}
    document = _without_none(
        {
            "contract_version": CONTRACT_VERSION,
            "kind": "tenant-onboarding-request",
            "deployment_model": deployment_model,
            "organization_display_name": organization,
            "owner": _without_none(owner),
            "trial_package_ready": trial_package_ready,
            "pilot_handoff_ready": pilot_handoff_ready,
            "acknowledged_requirements": list(acknowledged),
            "notes": notes,
        }
    )
    try:
        _, built = load_document(json.dumps(document), kind="tenant-onboarding-request")
    except ContractError as error:
        problems = tuple(_flag_problem(problem, REQUEST_FLAGS, NOT_READY) for problem in error.problems)
        raise UserError("cannot build a tenant onboarding request:", problems) from None
    assert isinstance(built, TenantOnboardingRequest)
    write_output(to_json(built), output)
    return 0


@contract.command()
@model_option
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True
)
@output_option
def requirements(deployment_model: str | None, output_format: str, output: Path | None) -> int:
    """The activation requirements a private service must meet, for one deployment model or all of them."""
    selected = requirements_for(_deployment_model(deployment_model))
    renderers = {"text": requirements_text, "json": to_json, "markdown": requirements_markdown}
    write_output(renderers[output_format](selected), output)
    return 0


@contract.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@output_option
def submit(file: Path, output: Path | None) -> int:
    """Validate the tenant onboarding request in FILE ('-': stdin) and print Community's response."""
    request_document = _load(file, "tenant-onboarding-request")
    assert isinstance(request_document, TenantOnboardingRequest)
    response = CommunityOnboardingService().submit(request_document)
    _check_own_answer(response)
    write_output(to_json(response), output)
    return 0


@contract.command("entitlement-status")
@model_option
@click.option(
    "--tenant-alias", metavar="ALIAS", help="The tenant's public alias, e.g. 'acme-pilot' (never a tenant id)."
)
@click.option("--feature", "features", multiple=True, metavar="KEY", help="A feature key to ask about; repeatable.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@output_option
def entitlement_status(
    deployment_model: str | None,
    tenant_alias: str | None,
    features: tuple[str, ...],
    output_format: str,
    output: Path | None,
) -> int:
    """Ask for entitlement status. Community answers 'unavailable', offline, without reading any licence."""
    document = _without_none(
        {
            "contract_version": CONTRACT_VERSION,
            "kind": "entitlement-status-request",
            "deployment_model": deployment_model,
            "tenant_alias": tenant_alias,
            "features": list(features),
        }
    )
    try:
        _, status_request = load_document(json.dumps(document), kind="entitlement-status-request")
    except ContractError as error:
        problems = tuple(_flag_problem(problem, ENTITLEMENT_FLAGS) for problem in error.problems)
        raise UserError("cannot ask for entitlement status:", problems) from None
    assert isinstance(status_request, EntitlementStatusRequest)
    response = CommunityEntitlementProvider().status(status_request)
    _check_own_answer(response)
    write_output(to_json(response) if output_format == "json" else entitlement_text(response), output)
    return 0


@contract.command()
@click.argument("name", required=False, type=click.Choice(list(DOCUMENT_KINDS)))
@click.option("--write", is_flag=True, help=f"Regenerate every schema file under {SCHEMA_DIR.name}/.")
@click.option("--check", is_flag=True, help="Exit 1 if a checked-in schema file differs from the models.")
@output_option
def schema(name: str | None, write: bool, check: bool, output: Path | None) -> int:
    """Print the JSON Schema (draft 2020-12) of NAME, or list the names.

    --write regenerates the checked-in schema files; --check exits 1 when they drifted from the models.
    """
    if write and check:
        raise UserError("--write and --check exclude each other")
    if write:
        for path in write_schemas():
            click.echo(f"wrote {path}", err=True)
        return 0
    if check:
        drifted = drifted_schemas()
        for problem in drifted:
            click.echo(f"{problem} (run 'cavra-safety contract schema --write')", err=True)
        return 1 if drifted else 0
    write_output(schema_text(name) if name else "".join(f"{kind}\n" for kind in DOCUMENT_KINDS), output)
    return 0


@contract.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(list(DOCUMENT_KINDS)),
    help="The document kind; needed for documents without a 'kind' field.",
)
def validate(files: tuple[Path, ...], kind: str | None) -> int:
    """Check contract documents: shape, contract version and public safety.

    Every problem of every file is listed.
    """
    problems: list[str] = []
    invalid = 0
    for file in files:
        try:
            found_kind, _ = load_document(_read(file), kind=kind, source=str(file))
        except ContractError as error:
            invalid += 1
            problems += [error.message, *(f"  {problem}" for problem in error.problems)]
            continue
        click.echo(f"{file}: valid {found_kind} (contract {CONTRACT_VERSION})")
    if problems:
        raise UserError(f"{invalid} of {len(files)} contract documents not valid:", tuple(problems))
    return 0


def _load(file: Path, kind: str) -> Any:
    try:
        return load_document(_read(file), kind=kind, source=str(file))[1]
    except ContractError as error:
        raise UserError(error.message, error.problems) from None


def _read(file: Path) -> str:
    try:
        return sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        raise UserError(f"cannot read {file}: {reason}") from None


def _deployment_model(value: str | None) -> DeploymentModel | None:
    if value is None:
        return None
    try:
        return DeploymentModel(value)
    except ValueError:
        raise UserError(f"--deployment-model: unknown deployment model (valid: {MODELS})") from None


def _check_own_answer(response: BaseModel) -> None:
    """Community's answers are checked like anyone's; an unsafe one is a bug here, not the user's input."""
    try:
        ensure_public_safe(response, what="Community's answer")
    except ContractError as error:
        raise RuntimeError(str(error)) from None


def _without_none(fields: dict[str, Any]) -> dict[str, Any]:
    """Leave out options that were not given, so that validation reports them as missing."""
    return {key: value for key, value in fields.items() if value is not None}


def _flag_problem(problem: str, flags: dict[str, str], overrides: dict[str, str] | None = None) -> str:
    """``owner.team: message`` as ``--owner-team: message``, so that problems name what the user typed."""
    match = _PROBLEM.match(problem)
    if match is None or match["field"] not in flags:
        return problem
    if overrides and match["field"] in overrides:
        return overrides[match["field"]]
    return f"{flags[match['field']]}: {match['message']}"
