"""``cavra-safety contract ...`` (placeholder: the contract work fills it in)."""

import click


@click.group()
def contract() -> None:
    """The public tenant onboarding and entitlement status contract."""
