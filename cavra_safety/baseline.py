"""The baseline: findings a team has looked at and accepted, kept in ``.cavra-safety-baseline.json``.

An entry is keyed by path, rule id and fingerprint (a hash of rule id and secret): never the line number,
so moving a line keeps it accepted, and never the secret, so a different secret on the same line is still
reported. Paths are stored relative to the baseline file's folder, so the file keeps working whatever
folder a scan is rooted at. The file is sorted and indented one field per line, so that it reviews well in
a diff and a hand-edited mistake can be named by its line.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cavra_safety import TOOL_NAME
from cavra_safety.errors import UserError
from cavra_safety.findings import Category, Finding, Suppressed, SuppressionKind

BASELINE_VERSION = 1
_RULE_ID = re.compile(r"^[a-z][a-z0-9_-]*/[a-z0-9][a-z0-9._-]*$")
_FINGERPRINT = re.compile(r"^[0-9a-f]{64}$")
_ENTRY_FIELDS = ("path", "rule_id", "category", "fingerprint", "reason")
_TOP_FIELDS = ("version", "generated_by", "entries")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
Key = tuple[str, str, str]


@dataclass(frozen=True, order=True)
class BaselineEntry:
    path: str
    rule_id: str
    fingerprint: str
    category: Category
    reason: str

    @property
    def key(self) -> Key:
        return (self.path, self.rule_id, self.fingerprint)

    def as_json(self) -> dict[str, str]:
        return {
            "path": self.path,
            "rule_id": self.rule_id,
            "category": self.category.value,
            "fingerprint": self.fingerprint,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Baseline:
    """Accepted findings, and the folder their paths are relative to."""

    folder: Path
    entries: tuple[BaselineEntry, ...] = ()

    def key_of(self, finding: Finding, root: Path) -> Key:
        return (entry_path(finding.path, root, self.folder), finding.rule_id, finding.fingerprint)

    def subtract(self, findings: Iterable[Finding], root: Path) -> tuple[list[Finding], list[Suppressed]]:
        """(findings not in the baseline, the ones it accepts, each with its entry's reason)."""
        reasons = {entry.key: entry.reason for entry in self.entries}
        kept: list[Finding] = []
        accepted: list[Suppressed] = []
        for finding in findings:
            reason = reasons.get(self.key_of(finding, root))
            if reason is None:
                kept.append(finding)
            else:
                accepted.append(Suppressed(finding, SuppressionKind.BASELINE, reason))
        return kept, accepted

    def stale(self, findings: Iterable[Finding], root: Path) -> list[BaselineEntry]:
        """Entries that no finding of a full scan matches any more (the value was removed or changed)."""
        present = {self.key_of(finding, root) for finding in findings}
        return [entry for entry in self.entries if entry.key not in present]

    def updated(self, findings: Iterable[Finding], root: Path, reason: str, keep_stale: bool = False) -> Baseline:
        """Existing entries that still match (with their reasons), plus every new finding with ``reason``."""
        current = {self.key_of(finding, root): finding for finding in findings}
        kept = [entry for entry in self.entries if keep_stale or entry.key in current]
        known = {entry.key for entry in kept}
        added = [
            BaselineEntry(key[0], key[1], key[2], finding.category, reason)
            for key, finding in current.items()
            if key not in known
        ]
        return Baseline(self.folder, tuple(sorted(set(kept + added))))

    def render(self) -> str:
        document = {
            "version": BASELINE_VERSION,
            "generated_by": TOOL_NAME,
            "entries": [entry.as_json() for entry in sorted(self.entries)],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def entry_path(path: str, root: Path, folder: Path) -> str:
    """A scan-root-relative path as a baseline-folder-relative POSIX path."""
    absolute_root, absolute_folder = os.path.abspath(root), os.path.abspath(folder)
    if absolute_root == absolute_folder:
        return path
    relative = os.path.relpath(os.path.join(absolute_root, path), absolute_folder)
    return relative.replace(os.sep, "/") if os.sep != "/" else relative


def write_baseline(baseline: Baseline, path: Path) -> None:
    try:
        path.write_text(baseline.render(), encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write baseline {path}: {error.strerror or error}") from None


def load_baseline(path: Path, *, required: bool = False) -> Baseline | None:
    """The baseline at ``path``; None when it does not exist and is not ``required``.

    A corrupt or hand-edited file with mistakes is a ``UserError`` naming the line of every problem.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            raise UserError(f"baseline not found: {path} (create it with `cavra-safety baseline create`)") from None
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read baseline {path}: {getattr(error, 'strerror', None) or error}") from None
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(
            f"{path}:{error.lineno}: invalid baseline: not valid JSON ({error.msg}, column {error.colno})"
        ) from None
    entries, problems = _parse(text)
    if problems:
        raise UserError(f"{path}: invalid baseline", tuple(problems))
    return Baseline(path.parent, tuple(sorted(entries)))


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _members(text: str, position: int) -> list[tuple[str, int, Any]]:
    """The (key, position, value) of the JSON object starting at ``position`` (already known to be valid JSON)."""
    decoder = json.JSONDecoder()
    members: list[tuple[str, int, Any]] = []
    position = _WHITESPACE.match(text, position + 1).end()  # type: ignore[union-attr]
    while text[position] != "}":
        key, position = decoder.raw_decode(text, position)
        position = _WHITESPACE.match(text, position).end() + 1  # type: ignore[union-attr]  # the colon
        position = _WHITESPACE.match(text, position).end()  # type: ignore[union-attr]
        value, end = decoder.raw_decode(text, position)
        members.append((key, position, value))
        position = _WHITESPACE.match(text, end).end()  # type: ignore[union-attr]
        if text[position] == ",":
            position = _WHITESPACE.match(text, position + 1).end()  # type: ignore[union-attr]
    return members


def _elements(text: str, position: int) -> list[int]:
    """The start positions of the elements of the JSON array starting at ``position``."""
    decoder = json.JSONDecoder()
    starts: list[int] = []
    position = _WHITESPACE.match(text, position + 1).end()  # type: ignore[union-attr]
    while text[position] != "]":
        starts.append(position)
        _, end = decoder.raw_decode(text, position)
        position = _WHITESPACE.match(text, end).end()  # type: ignore[union-attr]
        if text[position] == ",":
            position = _WHITESPACE.match(text, position + 1).end()  # type: ignore[union-attr]
    return starts


def _parse(text: str) -> tuple[list[BaselineEntry], list[str]]:
    start = _WHITESPACE.match(text).end()  # type: ignore[union-attr]
    if text[start] != "{":
        return [], [f'line {_line(text, start)}: expected an object with "version" and "entries"']
    problems: list[str] = []
    top = {key: (position, value) for key, position, value in _members(text, start)}
    for key, (position, _) in top.items():
        if key not in _TOP_FIELDS:
            problems.append(f"line {_line(text, position)}: unknown key {key!r} (known: {', '.join(_TOP_FIELDS)})")
    version = top.get("version", (start, None))
    if version[1] != BASELINE_VERSION:
        problems.append(f'line {_line(text, version[0])}: "version" must be {BASELINE_VERSION}, got {version[1]!r}')
    if "entries" not in top or not isinstance(top["entries"][1], list):
        position = top["entries"][0] if "entries" in top else start
        problems.append(f'line {_line(text, position)}: "entries" must be a list')
        return [], problems
    entries: list[BaselineEntry] = []
    seen: dict[Key, int] = {}
    for number, element in enumerate(_elements(text, top["entries"][0]), start=1):
        entry = _entry(text, element, number, problems)
        if entry is None:
            continue
        if entry.key in seen:
            problems.append(f"line {_line(text, element)}: entry {number} repeats entry {seen[entry.key]}")
        seen.setdefault(entry.key, number)
        entries.append(entry)
    return entries, problems


def _entry(text: str, position: int, number: int, problems: list[str]) -> BaselineEntry | None:
    where = f"line {_line(text, position)}: entry {number}"
    if text[position] != "{":
        problems.append(f"{where}: expected an object with {', '.join(_ENTRY_FIELDS)}")
        return None
    values: dict[str, str] = {}
    before = len(problems)
    for key, value_position, value in _members(text, position):
        at = f"line {_line(text, value_position)}: entry {number}"
        if key not in _ENTRY_FIELDS:
            problems.append(f"{at}: unknown key {key!r} (known: {', '.join(_ENTRY_FIELDS)})")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{at}: {key!r} must be a non-empty string")
        elif key == "rule_id" and not _RULE_ID.match(value):
            problems.append(f"{at}: rule_id {value!r} is not a rule id such as policy/tenant-id-value")
        elif key == "category" and value not in {category.value for category in Category}:
            problems.append(f"{at}: category {value!r} is not a category id")
        elif key == "fingerprint" and not _FINGERPRINT.match(value):
            problems.append(f"{at}: fingerprint must be 64 lowercase hex digits (a hash, never the secret)")
        else:
            values[key] = value
    for missing in (name for name in _ENTRY_FIELDS if name not in values):
        if not any(f"{missing!r}" in problem or f"{missing} " in problem for problem in problems[before:]):
            problems.append(f"{where}: missing {missing!r}")
    if len(problems) > before:
        return None
    return BaselineEntry(
        values["path"], values["rule_id"], values["fingerprint"], Category(values["category"]), values["reason"]
    )
