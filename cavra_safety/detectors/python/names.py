"""The words of identifiers (the gates use them before anything is parsed)."""

from __future__ import annotations

import re

# Words of an identifier: camelCase, PascalCase, acronyms and digits split, separators dropped.
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def words(name: str) -> tuple[str, ...]:
    """``tenantId`` / ``TENANT_ID`` / ``X-Tenant-ID`` -> ``("tenant", "id")`` (with ``x`` first for the last)."""
    return tuple(word.lower() for word in _WORD.findall(name))


def snake_case(name: str) -> str:
    return "_".join(words(name))
