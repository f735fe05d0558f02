"""Values that are not literal secrets: the placeholder filter every policy rule gets for free.

The engine applies this to the value a rule captured (the ``secret`` group, a record's identifier, ...), so that
rules need not repeat it. A value is ignored when:

- it is empty or only whitespace;
- the whole value is a template or placeholder shape: ``<tenant-id>``, ``${TENANT_ID}``, ``$TENANT_ID``,
  ``%TENANT_ID%``, ``{{ tenant_id }}``, ``{tenant}``, ``[tenant id]``;
- it *contains* a template expression that cannot be part of a real value: ``${...}``, ``{{ ... }}``,
  ``<name>`` or ``{name}`` (e.g. ``https://<tenant>.okta.com`` or ``postgres://app:${DB_PASSWORD}@db``);
- it is one repeated character once separators are ignored (``xxxxxxxx``, ``********``, ``0000-0000-0000``)
  or holds a mask run of six or more ``x``/``X``/``*``/``•`` (``sk_live_xxxxxxxxxxxx``);
- it contains (case-insensitively) a placeholder marker: ``your_``, ``your-``, ``example``, ``placeholder``,
  ``changeme``, ``redacted`` and a few spellings of the same (see ``MARKERS``);
- it is a word that stands for "no value" or a type name: ``None``, ``null``, ``undefined``, ``str`` ...;
- it starts like an environment or settings look-up: ``os.environ[...]``, ``os.getenv(``, ``getenv(``,
  ``process.env.X``, ``import.meta.env``, ``ENV[``, ``settings.X`` ... Rules should capture quoted or unquoted
  *literal* values only, so such expressions rarely reach this filter; it is the safety net for rules that
  capture unquoted values (``.env`` and YAML files).

The lists below are data: extend them here, not in the code.
"""

from __future__ import annotations

import re

MARKERS: tuple[str, ...] = (
    "your_",
    "your-",
    "example",
    "placeholder",
    "changeme",
    "change_me",
    "change-me",
    "redacted",
    "replace_me",
    "replace-me",
    "replaceme",
)

NOT_A_VALUE: frozenset[str] = frozenset(
    "none null nil undefined true false n/a tbd todo str string int integer number bool boolean any object".split()
)

WHOLE_VALUE_SHAPES: tuple[str, ...] = (
    r"<[^<>]*>",  # <tenant-id>
    r"\$\{[^{}]*\}",  # ${TENANT_ID}
    r"\$[A-Za-z_][A-Za-z0-9_]*",  # $TENANT_ID
    r"%[A-Za-z_][A-Za-z0-9_]*%",  # %TENANT_ID%
    r"\{\{.*\}\}",  # {{ tenant_id }}
    r"\{[^{}]*\}",  # {tenant}
    r"\[[^\[\]]*\]",  # [tenant id]
)

EMBEDDED_SHAPES: tuple[str, ...] = (
    r"\$\{[^{}]*\}",  # https://${HOST}/x
    r"\{\{[^{}]*\}\}",  # https://{{ host }}/x
    r"<[A-Za-z_][A-Za-z0-9 _.:-]*>",  # https://<tenant>.okta.com
    r"\{[A-Za-z_][A-Za-z0-9_.-]*\}",  # https://{tenant}.okta.com
    r"[xX*•]{6,}",  # sk_live_xxxxxxxxxxxxxxxx
)

LOOKUP_PREFIXES: tuple[str, ...] = (
    r"os\.environ",
    r"os\.getenv",
    r"getenv\s*\(",
    r"process\.env\b",
    r"import\.meta\.env\b",
    r"ENV\s*\[",
    r"env\s*\(",
    r"System\.getenv",
    r"Environment\.GetEnvironmentVariable",
    r"settings\.[A-Z_]",
    r"config\s*\[",
    r"Deno\.env\b",
)

SEPARATORS = "-_.:/ "

_WHOLE = re.compile("|".join(f"(?:{shape})" for shape in WHOLE_VALUE_SHAPES))
_EMBEDDED = re.compile("|".join(f"(?:{shape})" for shape in EMBEDDED_SHAPES))
_LOOKUP = re.compile("|".join(f"(?:{prefix})" for prefix in LOOKUP_PREFIXES))
_MARKER = re.compile("|".join(re.escape(marker) for marker in MARKERS), re.IGNORECASE)
_SEPARATOR_TABLE = str.maketrans("", "", SEPARATORS)


def is_placeholder(value: str) -> bool:
    """Whether ``value`` is a placeholder, template, mask or look-up rather than a literal worth reporting."""
    stripped = value.strip()
    if not stripped:
        return True
    if stripped.lower() in NOT_A_VALUE:
        return True
    if _WHOLE.fullmatch(stripped) or _EMBEDDED.search(stripped) or _LOOKUP.match(stripped):
        return True
    if _MARKER.search(stripped):
        return True
    significant = stripped.translate(_SEPARATOR_TABLE)
    return len(set(significant)) <= 1
