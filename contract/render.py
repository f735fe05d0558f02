"""Human renderings of contract values: plain text for the terminal, Markdown for the docs.

Pure functions of their arguments, so that the docs can be checked against them byte for byte.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from contract.models import ActivationRequirement, DeploymentModel, EntitlementStatusResponse

WIDTH = 100
PAD = "    "


def requirements_text(requirements: Sequence[ActivationRequirement]) -> str:
    lines = []
    for requirement in requirements:
        models = ", ".join(requirement.applies_to)
        lines.append(f"{requirement.id}: {requirement.title} (applies to: {models})")
        lines += textwrap.wrap(requirement.description, WIDTH, initial_indent=PAD, subsequent_indent=PAD)
    return "\n".join(lines) + "\n"


def requirements_markdown(requirements: Sequence[ActivationRequirement]) -> str:
    """A table of which requirement applies to which deployment model, then each requirement's description."""
    models = list(DeploymentModel)
    lines = [
        "| Requirement | Title | " + " | ".join(f"`{model}`" for model in models) + " |",
        "|---|---|" + "|".join(":-:" for _ in models) + "|",
    ]
    for requirement in requirements:
        marks = " | ".join("yes" if model in requirement.applies_to else "no" for model in models)
        lines.append(f"| `{requirement.id}` | {requirement.title} | {marks} |")
    lines.append("")
    lines += [f"- `{requirement.id}`: {requirement.description}" for requirement in requirements]
    return "\n".join(lines) + "\n"


def entitlement_text(response: EntitlementStatusResponse) -> str:
    model = response.deployment_model or "any deployment model"
    lines = [
        f"status: {response.status} (edition {response.edition}, {model}, contract {response.contract_version})",
        *textwrap.wrap(response.message, WIDTH),
    ]
    if response.features:
        lines.append("features:")
        lines += [f"  {item.feature}: {item.status} - {item.message}" for item in response.features]
    return "\n".join(lines) + "\n"
