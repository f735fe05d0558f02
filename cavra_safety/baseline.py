"""The baseline: findings a team has looked at and accepted, kept in ``.cavra-safety-baseline.json``.

An entry is keyed by path, rule id and fingerprint (a hash of rule id and secret): never the line number,
so moving a line keeps it accepted, and never the secret, so a different secret on the same line is still
reported. Paths are stored relative to the baseline file's folder, so the file keeps working whatever
folder a scan is rooted at. The file holds a random ``fingerprint_salt`` (version 2): fingerprints of values a
guess could reach are slow, salted derivations (``findings.Fingerprints``), so the public file gives none of
them back. A version 1 file (plain hashes, no salt) still matches, and ``baseline update`` rewrites it.
The file is sorted and indented one field per line, so that it reviews well in a diff and a hand-edited
mistake can be named by its line.
"""

from __future__ import annotations

import bisect
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cavra_safety import TOOL_NAME
from cavra_safety.config import read_input_file
from cavra_safety.errors import UserError
from cavra_safety.findings import SLOW_PREFIX, Category, Finding, Suppressed, SuppressionKind
from cavra_safety.redaction import quoted

BASELINE_VERSION = 2
READABLE_VERSIONS = (1, 2)  # 1: plain fingerprints and no salt (read, matched, rewritten by an update)
_RULE_ID = re.compile(r"^[a-z][a-z0-9_-]*/[a-z0-9][a-z0-9._-]*$")
_FINGERPRINT = re.compile(r"^(?:" + re.escape(SLOW_PREFIX) + r")?[0-9a-f]{64}$")
_SALT = re.compile(r"^[0-9a-f]{32}$")
_ENTRY_FIELDS = ("path", "rule_id", "category", "fingerprint", "reason")
_TOP_FIELDS = ("version", "generated_by", "fingerprint_salt", "entries")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
# Far above any real baseline (100,000 entries take about 30 MB), far below what would exhaust memory.
MAX_BASELINE_BYTES = 256 * 1024 * 1024
Key = tuple[str, str, str]
_CATEGORY_IDS = frozenset(category.value for category in Category)


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


def new_salt() -> str:
    import secrets  # only a new baseline needs one: a scan that reads the baseline does not import secrets

    return secrets.token_hex(16)


@dataclass(frozen=True)
class Baseline:
    """Accepted findings, the folder their paths are relative to, and the salt their fingerprints were
    published with (None: ``findings.DEFAULT_SALT``; a version 1 file has none, and plain fingerprints)."""

    folder: Path
    entries: tuple[BaselineEntry, ...] = ()
    salt: str | None = None

    def key_of(self, finding: Finding, root: Path) -> Key:
        return (entry_path(finding.path, root, self.folder), finding.rule_id, finding.fingerprint)

    def matcher(self, root: Path) -> Callable[[Finding], BaselineEntry | None]:
        """The entry that accepts a finding, or None: by its published fingerprint, or by its identity for an
        entry written before fingerprints were salted."""
        entries = {entry.key: entry for entry in self.entries}
        absolute_root, absolute_folder = os.path.abspath(root), os.path.abspath(self.folder)
        same = absolute_root == absolute_folder

        def match(finding: Finding) -> BaselineEntry | None:
            path = finding.path if same else _relative(finding.path, absolute_root, absolute_folder)
            entry = entries.get((path, finding.rule_id, finding.fingerprint))
            if entry is None and finding.identity and finding.identity != finding.fingerprint:
                entry = entries.get((path, finding.rule_id, finding.identity))
            return entry

        return match

    def subtract(self, findings: Iterable[Finding], root: Path) -> tuple[list[Finding], list[Suppressed]]:
        """(findings not in the baseline, the ones it accepts, each with its entry's reason)."""
        match = self.matcher(root)
        kept: list[Finding] = []
        accepted: list[Suppressed] = []
        for finding in findings:
            entry = match(finding)
            if entry is None:
                kept.append(finding)
            else:
                accepted.append(Suppressed(finding, SuppressionKind.BASELINE, entry.reason))
        return kept, accepted

    def _keys(self, findings: Iterable[Finding], root: Path) -> dict[Key, Finding]:
        """``key_of`` of every finding, the two folders resolved once rather than once per finding."""
        absolute_root, absolute_folder = os.path.abspath(root), os.path.abspath(self.folder)
        if absolute_root == absolute_folder:
            return {(finding.path, finding.rule_id, finding.fingerprint): finding for finding in findings}
        return {
            (_relative(finding.path, absolute_root, absolute_folder), finding.rule_id, finding.fingerprint): finding
            for finding in findings
        }

    def _matched(self, findings: Iterable[Finding], root: Path) -> tuple[dict[Key, Finding], dict[Key, Key]]:
        """The findings by key, and for each entry key a finding matches, that finding's key (the same key,
        or for a version 1 entry the key with the finding's published fingerprint)."""
        current = self._keys(findings, root)
        by_identity = {(key[0], key[1], finding.identity): key for key, finding in current.items() if finding.identity}
        matched: dict[Key, Key] = {}
        for entry in self.entries:
            found = entry.key if entry.key in current else by_identity.get(entry.key)
            if found is not None:
                matched[entry.key] = found
        return current, matched

    def stale(self, findings: Iterable[Finding], root: Path) -> list[BaselineEntry]:
        """Entries that no finding of a full scan matches any more (the value was removed or changed)."""
        _, matched = self._matched(findings, root)
        return [entry for entry in self.entries if entry.key not in matched]

    def updated(self, findings: Iterable[Finding], root: Path, reason: str, keep_stale: bool = False) -> Baseline:
        """Existing entries that still match (with their reasons, their fingerprints as published now), plus
        every new finding with ``reason``. The fingerprints must have been published with ``salt``."""
        current, matched = self._matched(findings, root)
        kept = [
            replace(entry, fingerprint=matched[entry.key][2]) if entry.key in matched else entry
            for entry in self.entries
            if keep_stale or entry.key in matched
        ]
        known = {entry.key for entry in kept}
        added = [
            BaselineEntry(key[0], key[1], key[2], finding.category, reason)
            for key, finding in current.items()
            if key not in known
        ]
        return Baseline(self.folder, _sorted(set(kept + added)), self.salt)

    def render(self) -> str:
        """The file: as ``json.dumps(document, indent=2, ensure_ascii=False)`` writes it, one field per line,
        written out directly (the indenting encoder is pure Python and the slowest part of an update)."""
        blocks = [
            f'    {{\n      "path": {_json_string(entry.path)},\n      "rule_id": {_json_string(entry.rule_id)},\n'
            f'      "category": {_json_string(entry.category.value)},\n'
            f'      "fingerprint": {_json_string(entry.fingerprint)},\n'
            f'      "reason": {_json_string(entry.reason)}\n    }}'
            for entry in _sorted(self.entries)
        ]
        body = "[\n" + ",\n".join(blocks) + "\n  ]" if blocks else "[]"
        salt = f'  "fingerprint_salt": {_json_string(self.salt)},\n' if self.salt is not None else ""
        return (
            f'{{\n  "version": {BASELINE_VERSION},\n  "generated_by": {_json_string(TOOL_NAME)},\n'
            f'{salt}  "entries": {body}\n}}\n'
        )


# What json.dumps(value, ensure_ascii=False) does for a string, without its per-call set-up.
_json_string = json.encoder.encode_basestring


def _sorted(entries: Iterable[BaselineEntry]) -> tuple[BaselineEntry, ...]:
    """In the dataclass order (path, rule id, fingerprint, category, reason), by tuple rather than by the
    generated ``__lt__``, which costs a Python call per comparison."""
    return tuple(sorted(entries, key=lambda e: (e.path, e.rule_id, e.fingerprint, e.category, e.reason)))


def entry_path(path: str, root: Path, folder: Path) -> str:
    """A scan-root-relative path as a baseline-folder-relative POSIX path."""
    absolute_root, absolute_folder = os.path.abspath(root), os.path.abspath(folder)
    if absolute_root == absolute_folder:
        return path
    return _relative(path, absolute_root, absolute_folder)


def _relative(path: str, absolute_root: str, absolute_folder: str) -> str:
    relative = os.path.relpath(os.path.join(absolute_root, path), absolute_folder)
    return relative.replace(os.sep, "/") if os.sep != "/" else relative


def write_baseline(baseline: Baseline, path: Path) -> None:
    try:
        if path.exists() and not path.is_file():
            raise UserError(f"cannot write baseline {path}: not a regular file (a folder, FIFO or device)")
        path.write_text(baseline.render(), encoding="utf-8")
    except OSError as error:
        raise UserError(f"cannot write baseline {path}: {error.strerror or error}") from None


def load_baseline(path: Path, *, required: bool = False) -> Baseline | None:
    """The baseline at ``path``; None when it does not exist and is not ``required``.

    A corrupt or hand-edited file with mistakes is a ``UserError`` naming the line of every problem.
    """
    try:
        data = read_input_file(path, "baseline", MAX_BASELINE_BYTES)
    except FileNotFoundError:
        if required:
            raise UserError(f"baseline not found: {path} (create it with `cavra-safety baseline create`)") from None
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UserError(f"cannot read baseline {path}: not UTF-8 text (byte {error.start})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(
            f"{path}:{error.lineno}: invalid baseline: not valid JSON ({error.msg}, column {error.colno})"
        ) from None
    except RecursionError:
        raise UserError(f"{path}: invalid baseline: arrays or objects nested too deep") from None
    entries = _well_formed(document)
    if entries is None:  # something is wrong: walk the text to name the line of every problem
        entries, problems = _parse(text)
        if problems:
            raise UserError(f"{path}: invalid baseline", tuple(problems))
    assert isinstance(document, dict)  # a problem otherwise
    return Baseline(path.parent, _sorted(entries), document.get("fingerprint_salt"))


def _member_problem(key: str, value: object) -> str | None:
    """What is wrong with one field of an entry (without its place), or None."""
    if key not in _ENTRY_FIELDS:
        return f"unknown key {quoted(key)} (known: {', '.join(_ENTRY_FIELDS)})"
    if not isinstance(value, str) or not value.strip():
        return f"{key!r} must be a non-empty string"
    if key == "rule_id" and not _RULE_ID.match(value):
        return f"rule_id {quoted(value)} is not a rule id such as policy/tenant-id-value"
    if key == "category" and value not in _CATEGORY_IDS:
        return f"category {quoted(value)} is not a category id"
    if key == "fingerprint" and not _FINGERPRINT.match(value):
        return f"fingerprint must be 64 lowercase hex digits, after {SLOW_PREFIX!r} or alone (a hash, never the secret)"
    return None


def _salt_problem(document: dict[str, Any]) -> str | None:
    if "fingerprint_salt" not in document:
        return None
    salt = document["fingerprint_salt"]
    if not isinstance(salt, str) or not _SALT.match(salt):
        return '"fingerprint_salt" must be 32 lowercase hex digits (written by baseline create)'
    return None


def _well_formed(document: object) -> list[BaselineEntry] | None:
    """The entries of a baseline without a single problem, straight from the parsed JSON; None at the first
    problem (``_parse`` then walks the text to report each one with its line)."""
    if not isinstance(document, dict) or not set(document) <= set(_TOP_FIELDS):
        return None
    version, items = document.get("version"), document.get("entries")
    if type(version) is not int or version not in READABLE_VERSIONS or not isinstance(items, list):
        return None
    if _salt_problem(document) is not None:
        return None
    entries: list[BaselineEntry] = []
    seen: set[Key] = set()
    for item in items:
        if not isinstance(item, dict) or len(item) != len(_ENTRY_FIELDS):
            return None
        if any(_member_problem(key, value) is not None for key, value in item.items()):
            return None
        entry = BaselineEntry(
            item["path"], item["rule_id"], item["fingerprint"], Category(item["category"]), item["reason"]
        )
        if entry.key in seen:
            return None
        seen.add(entry.key)
        entries.append(entry)
    return entries


class _Lines:
    """Line numbers of positions in one text: the newlines are found once, then each look-up is a bisection
    (counting from the top for every entry made loading quadratic: 10,000 entries took 48 s)."""

    def __init__(self, text: str) -> None:
        self.newlines = [match.start() for match in re.finditer("\n", text)]

    def __call__(self, position: int) -> int:
        return bisect.bisect_left(self.newlines, position) + 1


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
    line = _Lines(text)
    start = _WHITESPACE.match(text).end()  # type: ignore[union-attr]
    if text[start] != "{":
        return [], [f'line {line(start)}: expected an object with "version" and "entries"']
    problems: list[str] = []
    top = {key: (position, value) for key, position, value in _members(text, start)}
    for key, (position, _) in top.items():
        if key not in _TOP_FIELDS:
            problems.append(f"line {line(position)}: unknown key {quoted(key)} (known: {', '.join(_TOP_FIELDS)})")
    version = top.get("version", (start, None))
    if type(version[1]) is not int or version[1] not in READABLE_VERSIONS:
        readable = " or ".join(str(number) for number in READABLE_VERSIONS)
        problems.append(f'line {line(version[0])}: "version" must be {readable}, got {quoted(version[1])}')
    salt_problem = _salt_problem({key: value for key, (_, value) in top.items()})
    if salt_problem is not None:
        problems.append(f"line {line(top['fingerprint_salt'][0])}: {salt_problem}")
    if "entries" not in top or not isinstance(top["entries"][1], list):
        position = top["entries"][0] if "entries" in top else start
        problems.append(f'line {line(position)}: "entries" must be a list')
        return [], problems
    entries: list[BaselineEntry] = []
    seen: dict[Key, int] = {}
    for number, element in enumerate(_elements(text, top["entries"][0]), start=1):
        entry = _entry(text, line, element, number, problems)
        if entry is None:
            continue
        if entry.key in seen:
            problems.append(f"line {line(element)}: entry {number} repeats entry {seen[entry.key]}")
        seen.setdefault(entry.key, number)
        entries.append(entry)
    return entries, problems


def _entry(text: str, line: _Lines, position: int, number: int, problems: list[str]) -> BaselineEntry | None:
    where = f"line {line(position)}: entry {number}"
    if text[position] != "{":
        problems.append(f"{where}: expected an object with {', '.join(_ENTRY_FIELDS)}")
        return None
    values: dict[str, str] = {}
    before = len(problems)
    for key, value_position, value in _members(text, position):
        problem = _member_problem(key, value)
        if problem is not None:
            problems.append(f"line {line(value_position)}: entry {number}: {problem}")
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
