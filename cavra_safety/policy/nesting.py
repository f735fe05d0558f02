"""The nesting-qualified view of a YAML or JSON file: each scalar key read with the keys it is nested under.

The section view's case (``policy.sections``) in the formats that nest instead of sectioning: in a Helm values
file or a Rails ``secrets.yml``, ``secret_key`` under ``stripe:`` is a billing secret, and in ``config.json``,
``"secret"`` inside ``"webhooks": {...}`` is a webhook secret; a line-local rule sees only the last key. The view
writes each such line as ``stripe_secret_key = "value"``: the innermost parent key holding one of the section
words, then the key, joined with ``_`` (keys between say which provider or environment: ``payments:`` /
``providers:`` / ``- client_secret:`` is a payment secret), and the value quoted, so the rules keyed by the name
read it as they read the same assignment in code.

Read line by line, as written by people and by formatters: YAML by indentation (a ``- `` item's keys are nested
one step deeper), JSON one key per line with ``{`` / ``}`` opening and closing objects. A minified JSON line or a
YAML flow mapping is not read (its keys stay on one line, where the rules see them anyway). Only the value is
copied from the original, so a finding points at it; the rules' value filters apply as everywhere. Only lines
whose qualified name holds one of ``SECTION_WORDS`` in a parent key are written (a word in the key itself is
seen by the rules on the line as it is); the view is built when the text holds such a word at all.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cavra_safety.policy.sections import SECTION_WORD, SECTION_WORDS, qualified
from cavra_safety.policy.views import View, ViewBuilder

# ``key:`` or ``key: value`` (YAML), the key bare or quoted, after an optional ``- `` (a sequence item)
_YAML_ENTRY = re.compile(
    r"""^(?P<indent>[ ]*)(?P<item>-[ ]+)?(?P<key>[A-Za-z0-9_$][\w$.-]*|"[^"\r\n]+"|'[^'\r\n]+')"""
    r"""[ ]*:(?:[ \t]+(?P<value>.*?))?[ \t]*$"""
)
# ``"key": value`` in a JSON object written one key per line (the value a string, a number, ``{`` or ``[``)
_JSON_ENTRY = re.compile(r"""^[ \t]*"(?P<key>[^"\r\n]+)"[ \t]*:[ \t]*(?P<value>.*?)[ \t]*,?[ \t]*$""")
_YAML_COMMENT = re.compile(r"[ \t]+#")
# A parent key holding a section word, the view's necessary condition, in the lower-cased text: JSON's
# ``"…webhook…": {`` (or ``[``), YAML's ``…billing…:`` with nothing after it but a comment. A file that only
# names a word in its keys' values or in scalar keys (a translation file's ``"Webhook URL": "..."``, thousands of
# lines changed in every commit of a history) is not read key by key for nothing.
_WORDS = "|".join(SECTION_WORDS)
_PARENT = {
    "json": re.compile(rf""""[^"\r\n]*(?:{_WORDS})[^"\r\n]*"[ \t]*:[ \t]*[{{\[]"""),
    "yaml": re.compile(rf"(?m)(?:{_WORDS})[^\r\n]*:[ \t]*(?:#[^\r\n]*)?\r?$"),
}
# What a line with a nested scalar holds: its parent keys (outermost first), its key, the value's column, the value.
_Nested = tuple[tuple[str, ...], str, int, str]


def nesting_view(suffix: str, lines: Sequence[str], lower: str) -> View | None:
    """The qualified view of a YAML or JSON file's lines, or None when no key is nested under a section word."""
    if _PARENT["json" if suffix == "json" else "yaml"].search(lower) is None:
        return None
    nested = _json_keys(lines) if suffix == "json" else _yaml_keys(lines)
    builder = ViewBuilder()
    for index in range(len(lines)):
        parts: list[str | tuple[str, int, int]] = []
        note = ""
        found = nested.get(index)
        if found is not None:
            parents, key, start, text = found
            anchor = next((parent for parent in reversed(parents) if SECTION_WORD.search(parent.lower())), None)
            if anchor is not None:
                name = f"{anchor}_{key}"
                parts = [f'{name} = "', (text, index, start), '"']
                note = f"Read under its parent key as {name}."
        builder.add_line(parts, note)
    return builder.build()


def _yaml_keys(lines: Sequence[str]) -> dict[int, _Nested]:
    """For each line holding ``key: scalar``: its parent keys (outermost first), its key, the value's column and
    the value."""
    found: dict[int, _Nested] = {}
    parents: list[tuple[int, str]] = []  # (indent of the key, the key), outermost first
    for index, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        entry = _YAML_ENTRY.match(line)
        if entry is None:
            continue
        indent = len(entry.group("indent")) + len(entry.group("item") or "")
        while parents and parents[-1][0] >= indent:
            parents.pop()
        key = qualified(entry.group("key"))
        value = entry.group("value")
        if not value or value.startswith("#"):
            parents.append((indent, key))  # a mapping (or a block) under this key
            continue
        scalar = _yaml_scalar(line, entry.start("value"), entry.end("value"))
        if scalar is not None and parents:
            found[index] = (tuple(name for _, name in parents), key, *scalar)
    return found


def _yaml_scalar(line: str, start: int, end: int) -> tuple[int, str] | None:
    """``(column, text)`` of a one-line scalar: inside its quotes, or plain up to a comment. None for a block
    scalar (``|``, ``>``), a flow collection, an anchor or alias, a tag."""
    raw = line[start:end]
    if raw[0] in "|>[{&*!":
        return None
    if raw[0] in "\"'":
        closing = raw.find(raw[0], 1)
        return (start + 1, raw[1:closing]) if closing > 1 else None
    comment = _YAML_COMMENT.search(raw)
    text = raw[: comment.start()] if comment else raw
    return (start, text) if text else None


def _json_keys(lines: Sequence[str]) -> dict[int, _Nested]:
    """For each line holding ``"key": "string"``, (its parent keys, outermost first, its key, the string's column, the
    string). A key's ``{`` or ``[`` at the end of its line opens it; a line starting with ``}`` or ``]`` closes
    the innermost; an object or array opened alone on its line (an array's element) has no name."""
    found: dict[int, _Nested] = {}
    parents: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped[:1] in ("}", "]"):
            if parents:
                parents.pop()
            if stripped.rstrip(",").endswith(("{", "[")) and len(stripped) > 1:  # ``}, {``: the next element
                parents.append("")
            continue
        if stripped in ("{", "["):
            parents.append("")
            continue
        entry = _JSON_ENTRY.match(line)
        if entry is None:
            continue
        key, value = qualified(entry.group("key")), entry.group("value")
        if value in ("{", "["):
            parents.append(key)
        elif value.startswith('"') and value.endswith('"') and len(value) > 2:
            named = tuple(parent for parent in parents if parent)
            if named:
                found[index] = (named, key, entry.start("value") + 1, value[1:-1])
    return found
