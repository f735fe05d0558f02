"""The contract's one validation hook into the scanner: public safety as part of validation.

Every string value of a contract document is scanned with cavra-safety's text detectors; a tenant id, licence
key, webhook secret, provider URL or credential in any field is reported with the field, the category and a
redacted preview. Personal contact data (e-mail addresses, phone numbers) is rejected here too: the contract
carries role-based aliases only.

This is the only module of ``contract`` that reaches into ``cavra_safety``, and it does so inside a function,
so that importing the contract's shapes never loads the scanner.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

PERSONAL_CONTACT: Final = "personal-contact"
# The file name the scanner sees each value under: plain text, so that no file-type rule applies.
SCAN_PATH: Final = "contract-value.txt"

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE_CANDIDATE = re.compile(r"(?<![\w.+-])\+?\(?\d[\d ().-]{5,}\d(?![\w.-])")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DOTTED_QUAD = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")


@dataclass(frozen=True, order=True)
class UnsafeValue:
    """One value that must not appear in a public contract document. Holds no secret: a redacted preview."""

    field: str
    category: str
    rule_id: str
    redacted: str

    def describe(self) -> str:
        return (
            f"{self.field}: {self.category} ({self.rule_id}) must not appear in a public contract document;"
            f" value rejected: {self.redacted}"
        )


def iter_string_values(data: object, field: str = "") -> Iterator[tuple[str, str, bool]]:
    """``(field path, text, is_field_name)`` for every string value in a JSON-like document (``owner.team``,
    ``features[1]``) and for every field name, since an unknown field's name can carry a secret too. Works on
    documents of any shape, valid or not, so that safety problems are reported alongside shape problems."""
    if isinstance(data, str):
        yield field or "(document)", data, False
    elif isinstance(data, Mapping):
        for key, value in data.items():
            yield f"{field or '(document)'} (a field name)", str(key), True
            yield from iter_string_values(value, f"{field}.{key}" if field else str(key))
    elif isinstance(data, Sequence) and not isinstance(data, bytes | bytearray):
        for index, value in enumerate(data):
            yield from iter_string_values(value, f"{field}[{index}]")


def personal_contact_data(value: str) -> Iterator[tuple[str, str]]:
    """``(rule id, matched text)`` for e-mail addresses and phone-number-shaped digit runs in ``value``."""
    for match in _EMAIL.finditer(value):
        yield "contract/email-address", match.group(0)
    for match in _PHONE_CANDIDATE.finditer(value):
        text = match.group(0).strip()
        digits = sum(char.isdigit() for char in text)
        if 7 <= digits <= 15 and not _ISO_DATE.match(text) and not _DOTTED_QUAD.match(text):
            yield "contract/phone-number", text


@dataclass(frozen=True)
class SafetyReport:
    """The unsafe values of one document. ``unsafe_field_names`` stays in memory, so that error messages about
    unknown fields can leave those names out; it is never printed."""

    unsafe: tuple[UnsafeValue, ...]
    unsafe_field_names: frozenset[str]


def check_public_safety(document: object) -> SafetyReport:
    """Scan every string value and field name of ``document``: parsed JSON, or
    ``model.model_dump(mode="json")``."""
    from cavra_safety.api import TextScanner
    from cavra_safety.redaction import redact

    scanner = TextScanner()
    problems: dict[tuple[str, str, str], UnsafeValue] = {}
    unsafe_names: set[str] = set()
    for field, text, is_field_name in iter_string_values(document):
        hits = [(str(f.category), f.rule_id, f.redacted) for f in scanner.scan(text, path=SCAN_PATH)]
        hits += [(PERSONAL_CONTACT, rule_id, redact(found)) for rule_id, found in personal_contact_data(text)]
        for category, rule_id, redacted in hits:
            problems.setdefault((field, category, rule_id), UnsafeValue(field, category, rule_id, redacted))
        if hits and is_field_name:
            unsafe_names.add(text)
    return SafetyReport(tuple(problems.values()), frozenset(unsafe_names))
