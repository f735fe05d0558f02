"""Reading one TOML table field by field, collecting every problem instead of stopping at the first.

Each problem names where it is (``policies/x.toml: rule "tenant-id-value"``) and the field (``patterns[1]``),
so that a broken pack is fixed in one pass. Every field read is remembered; ``finish`` reports the rest as
unknown, because a typo in a field name must not silently turn a filter off.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from cavra_safety.redaction import quoted, redact_secrets

T = TypeVar("T")


class Fields:
    def __init__(self, table: Mapping[str, object], where: str, problems: list[str], prefix: str = "") -> None:
        self.data = table
        self.where = where
        self.prefix = prefix
        self.problems = problems
        self.known: set[str] = set()
        self.failed = False

    def problem(self, field: str, message: str) -> None:
        self.failed = True
        self.problems.append(f"{self.where}: {self.prefix}{field}: {message}")

    def nested(self, table: Mapping[str, object], field: str) -> Fields:
        """The fields of a sub-table, reported as ``field.key``; its failures count as this table's."""
        return Fields(table, self.where, self.problems, prefix=f"{self.prefix}{field}.")

    def present(self, key: str) -> bool:
        self.known.add(key)
        return key in self.data

    def _get(self, key: str, required: bool) -> object | None:
        self.known.add(key)
        if key not in self.data:
            if required:
                self.problem(key, "required field is missing")
            return None
        return self.data[key]

    def string(
        self,
        key: str,
        *,
        required: bool = True,
        pattern: re.Pattern[str] | None = None,
        one_line: bool = False,
        default: str = "",
    ) -> str:
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str):
            self.problem(key, f"expected a string, got {type(value).__name__}")
            return default
        if required and not value.strip():
            self.problem(key, "must not be empty")
        elif one_line and "\n" in value:
            self.problem(key, "must be one line")
        elif pattern is not None and pattern.fullmatch(value) is None:
            self.problem(key, f"{quoted(value)} does not match {pattern.pattern}")
        return value

    def choice(
        self, key: str, parse: Callable[[str], T], *, required: bool = True, default: T | None = None
    ) -> T | None:
        """A string converted by ``parse``, whose ``ValueError`` message lists the valid values."""
        value = self._get(key, required)
        if value is None:
            return default
        if not isinstance(value, str):
            self.problem(key, f"expected a string, got {type(value).__name__}")
            return default
        try:
            return parse(value)
        except ValueError as error:
            self.problem(key, str(error))
            return default

    def strings(self, key: str, *, required: bool = True, non_empty: bool = True) -> tuple[str, ...]:
        value = self._get(key, required)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(key, f"expected a list of strings, got {type(value).__name__}")
            return ()
        if non_empty and not value:
            self.problem(key, "must not be empty")
        items: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                self.problem(f"{key}[{index}]", "expected a non-empty string")
            else:
                items.append(item)
        return tuple(items)

    def items(self, key: str, *, required: bool = True) -> Sequence[object]:
        """A non-empty list whose items the caller checks one by one."""
        value = self._get(key, required)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(key, f"expected a list, got {type(value).__name__}")
            return ()
        if not value:
            self.problem(key, "must not be empty")
        return value

    def integer(self, key: str, *, default: int, minimum: int, maximum: int) -> int:
        value = self._get(key, required=False)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
            self.problem(key, f"expected a whole number from {minimum} to {maximum}, got {quoted(value)}")
            return default
        return value

    def number(self, key: str, *, default: float, minimum: float, maximum: float) -> float:
        value = self._get(key, required=False)
        if value is None:
            return default
        if not isinstance(value, int | float) or isinstance(value, bool) or not minimum <= value <= maximum:
            self.problem(key, f"expected a number from {minimum} to {maximum}, got {quoted(value)}")
            return default
        return float(value)

    def boolean(self, key: str, *, default: bool) -> bool:
        value = self._get(key, required=False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(key, f"expected true or false, got {quoted(value)}")
            return default
        return value

    def table(self, key: str) -> Mapping[str, object] | None:
        value = self._get(key, required=False)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(key, f"expected a table, got {type(value).__name__}")
            return None
        return value

    def finish(self) -> None:
        """Report fields nobody read; call after every field has been read."""
        for key in self.data:
            if key not in self.known:
                self.problem(redact_secrets(key), f"unknown field (known: {', '.join(sorted(self.known))})")
