"""How to fix a finding, as the report says it: the rule's own message, plus what a value in the history needs.

A value that reached the history stays readable in every clone, even after the tree drops it: removing it from
the tree does not undo the exposure. Credentials must be rotated; data and code exposures go to their owner.
Rewriting history is never the tool's advice to take alone: it is the repository owner's call, and it does not
make an exposed secret safe again.
"""

from __future__ import annotations

from cavra_safety.findings import Category

# Categories whose values are credentials or carry them: exposure means rotation.
ROTATE = frozenset(
    {
        Category.BILLING_SECRET,
        Category.LICENSE_KEY,
        Category.CONNECTOR_CREDENTIAL,
        Category.WEBHOOK_SECRET,
        Category.PROVIDER_URL,
    }
)
_DATA = frozenset({Category.TENANT_RECORD, Category.TENANT_ID})
_OWNER_CALL = "Rewriting the history (e.g. with git filter-repo) is the repository owner's call"


def _short(commit: str) -> str:
    return commit[:12]


def history_fix(category: Category, commit: str | None) -> str:
    """For a value that is only in the history (the tree no longer has it)."""
    where = f"commit {_short(commit)}" if commit else "the history"
    if category in ROTATE:
        return (
            f"Rotate it now: revoke this value and issue a new one, since it stays readable in {where} "
            f"of every clone. {_OWNER_CALL}, and it does not make the exposed value safe again."
        )
    if category in _DATA:
        return (
            f"This tenant data stays readable in {where} of every clone: report the exposure to the data "
            f"owner, and rotate any identifier that grants access. {_OWNER_CALL}."
        )
    return (
        f"This private material stays readable in {where} of every clone: tell its owner, who decides "
        f"whether the exposure needs action. {_OWNER_CALL}."
    )


def tree_fix(category: Category, message: str, commit: str | None) -> str:
    """For a value in the working tree: the rule's message, and rotation when it was committed already."""
    if commit is None:
        return message
    if category in ROTATE:
        return (
            f"{message} It was committed in {_short(commit)}: removing it from the tree is not enough, "
            f"rotate it. {_OWNER_CALL}."
        )
    return f"{message} It is in the history since {_short(commit)}. {_OWNER_CALL}."
