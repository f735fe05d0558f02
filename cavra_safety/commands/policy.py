"""``cavra-safety policy ...`` (placeholder: the policy work fills it in)."""

import click


@click.group()
def policy() -> None:
    """Inspect, check and extend the policy packs."""
