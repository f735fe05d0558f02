"""Compiling pack patterns with RE2, the linear-time engine.

A policy pack is input: a catastrophic pattern such as ``(a+)+$`` must not hang a scan, so patterns are
compiled with RE2 (``google-re2``), whose matching time is linear in the text. Features RE2 lacks
(backreferences, lookaround, ``\\Z``) are load errors, and ``max_mem`` bounds the compiled program so a giant
pattern is an error instead of an out-of-memory crash.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import re2

# Enough for any sensible credential pattern (a few hundred alternatives with counted repeats); a pattern
# that needs more is almost certainly a mistake, and RE2 refuses it at compile time.
MAX_MEM = 8 << 20
SECRET_GROUP = "secret"


class PatternError(ValueError):
    """A pattern RE2 refuses; the message is RE2's reason, ready to follow ``field: invalid regex:``."""


def re2_options(*, max_mem: int = MAX_MEM, literal: bool = False) -> Any:
    """RE2 options for every regex and pattern set of the scanner: a bounded memory budget, and no printing
    (RE2 would otherwise write every refused pattern to stderr)."""
    options = re2.Options()
    options.max_mem = max_mem
    options.log_errors = False
    options.literal = literal
    return options


def compile_regex(pattern: str) -> Any:
    """The compiled RE2 object (untyped: the package ships no stubs), or ``PatternError``."""
    try:
        return re2.compile(pattern, re2_options())
    except re2.error as error:
        reason = error.args[0] if error.args else "rejected by RE2"
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(str(reason)) from None


def compile_own(pattern: str) -> Any:
    """One of the scanner's own patterns (never a pack's), with RE2's default options."""
    return re2.compile(pattern)


def pattern_set(patterns: Iterable[str], *, max_mem: int = MAX_MEM) -> Any:
    """A compiled RE2 search set: ``Match(data)`` gives the indices (in ``patterns`` order) of those that match
    anywhere, in one linear pass whatever their number."""
    compiled = re2.Set.SearchSet(re2_options(max_mem=max_mem))
    for index, pattern in enumerate(patterns):
        if compiled.Add(pattern) != index:
            raise RuntimeError("RE2 set indices out of step with its patterns")
    compiled.Compile()
    return compiled


@dataclass(frozen=True)
class CompiledPattern:
    """A rule pattern and the group whose text is the reported value.

    The value is the named group ``secret`` when present, else group 1 when the pattern has groups, else the
    whole match. ``group`` is an index because the re2 wrapper's match methods want the index, not the name.
    ``compile`` checks the pattern now (a user's pack: errors are load errors); ``deferred`` compiles it on
    first use, for the packs shipped with the scanner, which the test suite compiles and checks in full: a
    hook run on one file then compiles only the few rules whose keywords occur in it.
    """

    source: str

    @classmethod
    def compile(cls, pattern: str) -> CompiledPattern:
        compiled = cls(pattern)
        if compiled.regex.fullmatch("") is not None:
            raise PatternError("matches the empty string (it would run on every keyword line)")
        return compiled

    @classmethod
    def deferred(cls, pattern: str) -> CompiledPattern:
        return cls(pattern)

    @cached_property
    def regex(self) -> Any:
        return compile_regex(self.source)

    @cached_property
    def group(self) -> int:
        named = self.regex.groupindex
        # The named group, else group 1, else the whole match.
        return int(named[SECRET_GROUP]) if SECRET_GROUP in named else min(self.regex.groups, 1)


class KeywordGate:
    """Which of many literal keywords occur in a text, in one linear pass: an RE2 set of literals.

    A set of literals compiles to an Aho-Corasick-like automaton whose states are bounded by the total keyword
    length, far below ``MAX_MEM``, so the DFA never runs out of memory (which would make RE2 report no match).
    """

    def __init__(self, keywords: Sequence[str], *, ignore_case: bool = False) -> None:
        """``ignore_case``: ``present`` is given the text as it is (UTF-8 bytes best: a ``str`` is encoded on each
        call) and folds case itself, at least as widely as ``str.lower`` for ASCII keywords (RE2 also folds the
        KELVIN SIGN to ``k`` and the LONG S to ``s``): no lower-cased copy of the text is needed."""
        self.keywords = tuple(keywords)
        options = re2_options(literal=True)
        options.case_sensitive = not ignore_case
        self._set: Any = re2.Set.SearchSet(options)
        for keyword in self.keywords:
            self._set.Add(keyword)
        self._set.Compile()

    def present(self, text: str | bytes) -> list[str]:
        """The keywords occurring in ``text`` (lower-cased already, unless the gate ignores case), in keyword
        order."""
        hits = self._set.Match(text) if text else None
        return [self.keywords[index] for index in sorted(hits)] if hits else []
