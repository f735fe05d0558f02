"""Validation of contract documents: the shape (pydantic) and public safety (the scanner), reported together.

``load_document`` is what every consumer should call on a document it receives: it reports every problem
at once (unknown fields, wrong values, missing fields, wrong types, unsafe values), each naming its field,
and never echoes a value in full. ``ensure_public_safe`` checks a document built in code, such as a response
before it is sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable
from typing import Any, Final

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from contract.kinds import SELF_DESCRIBING_KINDS, adapter_for, detect_kind, schema_for, valid_kinds
from contract.models import CONTRACT_VERSION, PATTERN_HINTS
from contract.safety import check_public_safety

LITERAL_HINTS: Final[dict[str, str]] = {
    "contract_version": f"unsupported contract version (supported: {CONTRACT_VERSION})",
    "trial_package_ready": "the trial package must be ready (true) before a tenant onboarding request",
    "pilot_handoff_ready": "the pilot handoff must be ready (true) before a tenant onboarding request",
}
# Unknown field names are shown when they look like a field name (a typo to fix), not like a token.
_PLAIN_KEY = re.compile(r"^(?!(?:[^0-9]*[0-9]){3})[A-Za-z_][A-Za-z0-9_-]{0,39}$")


class ContractError(Exception):
    """A document that is not a valid, public-safe contract document; ``problems`` lists every reason."""

    def __init__(self, message: str, problems: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  {problem}" for problem in self.problems)])


def load_document(text: str, *, kind: str | None = None, source: str = "document") -> tuple[str, Any]:
    """Parse and validate JSON ``text``; returns ``(kind, value)``. The kind is ``kind`` when given, else the
    document's own ``kind`` field. Raises ``ContractError`` listing every problem."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno} column {error.colno}"
        raise ContractError(f"{source}: not valid JSON: {error.msg} at {where}") from None
    if kind is None:
        kind = detect_kind(data)
        if kind is None:
            raise ContractError(
                f'{source}: cannot tell which contract document this is: give it a "kind" field'
                f" ({', '.join(SELF_DESCRIBING_KINDS)}) or pass a kind (valid: {valid_kinds()})"
            )
    try:
        adapter = adapter_for(kind)
    except ValueError as error:
        raise ContractError(f"{source}: {error}") from None
    safety = check_public_safety(data)
    problems: list[str] = []
    value: Any = None
    try:
        value = adapter.validate_json(text)
    except ValidationError as error:
        errors = error.errors(include_url=False, include_input=False)
        problems += shape_problems(errors, schema_for(kind), hidden_names=safety.unsafe_field_names)
    problems += [unsafe.describe() for unsafe in safety.unsafe]
    if problems:
        raise ContractError(f"{source}: not a valid {kind} (contract {CONTRACT_VERSION})", tuple(problems))
    return kind, value


def ensure_public_safe(document: BaseModel, *, what: str) -> None:
    """Raise ``ContractError`` when a document built in code carries an unsafe value."""
    unsafe = check_public_safety(document.model_dump(mode="json")).unsafe
    if unsafe:
        raise ContractError(f"{what} failed public-safety validation", tuple(u.describe() for u in unsafe))


def to_json(document: BaseModel | Iterable[BaseModel]) -> str:
    """Deterministic JSON: fields in declaration order, two-space indent, a final newline."""
    if isinstance(document, BaseModel):
        data: Any = document.model_dump(mode="json")
    else:
        data = [item.model_dump(mode="json") for item in document]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def field_path(loc: Iterable[int | str]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "(document)"


def _shown_name(name: object, hidden_names: Collection[str]) -> str:
    text = str(name)
    if _PLAIN_KEY.match(text) and text not in hidden_names:
        return repr(text)
    return f"of {len(text)} characters (name not shown)"


def shape_problems(
    errors: Iterable[ErrorDetails], schema: dict[str, Any], *, hidden_names: Collection[str] = frozenset()
) -> list[str]:
    """One line per pydantic error, in words a user can act on, and without the rejected value."""
    problems = []
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":
            allowed = ", ".join(_properties_at(schema, loc[:-1]))
            name = _shown_name(loc[-1], hidden_names)
            problems.append(f"{field_path(loc[:-1])}: unknown field {name} (allowed: {allowed})")
        else:
            problems.append(f"{field_path(loc)}: {_message(error)}")
    return problems


def _message(error: ErrorDetails) -> str:
    kind, ctx, loc = error["type"], error.get("ctx") or {}, error["loc"]
    if kind == "missing":
        return "required field is missing"
    if kind == "enum":
        return f"must be one of {ctx['expected']}"
    if kind in ("literal_error", "value_error") and loc and str(loc[-1]) in LITERAL_HINTS:
        return LITERAL_HINTS[str(loc[-1])]
    if kind == "literal_error":
        return f"must be {ctx['expected']}"
    if kind == "string_pattern_mismatch":
        return PATTERN_HINTS.get(str(ctx.get("pattern")), error["msg"])
    if kind == "string_too_short":
        return f"must have at least {ctx['min_length']} character(s)"
    if kind == "string_too_long":
        return f"must have at most {ctx['max_length']} characters"
    if kind == "too_short":
        return f"must have at least {ctx['min_length']} item(s)"
    message = error["msg"].removeprefix("Value error, ")
    return message[:1].lower() + message[1:]


def _properties_at(schema: dict[str, Any], loc: tuple[int | str, ...]) -> list[str]:
    """The field names the schema allows at ``loc`` (following ``$ref``, arrays and nullable unions)."""
    definitions = schema.get("$defs", {})

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while True:
            if "$ref" in node:
                node = definitions[node["$ref"].rsplit("/", 1)[-1]]
            elif "anyOf" in node:
                node = next((n for n in node["anyOf"] if n.get("type") != "null"), {})
            else:
                return node

    node = resolve(schema)
    for part in loc:
        child = node.get("items", {}) if isinstance(part, int) else node.get("properties", {}).get(part, {})
        node = resolve(child)
    return list(node.get("properties", {}))
