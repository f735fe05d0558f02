"""What a run compiles from the packs shipped with the scanner, cached so that a hook run does not redo it: the
packs' parsed documents here, the policy detector's pattern database (``detectors.policy_prefilter``) beside them.

``tomllib`` is pure Python: the default packs (about 750 KB of TOML, examples included) take about 0.25 s to
parse, more than the rest of a one-file run. Each default pack's parsed document is kept as JSON (read by a C
parser in a few milliseconds) in the user's cache folder, under a hash of the pack's bytes, the Python version
and this cache's format: a changed pack never reads a stale entry. Only default packs are cached (a user's pack
is small and parsed on every run), and the loader parses a pack again from its TOML when a cached document does
not make a valid pack, so a missing, corrupt or unwritable cache is never an error, only the slower path.

The folder: ``$CAVRA_SAFETY_CACHE_DIR``, else ``$XDG_CACHE_HOME/cavra-safety``, else ``~/.cache/cavra-safety``;
``CAVRA_SAFETY_CACHE_DIR=`` (empty) turns the cache off.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cavra_safety import TOOL_NAME

CACHE_ENV = "CAVRA_SAFETY_CACHE_DIR"
FORMAT = "packs-1"  # bump when what is stored changes
# Documents of user packs that loaded without a problem: valid under this RE2 build (whose version is in the key).
VALIDATED = "validated"

Document = dict[str, Any]


def cache_folder(kind: str = "packs") -> Path | None:
    """Where entries of ``kind`` are kept (``packs``: parsed packs; ``patterns``: compiled pattern databases),
    or None when the cache is off or no folder can be named."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit is not None:
        return Path(explicit) / kind if explicit else None
    base = os.environ.get("XDG_CACHE_HOME")
    try:
        root = Path(base) if base else Path.home() / ".cache"
    except RuntimeError:  # no home folder to name
        return None
    return root / TOOL_NAME / kind


def cache_key(data: bytes, purpose: str = "") -> str:
    version = f"{FORMAT}\0{sys.version_info.major}.{sys.version_info.minor}\0{purpose}\0".encode()
    if purpose == VALIDATED:
        version += _re2_version().encode() + b"\0"
    return hashlib.sha256(version + data).hexdigest()


@functools.cache
def _re2_version() -> str:
    import importlib.metadata  # only for a user's pack: it imports csv, email and zipfile

    try:
        return importlib.metadata.version("google-re2")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def read_entry(kind: str, name: str) -> bytes | None:
    """The bytes stored under ``name``, or None (no cache, no entry, an entry that cannot be read)."""
    folder = cache_folder(kind)
    if folder is None:
        return None
    try:
        return (folder / name).read_bytes()
    except OSError:
        return None


def write_entry(kind: str, name: str, data: bytes) -> None:
    """Keep ``data`` under ``name``; any failure (read-only folder, full disk) is ignored. Written to a
    temporary file and renamed, so that a reader never sees half an entry."""
    folder = cache_folder(kind)
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return


def prune(kind: str, keep: int) -> None:
    """Remove all but the ``keep`` most recently written entries of ``kind`` (a pattern database is about 2 MB,
    and each edit of a user's pack makes a new one); failures are ignored, like every cache failure."""
    folder = cache_folder(kind)
    if folder is None:
        return
    try:
        entries = sorted(folder.iterdir(), key=lambda entry: entry.stat().st_mtime, reverse=True)
        for entry in entries[keep:]:
            entry.unlink(missing_ok=True)
    except OSError:
        return


def cached_document(data: bytes, purpose: str = "") -> Document | None:
    """The document cached for ``data``, or None (no cache, no entry, or an entry that does not read)."""
    stored_bytes = read_entry("packs", f"{cache_key(data, purpose)}.json")
    if stored_bytes is None:
        return None
    try:
        stored = json.loads(stored_bytes)
    except (ValueError, RecursionError):
        return None
    return stored if isinstance(stored, dict) else None


def store_document(data: bytes, document: Document, purpose: str = "") -> None:
    """Keep ``document`` for ``data``; a value JSON cannot hold is not stored."""
    try:
        text = json.dumps(document, ensure_ascii=False)
    except (TypeError, ValueError):
        return
    write_entry("packs", f"{cache_key(data, purpose)}.json", text.encode("utf-8"))


def parse_cached(data: bytes, parse: Callable[[bytes], Document]) -> tuple[Document, bool]:
    """``data``'s document and whether it came from the cache; ``parse`` (which may raise) runs on a miss, and
    its result is stored."""
    cached = cached_document(data)
    if cached is not None:
        return cached, True
    document = parse(data)
    store_document(data, document)
    return document, False
