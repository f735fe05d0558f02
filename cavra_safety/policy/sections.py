"""The section-qualified view of an INI / TOML / .properties file: each key read with the section it is under.

In ``[billing]`` (or ``[stripe]``, ``[tool.billing]``, ``[services.stripe]``), ``secret_key = ...`` is the
billing secret key, and in ``[webhooks]`` ``secret = ...`` is the webhook secret; a line-local rule sees only
``secret_key``. The view writes each such line as ``billing_secret_key = "value"``: the section's parts, then
the key, joined with ``_``, and the value quoted (INI and .properties values are bare), so the rules keyed by
the name (``billing-secret-assignment``, ``webhook-secret-assignment``, ``license-key-value``) read it as they
read the same assignment in code. A .properties file has no sections: its dotted keys say the same
(``billing.api-key=...`` is read as ``billing_api_key = "..."``).

Only the value is copied from the original, so a finding points at the value on its own line; the rules' value
filters apply as everywhere (placeholders, ``${STRIPE_KEY}``, ``%(stripe_key)s``). Only lines whose qualified
name holds one of ``SECTION_WORDS`` are written; the view is built when the text holds one at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cavra_safety.policy.views import View, ViewBuilder

# The words that give a key under them its category (DESIGN section 2): payment providers and billing words
# (billing-secret), webhooks (webhook-secret), licences (license-key). The rules decide; this only chooses
# which lines are worth a qualified copy.
SECTION_WORDS: tuple[str, ...] = (
    "billing", "payment", "invoic", "merchant", "stripe", "braintree", "adyen", "paddle", "chargebee", "recurly",
    "paypal", "checkout", "square", "webhook", "licence", "license",
)  # fmt: skip

# Any of ``SECTION_WORDS``, in lower-cased text (the nesting view reads its parent keys with it too).
SECTION_WORD = re.compile("|".join(SECTION_WORDS))
# ``[section]``, ``[[array.of.tables]]``, ``[section "sub"]`` (git-config style), trailing comment allowed
_HEADER = re.compile(r"""^\s*\[\[?\s*(?P<name>[^\[\]\r\n]+?)\s*\]\]?\s*(?:[#;].*)?$""")
# ``key = value``, ``key: value`` (INI, .properties), ``"quoted key" = value`` (TOML)
_ENTRY = re.compile(r"""^\s*(?P<key>[A-Za-z0-9_$][\w$.-]*|"[^"\r\n]+"|'[^'\r\n]+')\s*[=:]\s*(?P<value>.*?)\s*$""")
_INLINE_COMMENT = re.compile(r"\s+[#;]")
_SEPARATORS = re.compile(r"[^A-Za-z0-9]+")


def section_view(suffix: str, lines: Sequence[str], lower: str) -> View | None:
    """The qualified view of a config file's lines, or None when no key is under a section word."""
    if SECTION_WORD.search(lower) is None:
        return None
    builder = ViewBuilder()
    section = ""
    properties = suffix == "properties"
    for index, line in enumerate(lines):
        parts: list[str | tuple[str, int, int]] = []
        note = ""
        header = None if properties else _HEADER.match(line)
        if header is not None:
            section = qualified(header.group("name"))
        elif (entry := _ENTRY.match(line)) is not None:
            name = "_".join(part for part in (section, qualified(entry.group("key"))) if part)
            value = _value(line, entry.start("value"), entry.end("value"))
            if value is not None and SECTION_WORD.search(name.lower()) is not None:
                start, text = value
                parts = [f'{name} = "', (text, index, start), '"']
                note = f"Read under its section as {name}."
        builder.add_line(parts, note)
    return builder.build()


def qualified(name: str) -> str:
    """``tool.billing`` -> ``tool_billing``; ``"stripe live"`` -> ``stripe_live``; ``api-key`` -> ``api_key``."""
    return _SEPARATORS.sub("_", name).strip("_")


def _value(line: str, start: int, end: int) -> tuple[int, str] | None:
    """``(column, text)`` of an entry's literal value: inside its quotes, or bare up to an inline comment.
    None for what is no single-line literal: an array or inline table, a multi-line string, nothing."""
    raw = line[start:end]
    if not raw or raw[0] in "[{" or raw.startswith(('"""', "'''")):
        return None
    if raw[0] in "\"'":
        closing = raw.find(raw[0], 1)
        if closing <= 1:
            return None
        return start + 1, raw[1:closing]
    comment = _INLINE_COMMENT.search(raw)
    text = raw[: comment.start()] if comment else raw
    return (start, text) if text else None
