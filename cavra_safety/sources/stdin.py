"""``scan -``: standard input as one file, named by ``--stdin-name`` (default ``(stdin)``).

The name is the file's path for everything that looks at one: rules with path includes or excludes, the
configured excludes, the baseline's entries and every report. The bytes are judged and decoded by the same rule
as a file on disk (``text.blob_source``): binary input and input over ``max-file-size`` are skipped with a reason.
"""

from __future__ import annotations

import posixpath
from typing import BinaryIO

from cavra_safety.config import Config
from cavra_safety.findings import Skipped
from cavra_safety.sources import Source
from cavra_safety.sources.files import PathFilter
from cavra_safety.sources.text import blob_source, too_large

DEFAULT_STDIN_NAME = "(stdin)"


def stdin_path(name: str | None) -> str:
    """``name`` as a scan root-relative POSIX path (``./src/app.py`` and ``src\\app.py`` read ``src/app.py``);
    ``(stdin)`` when there is none."""
    normal = posixpath.normpath(name.replace("\\", "/")) if name else "."
    return normal if normal != "." else DEFAULT_STDIN_NAME


def stdin_source(stream: BinaryIO, name: str | None, config: Config) -> list[Source | Skipped]:
    """What ``stream`` holds, as the one source (or skipped file) of a scan; nothing when the configured
    excludes cover ``name`` (as for a file given by name). Reads at most ``max-file-size`` and one byte."""
    path = stdin_path(name)
    if PathFilter(config, config.root).excluded(path):
        return []
    data = stream.read(config.max_file_size + 1)
    if len(data) > config.max_file_size:
        return [too_large(path, config.max_file_size)]
    return [blob_source(path, data)]
