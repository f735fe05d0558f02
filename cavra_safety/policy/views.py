"""Derived views of a source: its text rewritten so that line-local rules see what its structure says.

Regex rules read one line at a time, so evidence that a file spreads over several lines or keeps outside the
line is invisible to them: the ``[billing]`` section a ``secret_key = ...`` line sits in (``sections``), a SQL
statement split over lines (``statements``), the name of a CSV export whose header the tenant-record rule does
not know (``tenant_files``). Each of those builds a ``View``: a small derived text the detectors read again,
and the pieces of it copied from the original, so that every finding in a copied piece maps back to the place
it was copied from (``View.place_of``); findings on the words a view adds (the qualified key name, the renamed
header) map nowhere and are dropped.

Pure text functions, no detector import: ``pipeline.views`` runs the detectors on each view and merges what
they find with the plain findings. Each builder is gated, and imported only when its gate opens: the usual file
costs a suffix test and one search of its text (``derived_views``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cavra_safety.multipattern import SHARED_GATES
from cavra_safety.regex import compile_own


@dataclass(frozen=True)
class Piece:
    """A run of ``length`` characters at ``start`` of the view's line ``line`` (0-based), copied from the
    original's line ``original_line`` at ``original_column`` (both 0-based)."""

    line: int
    start: int
    original_line: int
    original_column: int
    length: int


@dataclass(frozen=True)
class Place:
    """Where a finding in a view lies in the original: 1-based lines and columns, ``end_column`` exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class View:
    """A derived text, the pieces of it copied from the original (sorted by line, then start), and per view
    line a note that says how it was read (prefixed to the messages of what is found there)."""

    text: str
    pieces: tuple[Piece, ...]
    notes: tuple[str, ...]

    def place_of(self, line: int, column: int, end_line: int, end_column: int) -> Place | None:
        """The original place of a finding on the view (1-based, ``end_column`` exclusive), or None when it
        starts outside every copied piece (on words the view added)."""
        start = self._original(line - 1, column - 1)
        if start is None:
            return None
        last = max(end_column - 2, column - 1) if end_line == line else end_column - 2
        end = self._original(end_line - 1, last) if last >= 0 else None
        if end is None or (end[0], end[1]) < (start[0], start[1]):
            end = start
        return Place(start[0] + 1, start[1] + 1, end[0] + 1, end[1] + 2)

    def note(self, line: int) -> str:
        return self.notes[line - 1] if 0 < line <= len(self.notes) else ""

    def _original(self, line: int, offset: int) -> tuple[int, int] | None:
        index = bisect.bisect_right(self.pieces, (line, offset), key=lambda piece: (piece.line, piece.start)) - 1
        if index < 0:
            return None
        piece = self.pieces[index]
        if piece.line != line or offset >= piece.start + piece.length:
            return None
        return piece.original_line, piece.original_column + offset - piece.start


class ViewBuilder:
    """Collects the lines of a view and their pieces."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.pieces: list[Piece] = []
        self.notes: list[str] = []

    def add_line(self, parts: Sequence[str | tuple[str, int, int]], note: str) -> None:
        """One view line from ``parts``: added text, or ``(text, original line, original column)`` copied."""
        line, text = len(self.lines), ""
        for part in parts:
            if isinstance(part, tuple):
                copied, original_line, original_column = part
                if copied:
                    self.pieces.append(Piece(line, len(text), original_line, original_column, len(copied)))
                text += copied
            else:
                text += part
        self.lines.append(text)
        self.notes.append(note)

    def build(self) -> View | None:
        if not self.pieces:
            return None
        return View("\n".join(self.lines), tuple(self.pieces), tuple(self.notes))


# The gates, here so that a file no builder applies to imports none of them (their regexes compile on import).
SECTION_SUFFIXES = frozenset({"ini", "cfg", "conf", "cnf", "toml", "properties"})
NESTING_SUFFIXES = frozenset({"yaml", "yml", "json"})
TABLE_SUFFIXES = frozenset({"csv", "tsv"})
# Literal words one of which every SQL statement worth joining holds, looked for case-insensitively.
STATEMENT_WORDS: tuple[str, ...] = (
    "create policy", "search_path", "alter role", "alter user", "row level security", "create schema", "drop schema",
)  # fmt: skip
# One case-insensitive search of the encoded text, where seven substring searches of the lower-cased one cost twice
# as much (the Django sdist: 0.07 s against 0.14 s). Never narrower: each word is ASCII, and RE2 folds case at
# least as widely as ``str.lower`` does for ASCII letters.
_STATEMENT_GATE = compile_own("(?i)" + "|".join(re.escape(word) for word in STATEMENT_WORDS))
_STATEMENT_SHARED = SHARED_GATES.gate(keywords=STATEMENT_WORDS)  # a large scan's one pass answers it instead


class SourceText(Protocol):
    """What the views read of a source (``sources.Source`` is one), each part asked for only when a view needs
    it: most files need neither their lines nor their lower-cased text here."""

    @property
    def path(self) -> str: ...

    @property
    def lines(self) -> Sequence[str]: ...

    @property
    def lower(self) -> str: ...

    @property
    def data(self) -> bytes: ...


def derived_views(source: SourceText, *, generated: bool = False) -> list[View]:
    """The views of one source (most files: none, after a suffix test and one search of its UTF-8);
    ``generated`` (a lockfile, a bundle): no nesting view, whose keys are the machine's, not a person's."""
    name = source.path.rsplit("/", 1)[-1]
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    views: list[View | None] = []
    if suffix in SECTION_SUFFIXES:
        from cavra_safety.policy.sections import section_view

        views.append(section_view(suffix, source.lines, source.lower))
    if suffix in NESTING_SUFFIXES and not generated:
        from cavra_safety.policy.nesting import nesting_view

        views.append(nesting_view(suffix, source.lines, source.lower))
    if suffix in TABLE_SUFFIXES:
        from cavra_safety.policy.tenant_files import tenant_file_view

        views.append(tenant_file_view(name, suffix, source.lines))
    shared = _STATEMENT_SHARED.present(source.data)
    if shared if shared is not None else _STATEMENT_GATE.search(source.data) is not None:
        from cavra_safety.policy.statements import statement_view

        views.append(statement_view(source.lines, source.lower))
    return [view for view in views if view is not None]
