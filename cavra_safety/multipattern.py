"""Many patterns, one pass: the lines of a text where each pattern may match, from one Hyperscan scan.

Hyperscan (Intel's multi-pattern engine, as the ``hyperscan`` wheels ship it; Vectorscan on ARM) matches a
database of every rule pattern against a file in one pass, whatever the number of patterns. It is used here as
a **prefilter**, never as the judge: each pattern is compiled in Hyperscan's prefilter mode, from a relaxed
form (counted repeats ``{m,n}`` become ``{min(m, RELAX_MIN),}``), so that it reports a superset of the places
where the exact pattern matches; the caller then runs the exact RE2 pattern on the lines reported. Findings are
therefore exactly those of running every RE2 pattern on every line; only the work changes.

Why the superset holds, point by point:

- Lines. The caller matches a pattern on one line at a time; the text is scanned whole, in multi-line mode, so
  ``^`` and ``$`` hold at line edges as they do on a line alone, and every match on a line is also a match at
  the same place in the text, ending at the same offset. Hyperscan reports every end offset of every match, so
  the line holding the end of each per-line match is reported. (Matches across lines are extra, never missing.)
  Carriage returns before a newline are dropped first, as the caller's lines drop them.
- Characters. Patterns are RE2 over Unicode text; Hyperscan here matches bytes. The text's UTF-8 is scanned
  with its continuation bytes dropped (``one_byte_per_char``): one byte per character, ASCII as itself and any
  other character as its lead byte (0xC2 and above). RE2's classes are ASCII-only (``\\w``, ``\\d``, ``\\s``,
  ``\\b``, ``[a-z]``), so a non-ASCII character and its lead byte fall in and out of every eligible pattern's
  classes alike; patterns that name non-ASCII text (non-ASCII literals, ``\\p{..}``, ``\\x{..}``, escapes of
  0x80 and above) are not eligible and keep the exact path. Two characters fold to ASCII letters under RE2's
  case-insensitive matching (U+017F LONG S to ``s``, U+212A KELVIN SIGN to ``k``) and two lower-case to ASCII
  under ``str.lower``, which keyword gates use (U+212A, U+0130 to ``i`` and a combining dot); a text holding one
  of them, or a lone surrogate, is not prefiltered at all (``prefilterable``).
- Patterns. Relaxing ``{m,n}`` to ``{k,}`` with ``k <= m`` only adds matches with the same end (the last ``k``
  repetitions of a match are one); the prefilter flag only adds matches. ``\\A`` and ``\\z`` (the edges of a
  line, for the caller) are not eligible.

Compiling a database takes about a second for the default packs, so callers cache the serialised database
(``dump`` / ``load``). Where no wheel exists (``AVAILABLE`` is false), callers keep their exact, slower path.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

# Whether the engine is installed, known without importing it: importing Hyperscan takes about 25 ms, which a
# hook run on a few files (that never uses it) should not pay. ``_engine`` imports it on first use.
AVAILABLE = importlib.util.find_spec("hyperscan") is not None

# Counted repeats are relaxed to at most this lower bound and no upper bound: Hyperscan compiles bounded
# repeats of wide classes into large automata (the default packs' patterns took 21 s to compile as written,
# under 2 s relaxed), and a prefilter only has to find the lines, which the rule's literals already pin down.
RELAX_MIN = 4

# A pattern that matches everywhere in a file (a minified bundle, a binary dump) would call back into Python
# per end offset; past this many reports the scan stops and the caller takes its exact path for the file.
MAX_REPORTS = 50_000

_QUANTIFIER = re.compile(r"\{(\d+)(?:,(\d*))?\}")
_INELIGIBLE = re.compile(r"\\[pPCAzQ]|\\x(?:\{|[89a-fA-F])|\\[0-9]")
_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))
# The UTF-8 of U+0130, U+017F and U+212A, and of a lone surrogate (as "surrogatepass" writes it).
_FOLDS_TO_ASCII = (b"\xc4\xb0", b"\xc5\xbf", b"\xe2\x84\xaa")
_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")


@functools.cache
def _engine() -> Any:
    import hyperscan

    return hyperscan


def engine_version() -> str:
    return str(getattr(_engine(), "__version__", "")) if AVAILABLE else ""


def _pattern_flags() -> int:
    hs = _engine()
    return int(hs.HS_FLAG_PREFILTER | hs.HS_FLAG_MULTILINE | hs.HS_FLAG_ALLOWEMPTY)


def _keyword_flags() -> int:
    """A keyword only has to be known present: its first occurrence is enough, and stops its reports."""
    hs = _engine()
    return int(hs.HS_FLAG_CASELESS | hs.HS_FLAG_SINGLEMATCH)


def relaxed(pattern: str) -> str | None:
    """The prefilter form of an RE2 pattern, or None when it cannot be prefiltered in bytes (see above).

    A small scanner, not a parser: escapes and character classes are copied whole, and only a ``{m}``,
    ``{m,}`` or ``{m,n}`` outside them (a quantifier for RE2; anything else there is a literal brace) is
    rewritten, with its lazy or possessive mark dropped (greediness does not change which ends match).
    """
    if not pattern.isascii() or _INELIGIBLE.search(pattern):
        return None
    out: list[str] = []
    position, size = 0, len(pattern)
    while position < size:
        char = pattern[position]
        if char == "\\":
            out.append(pattern[position : position + 2])
            position += 2
        elif char == "[":
            end = _class_end(pattern, position)
            out.append(pattern[position:end])
            position = end
        elif char == "{" and (quantifier := _QUANTIFIER.match(pattern, position)):
            low = min(int(quantifier.group(1)), RELAX_MIN)
            out.append(f"{{{low},}}" if low else "*")
            position = quantifier.end()
            if pattern[position : position + 1] in ("?", "+"):
                position += 1
        else:
            out.append(char)
            position += 1
    return "".join(out)


def _class_end(pattern: str, start: int) -> int:
    """The index after the ``]`` closing the class that opens at ``start`` (RE2's rules: a ``]`` first in the
    class, after an optional ``^``, is a literal; ``[:alpha:]`` is a named class; ``\\`` escapes)."""
    position = start + 1
    if pattern.startswith("^", position):
        position += 1
    if pattern.startswith("]", position):
        position += 1
    while position < len(pattern) and pattern[position] != "]":
        if pattern[position] == "\\":
            position += 2
        elif pattern.startswith("[:", position) and (close := pattern.find(":]", position + 2)) != -1:
            position = close + 2
        else:
            position += 1
    return position + 1


def prefilterable(data: bytes) -> bool:
    """Whether the prefilter's answer for ``data`` (UTF-8) is a superset of RE2's (see "Characters" above)."""
    if data.isascii():
        return True
    if any(sequence in data for sequence in _FOLDS_TO_ASCII):  # a substring search each, in C
        return False
    return b"\xed" not in data or _SURROGATE.search(data) is None


def one_byte_per_char(data: bytes) -> bytes:
    """``data`` (UTF-8) as Hyperscan scans it: one byte per character, lines as the caller splits them."""
    if not data.isascii():
        data = data.translate(None, _CONTINUATION_BYTES)
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
        if data.endswith(b"\r"):
            data = data[:-1]
    return data


class _LastView:
    """The last text ``byte_view`` was asked about and its answer: every database of a scan reads the same text
    in turn (the policy rules', the secrets gates'), and the view costs a pass or two over it."""

    data: bytes = b""
    view: bytes | None = b""


def byte_view(data: bytes) -> bytes | None:
    """``one_byte_per_char(data)`` when ``data`` is ``prefilterable``, else None (take the exact path)."""
    if data is not _LastView.data:  # the same object: a source's encoded text, asked for by each database
        _LastView.view = one_byte_per_char(data) if prefilterable(data) else None
        _LastView.data = data
    return _LastView.view


@dataclass
class _Report:
    """What one scan reported: the end offsets of each id's matches, and how many reports in all."""

    ends: dict[int, list[int]] = field(default_factory=dict)
    count: int = 0


class LinePrefilter:
    """A compiled database of patterns, each under the caller's integer id."""

    def __init__(self, database: Any, ids: frozenset[int], keyword_ids: frozenset[int]) -> None:
        self._database = database
        self.ids = ids  # the ids in the database: the others were not eligible and need the exact path
        self.keyword_ids = keyword_ids

    @classmethod
    def build(cls, patterns: Iterable[tuple[int, str]], keywords: Iterable[tuple[int, str]] = ()) -> Self | None:
        """The database of every eligible pattern (reported on the lines it may match) and keyword (reported,
        case-insensitively, on the first line it occurs on: callers ask only whether it occurs), or None when
        there is no engine or nothing eligible. A pattern Hyperscan refuses is left out (found by compiling it
        alone), never an error; a keyword that is not ASCII is left out too (ASCII case-insensitivity would not
        be ``str.lower``'s)."""
        if not AVAILABLE:
            return None
        hyperscan = _engine()
        entries = [
            (ident, form, _pattern_flags()) for ident, pattern in patterns if (form := relaxed(pattern)) is not None
        ]
        keywords = [(ident, word) for ident, word in keywords if word.isascii() and word]
        entries += [(ident, _literal(word), _keyword_flags()) for ident, word in keywords]
        try:
            database = _compile(entries)
        except hyperscan.error:
            entries = [entry for entry in entries if _compiles(entry)]
            database = _compile(entries) if entries else None
        if database is None:
            return None
        held = frozenset(ident for ident, _, _ in entries)
        return cls(database, held, frozenset(ident for ident, _ in keywords) & held)

    def dump(self) -> bytes:
        hyperscan = _engine()
        table = _ids_text(self.ids) + b";" + _ids_text(self.keyword_ids)
        serialised: bytes = hyperscan.dumpb(self._database)
        return len(table).to_bytes(4, "big") + table + serialised

    @classmethod
    def load(cls, blob: bytes) -> Self | None:
        """A database from ``dump``, or None when it does not load (another engine version, a damaged file)."""
        if not AVAILABLE:
            return None
        hyperscan = _engine()
        try:
            size = int.from_bytes(blob[:4], "big")
            ids, keyword_ids = (_ids_from(part) for part in blob[4 : 4 + size].split(b";"))
            database = hyperscan.loadb(blob[4 + size :], hyperscan.HS_MODE_BLOCK)
            database.scratch = hyperscan.Scratch(database)
        except (hyperscan.error, ValueError, TypeError):
            return None
        return cls(database, ids, keyword_ids)

    def lines(self, data: bytes) -> dict[int, list[int]] | None:
        """For each pattern id that may match in ``data`` (a text's UTF-8), the sorted 0-based indexes of the
        lines it may match on, and each keyword id that occurs (with no lines); None when ``data`` is not
        ``prefilterable`` or the scan reported too much (take the exact path)."""
        hyperscan = _engine()
        view = byte_view(data)
        if view is None:
            return None
        data = view
        report = _Report()
        try:
            self._database.scan(data, match_event_handler=_on_match, context=report)
        except hyperscan.ScanTerminated:
            return None
        return _lines_by_ident(data, report.ends, self.keyword_ids)


def _on_match(ident: int, start: int, end: int, flags: int, report: _Report) -> bool:
    report.count += 1
    report.ends.setdefault(ident, []).append(end)
    return report.count > MAX_REPORTS  # True stops the scan


def _lines_by_ident(data: bytes, ends: dict[int, list[int]], keywords: frozenset[int]) -> dict[int, list[int]]:
    """For each reported pattern id, the sorted lines holding the last byte of each of its matches (and, for a
    match ending just after a newline, the line it ends at: an empty match there belongs to it); for each
    keyword id, no lines. The text is counted through once for every pattern together: a file that many
    patterns hit is not walked once per pattern."""
    line_at: dict[int, int] = {}
    line, counted_to = 0, 0
    for end in sorted({end for ident, found in ends.items() if ident not in keywords for end in found}):
        last = max(end - 1, 0)
        line += data.count(b"\n", counted_to, last)
        counted_to = last
        line_at[end] = line
    lines_by_ident: dict[int, list[int]] = {}
    for ident, found in ends.items():
        lines: set[int] = set()
        if ident not in keywords:
            for end in found:
                lines.add(line_at[end])
                if end and data[end - 1] == 0x0A:
                    lines.add(line_at[end] + 1)
        lines_by_ident[ident] = sorted(lines)
    return lines_by_ident


def _ids_text(ids: frozenset[int]) -> bytes:
    return ",".join(str(ident) for ident in sorted(ids)).encode()


def _ids_from(text: bytes) -> frozenset[int]:
    return frozenset(int(part) for part in text.split(b",") if part)


def _literal(word: str) -> str:
    """``word`` as a Hyperscan expression matching it literally (a backslash before any character other than
    a letter or digit makes it literal)."""
    return "".join(char if char.isalnum() else "\\" + char for char in word)


def _compile(entries: Sequence[tuple[int, str, int]]) -> Any:
    hyperscan = _engine()
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(
        expressions=[expression.encode() for _, expression, _ in entries],
        ids=[ident for ident, _, _ in entries],
        flags=[flags for _, _, flags in entries],
    )
    return database


class PresenceFilter(LinePrefilter):
    """A database that answers only *which* patterns and keywords occur somewhere in a text: gates, each asked
    before its own exact pass.

    Each entry reports at most once per scan (``HS_FLAG_SINGLEMATCH``), so a gate that matches all over a
    file costs one call back into Python, not one per match; and patterns are compiled as written, not relaxed:
    a relaxed ``["'][A-Za-z0-9+/=_-]{4,}["']`` holds in nearly every source file, the exact ``{23,}`` in one of
    six (the Django sdist), and every file it wrongly names costs its exact pass. Relaxing is for the hundreds of
    policy patterns, whose bounded repeats of wide classes compile slowly; a few gates compile in milliseconds as
    written. Still in prefilter mode, so the answer stays a superset of RE2's whatever construct Hyperscan
    approximates. Keywords are literals matched ignoring ASCII case, as ``LinePrefilter``'s."""

    @classmethod
    def build(cls, patterns: Iterable[tuple[int, str]], keywords: Iterable[tuple[int, str]] = ()) -> Self | None:
        """The database of every eligible pattern and keyword, or None when there is no engine or nothing
        eligible."""
        if not AVAILABLE:
            return None
        flags = _pattern_flags() | _engine().HS_FLAG_SINGLEMATCH
        eligible = [(ident, pattern, flags) for ident, pattern in patterns if relaxed(pattern) is not None]
        eligible += [(ident, _literal(word), _keyword_flags()) for ident, word in keywords if word.isascii() and word]
        entries = [entry for entry in eligible if _compiles(entry)]  # one Hyperscan refuses: the exact path
        if not entries:
            return None
        return cls(_compile(entries), frozenset(ident for ident, _, _ in entries), frozenset())

    def present(self, data: bytes) -> set[int] | None:
        """The ids of the entries that may occur somewhere in ``data`` (a text's UTF-8); None when ``data`` is
        not ``prefilterable`` (take the exact path)."""
        view = byte_view(data)
        if view is None:
            return None
        found: set[int] = set()
        self._database.scan(view, match_event_handler=_on_presence, context=found)
        return found


def _on_presence(ident: int, start: int, end: int, flags: int, found: set[int]) -> bool:
    found.add(ident)
    return False


def _compiles(entry: tuple[int, str, int]) -> bool:
    hyperscan = _engine()
    try:
        _compile([entry])
    except hyperscan.error:
        return False
    return True


class SharedGate:
    """One component's gate in the ``SharedGates`` pass: its patterns, then its keywords, numbered from 0."""

    def __init__(self, owner: SharedGates, first: int, size: int) -> None:
        self._owner = owner
        self.ids = range(first, first + size)
        self.complete = False  # whether the enabled pass holds every entry of this gate (set by the owner)

    def present(self, data: bytes) -> set[int] | None:
        """The numbers of this gate's entries that may occur in ``data`` (a superset), or None: no shared pass
        (not enabled: a small scan; no engine), a text it declines, or an entry of this gate it could not hold
        (not ``complete``): the caller takes its own exact path then."""
        if not self.complete:
            return None
        found = self._owner.answer(data)
        if found is None:
            return None
        first, ids = self.ids.start, self.ids
        return {ident - first for ident in found if ident in ids}


Builder = Callable[[Sequence[tuple[int, str]], Sequence[tuple[int, str]]], "PresenceFilter | None"]


class SharedGates:
    """Every presence question of a scanning process, answered by one pass over each text.

    A scan asks several yes-or-no questions of every text before the work they guard: which secrets plugins'
    gates match, whether an allow comment or a SQL statement word occurs, which keywords of the Python gates
    do, whether anything decodable does. Asked one by one (RE2), each is another pass over every byte: on the
    Django sdist about 0.07-0.13 s each. Components register their gates once (``gate``); a large scan then
    builds one ``PresenceFilter`` of them all (``enable``, from the cache) and each text is scanned once, the
    answer kept for the next component asking about the same text object. Until then, or for a gate the pass
    cannot hold, ``SharedGate.present`` says None and the component asks its own RE2 gate: a hook run on a few
    files never imports Hyperscan."""

    def __init__(self) -> None:
        self._gates: dict[tuple[tuple[str, ...], tuple[str, ...]], SharedGate] = {}
        self._patterns: list[tuple[int, str]] = []
        self._keywords: list[tuple[int, str]] = []
        self._filter: PresenceFilter | None = None
        self.held: frozenset[int] | None = None  # the ids the enabled pass holds; None: not enabled
        self._last: tuple[bytes, set[int] | None] = (b"", None)

    def gate(self, patterns: Sequence[str] = (), keywords: Sequence[str] = ()) -> SharedGate:
        """The gate of ``patterns`` (RE2 syntax) and ``keywords`` (lower-case literals, matched ignoring case);
        the same entries give the same gate. A new gate disables the pass until it is enabled again."""
        key = (tuple(patterns), tuple(keywords))
        gate = self._gates.get(key)
        if gate is None:
            first = len(self._patterns) + len(self._keywords)
            numbered = list(enumerate((*patterns, *keywords), start=first))
            self._patterns += numbered[: len(patterns)]
            self._keywords += numbered[len(patterns) :]
            gate = self._gates[key] = SharedGate(self, first, len(numbered))
            self.disable()
        return gate

    def enable(self, build: Builder) -> None:
        """Build (or load: ``build`` is the caller's cached builder) the pass of every gate registered so far."""
        if self.held is None and AVAILABLE and (self._patterns or self._keywords):
            self._filter = build(self._patterns, self._keywords)
            self.held = held = self._filter.ids if self._filter is not None else None
            self._last = (b"", None)
            for gate in self._gates.values():
                gate.complete = held is not None and all(ident in held for ident in gate.ids)

    def answer(self, data: bytes) -> set[int] | None:
        """The ids present in ``data``, from one pass per text object (kept for the next question about it)."""
        if self._filter is None:
            return None
        if data is not self._last[0]:
            self._last = (data, self._filter.present(data))
        return self._last[1]

    def disable(self) -> None:
        """Every gate asks its own exact path again, until ``enable``."""
        self._filter, self.held, self._last = None, None, (b"", None)
        for gate in self._gates.values():
            gate.complete = False


# The process's one shared pass: gates register at import or when their component is built; ``Engine.prepare``
# enables it in every process that serves a large scan.
SHARED_GATES = SharedGates()
