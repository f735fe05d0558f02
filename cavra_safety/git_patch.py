"""A parser for the patches git prints (``git diff -p`` / ``git log -p``): per file, the new path, the new
blob and mode, and the lines of the new side with their real line numbers.

git is always run with ``--full-index --src-prefix=a/ --dst-prefix=b/ --no-color --no-ext-diff
--no-textconv``, so the shape is fixed. Hunk bodies are consumed by their line counts, so a content line
that happens to read ``+++ x`` or ``diff --git`` can never be taken for a header.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {ord("a"): 7, ord("b"): 8, ord("t"): 9, ord("n"): 10, ord("v"): 11, ord("f"): 12, ord("r"): 13,
            ord('"'): 34, ord("\\"): 92}
SYMLINK_MODE = "120000"
SUBMODULE_MODE = "160000"


def unquote_path(raw: bytes) -> bytes:
    """A path as git prints it in a patch header: C-quoted (``"a\\tb"``, octal bytes) when it needs it."""
    if not raw.startswith(b'"') or not raw.endswith(b'"') or len(raw) < 2:
        return raw
    body, out, index = raw[1:-1], bytearray(), 0
    while index < len(body):
        char = body[index]
        if char == 92 and index + 1 < len(body):  # a backslash
            following = body[index + 1]
            if 48 <= following <= 55 and index + 3 < len(body) + 1:  # \ooo
                out.append(int(body[index + 1 : index + 4], 8) & 0xFF)
                index += 4
                continue
            out.append(_ESCAPES.get(following, following))
            index += 2
            continue
        out.append(char)
        index += 1
    return bytes(out)


def _header_path(rest: bytes, prefix: bytes) -> bytes | None:
    """The path of a ``--- a/x`` / ``+++ b/x`` line; None for /dev/null."""
    rest = rest.rstrip(b"\n")
    # git ends the name with a tab when it contains a space, so that patch(1) reads it whole.
    rest = rest[:-1] if rest.endswith(b"\t") else rest
    if rest == b"/dev/null":
        return None
    path = unquote_path(rest)
    return path[len(prefix):] if path.startswith(prefix) else path


def _diff_git_path(rest: bytes) -> bytes:
    """The path of ``diff --git a/P b/P`` when both sides name the same file (binary changes, mode changes)."""
    rest = rest.rstrip(b"\n")
    if rest.startswith(b'"'):
        end = rest.find(b'" ', 1)
        return _header_path(rest[end + 2 :], b"b/") or b"" if end > 0 else rest
    half = (len(rest) - 1) // 2
    if len(rest) % 2 == 1 and rest[half : half + 1] == b" " and rest[2:half] == rest[half + 3 :]:
        return rest[2:half]
    return rest.rsplit(b" b/", 1)[-1]


@dataclass
class FilePatch:
    """One file's change. ``new_lines`` maps a line number of the new file to its text (context and added
    lines); ``added`` holds the numbers of the added ones."""

    old_path: str | None = None
    new_path: str | None = None
    new_blob: str | None = None
    new_mode: str | None = None
    binary: bool = False
    deleted: bool = False
    new_lines: dict[int, bytes] = field(default_factory=dict)
    added: set[int] = field(default_factory=set)

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""

    @property
    def scannable(self) -> bool:
        return not self.deleted and not self.binary and self.new_mode not in (SYMLINK_MODE, SUBMODULE_MODE)


def _path(raw: bytes) -> str:
    return os.fsdecode(raw)


class PatchParser:
    """Feed it a patch line by line (``\\n`` kept); it hands back each file's patch once it is complete."""

    def __init__(self) -> None:
        self.current: FilePatch | None = None
        self._old_left = 0
        self._new_left = 0
        self._new_line = 0

    @property
    def in_hunk(self) -> bool:
        return self._old_left > 0 or self._new_left > 0

    def feed(self, line: bytes) -> FilePatch | None:
        if self.in_hunk:
            self._hunk_line(line)
            return None
        if line.startswith(b"diff --git "):
            finished = self.finish()
            self.current = FilePatch()
            path = _path(_diff_git_path(line[len(b"diff --git "):]))
            self.current.old_path = self.current.new_path = path
            return finished
        patch = self.current
        if patch is None:
            return None
        if line.startswith(b"@@"):
            match = _HUNK.match(line)
            if match:
                self._old_left = int(match.group(2)) if match.group(2) is not None else 1
                self._new_left = int(match.group(4)) if match.group(4) is not None else 1
                self._new_line = int(match.group(3))
        elif line.startswith(b"--- "):
            old = _header_path(line[4:], b"a/")
            patch.old_path = _path(old) if old is not None else None
        elif line.startswith(b"+++ "):
            new = _header_path(line[4:], b"b/")
            patch.deleted = new is None
            patch.new_path = _path(new) if new is not None else patch.new_path
        elif line.startswith(b"index "):
            words = line.split()
            if len(words) >= 2 and b".." in words[1]:
                patch.new_blob = words[1].split(b"..", 1)[1].decode("ascii")
            if len(words) >= 3:
                patch.new_mode = words[2].decode("ascii")
        elif line.startswith((b"new file mode ", b"new mode ")):
            patch.new_mode = line.split()[-1].decode("ascii")
        elif line.startswith(b"deleted file mode "):
            patch.deleted = True
        elif line.startswith((b"rename to ", b"copy to ")):
            patch.new_path = _path(unquote_path(line.split(b" to ", 1)[1].rstrip(b"\n")))
        elif line.startswith(b"Binary files ") or line.startswith(b"GIT binary patch"):
            patch.binary = True
        return None

    def _hunk_line(self, line: bytes) -> None:
        assert self.current is not None
        marker, text = line[:1], line[1:].rstrip(b"\n")
        if marker == b"\\":  # "\ No newline at end of file": not a line of either side
            return
        if marker == b"-":
            self._old_left -= 1
            return
        if marker == b"+":
            self.current.added.add(self._new_line)
        else:
            self._old_left -= 1
        self.current.new_lines[self._new_line] = text
        self._new_line += 1
        self._new_left -= 1

    def finish(self) -> FilePatch | None:
        """The file in progress, if any (call at the end of the patch or of a commit)."""
        finished, self.current = self.current, None
        self._old_left = self._new_left = 0
        return finished
