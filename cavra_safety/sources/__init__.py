"""What the detectors read: ``Source`` values, from the working tree, the index, a commit range or the history.

One module per kind of input: ``files`` (the working tree), ``staged`` (--staged), ``diff`` (--diff), ``history``
(--history), with ``patch`` (the ``git diff -p`` parser) and ``text`` (bytes to text, or the reason not to: one
rule for files and blobs) beneath them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import cached_property


class Origin(enum.StrEnum):
    TREE = "tree"
    INDEX = "index"
    COMMIT = "commit"


@dataclass(frozen=True)
class Source:
    """Decoded text to scan. ``path`` is POSIX and relative to the scan root.

    Diff and history sources carry the whole new file (so that context-aware checks see it) and set
    ``added_lines``: only findings on those 1-based line numbers count.
    """

    path: str
    text: str
    origin: Origin = Origin.TREE
    commit: str | None = None
    added_lines: frozenset[int] | None = None

    @cached_property
    def lines(self) -> list[str]:
        """The lines as git and editors number them (split on \\n only, a trailing \\r dropped)."""
        lines = self.text.split("\n")
        if "\r" not in self.text:  # the usual case: no per-line work in Python
            return lines
        return [line[:-1] if line.endswith("\r") else line for line in lines]

    @cached_property
    def data(self) -> bytes:
        """The text as UTF-8 (lone surrogates kept), encoded once for every byte-level matcher (RE2)."""
        return self.text.encode("utf-8", "surrogatepass")

    @cached_property
    def lower(self) -> str:
        """The text lowercased once, for the keyword gates of every detector."""
        return self.text.lower()

    def lines_holding(self, word: str) -> set[int]:
        """0-based indexes of the lines whose lower-cased text holds ``word`` (lower case), found with
        ``str.find`` and newline counts (in C) instead of a Python step per line."""
        lower, found = self.lower, set()
        line, counted_to = 0, 0
        position = lower.find(word)
        while position != -1:
            line += lower.count("\n", counted_to, position)
            counted_to = position
            found.add(line)
            next_line = lower.find("\n", position)  # one hit per line is enough
            if next_line == -1:
                break
            position = lower.find(word, next_line + 1)
        return found

    @cached_property
    def suffix(self) -> str:
        name = self.path.rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[-1].lower() if "." in name else ""


@dataclass(frozen=True)
class FileRef:
    """A file found by the walk: ``path`` for display, ``fspath`` to open (it may hold undecodable bytes)."""

    path: str
    fspath: str
    size: int
