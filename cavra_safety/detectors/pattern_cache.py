"""Compiled pattern databases (``multipattern``) kept in the user's cache folder, for every detector that
matches many patterns in one pass (the policy rules, the secrets plugins' gates).

An entry is named by a hash of everything that makes the database: its patterns and keywords with their ids,
this format, the engine's version, the machine (a database is compiled for the host's CPU), the Python, and the
source of ``multipattern`` (which writes the expressions: a change there needs no one to remember to bump
``FORMAT``). The most recently written few are kept.
"""

from __future__ import annotations

import hashlib
import platform
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TypeVar

from cavra_safety import multipattern
from cavra_safety.multipattern import LinePrefilter, PresenceFilter
from cavra_safety.policy.cache import prune, read_entry, write_entry

FORMAT = "prefilter-2"  # bump when the database's ids or forms change
CACHE_KIND = "patterns"
KEEP_DATABASES = 8  # the most recently written: a default policy, a project's packs, the secrets gates, past edits


def cached_database(
    patterns: Sequence[tuple[int, str]], keywords: Sequence[tuple[int, str]], *, compile_on_miss: bool = True
) -> LinePrefilter | None:
    """The database of ``patterns`` and ``keywords`` (see ``LinePrefilter.build``), from the cache when it holds
    one for exactly these, else compiled and stored (unless ``compile_on_miss`` is false); None without an
    engine or anything it can hold."""
    return _cached(LinePrefilter, patterns, keywords, compile_on_miss)


def cached_presence(
    patterns: Sequence[tuple[int, str]], keywords: Sequence[tuple[int, str]] = ()
) -> PresenceFilter | None:
    """The presence database of ``patterns`` and ``keywords`` (see ``PresenceFilter``), cached as
    ``cached_database`` is."""
    return _cached(PresenceFilter, patterns, keywords, compile_on_miss=True)


Database = TypeVar("Database", bound=LinePrefilter)


def _cached(
    kind: type[Database],
    patterns: Sequence[tuple[int, str]],
    keywords: Sequence[tuple[int, str]],
    compile_on_miss: bool,
) -> Database | None:
    if not multipattern.AVAILABLE:
        return None
    name = _entry_name(kind.__name__, patterns, keywords)
    stored = read_entry(CACHE_KIND, name)
    database = kind.load(stored) if stored is not None else None
    if database is None and compile_on_miss:
        database = kind.build(patterns, keywords)
        if database is not None:
            write_entry(CACHE_KIND, name, database.dump())
            prune(CACHE_KIND, KEEP_DATABASES)
    return database


def _entry_name(kind: str, patterns: Sequence[tuple[int, str]], keywords: Sequence[tuple[int, str]]) -> str:
    """A name that changes with anything that changes the database (see the module docstring)."""
    digest = hashlib.sha256()
    header = (FORMAT, kind, multipattern.engine_version(), platform.machine(), sys.version)
    digest.update("\0".join(header).encode())
    digest.update(_source_of(multipattern.__file__))
    for ident, text in (*patterns, *keywords):
        digest.update(f"\0{ident}\0{text}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest() + ".hs"


def _source_of(module_file: str | None) -> bytes:
    try:
        return Path(module_file).read_bytes() if module_file else b""
    except OSError:
        return b""
