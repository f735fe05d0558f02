"""A parser for the patches git prints (``git diff -p`` / ``git log -p``): per file, the new path, the new
blob and mode, and the lines of the new side with their real line numbers.

git is always run with ``--full-index --src-prefix=a/ --dst-prefix=b/ --no-color --no-ext-diff
--no-textconv``, so the shape is fixed. Hunk bodies are consumed by their line counts, so a content line
that happens to read ``+++ x`` or ``diff --git`` can never be taken for a header. A patch is parsed whole (a
commit's, in a history scan), in one pass over its lines with no Python call per line: history scans read
hundreds of thousands of them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count

_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
# A combined diff's hunk (``git log --cc``, a merge): one ``-start,count`` per parent, ``@`` once more than parents.
_COMBINED_HUNK = re.compile(rb"^(@@@+) ((?:-\d+(?:,\d+)? )+)\+(\d+)(?:,(\d+))? @@@+")
_COMBINED_HEADERS = (b"diff --cc ", b"diff --combined ")
_ESCAPES = {
    ord("a"): 7,
    ord("b"): 8,
    ord("t"): 9,
    ord("n"): 10,
    ord("v"): 11,
    ord("f"): 12,
    ord("r"): 13,
    ord('"'): 34,
    ord("\\"): 92,
}
# What every patch we parse is asked with: full blob names, fixed prefixes, and none of the repository's
# diff drivers, text conversions or colours.
PATCH_OPTIONS = (
    "--full-index",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--find-renames",
    "--ignore-submodules=all",
)
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
    # git ends the name with a tab when it contains a space, so that patch(1) reads it whole.
    rest = rest[:-1] if rest.endswith(b"\t") else rest
    if rest == b"/dev/null":
        return None
    path = unquote_path(rest)
    return path[len(prefix) :] if path.startswith(prefix) else path


def _diff_git_path(rest: bytes) -> bytes:
    """The path of ``diff --git a/P b/P`` when both sides name the same file (binary changes, mode changes)."""
    if rest.startswith(b'"'):
        end = rest.find(b'" ', 1)
        return _header_path(rest[end + 2 :], b"b/") or b"" if end > 0 else rest
    half = (len(rest) - 1) // 2
    if len(rest) % 2 == 1 and rest[half : half + 1] == b" " and rest[2:half] == rest[half + 3 :]:
        return rest[2:half]
    return rest.rsplit(b" b/", 1)[-1]


@dataclass
class FilePatch:
    """One file's change (``binary`` is git's verdict, which the repository's attributes decide, so the sources
    judge those files again: ``sources.binary``).
    ``hunks`` holds the new side of each hunk as ``(first line number, line count, lines joined by \\n)``
    (context and added lines, in patch order); ``added`` holds the numbers of the added lines."""

    old_path: str | None = None
    new_path: str | None = None
    new_blob: str | None = None
    new_mode: str | None = None
    old_blobs: tuple[str, ...] = ()  # one per parent (a merge's combined diff names several); none for a new file
    binary: bool = False
    deleted: bool = False
    hunks: list[tuple[int, int, bytes]] = field(default_factory=list)
    added: set[int] = field(default_factory=set)

    @property
    def path(self) -> str:
        return self.new_path or self.old_path or ""

    @property
    def scannable(self) -> bool:
        return not self.deleted and not self.binary and self.new_mode not in (SYMLINK_MODE, SUBMODULE_MODE)

    def new_lines(self) -> dict[int, bytes]:
        """The lines of the new side the patch shows, by line number."""
        lines: dict[int, bytes] = {}
        for first, _, text in self.hunks:
            lines.update(zip(count(first), text.split(b"\n")))
        return lines

    def new_text(self) -> bytes:
        """The new side as a file: the hunks' lines at their line numbers, blank lines elsewhere, no final
        newline; empty when the patch shows no line of the new side."""
        pieces: list[bytes] = []
        next_line = 1
        for first, lines, text in self.hunks:
            if first < next_line:  # overlapping hunks (or one before line 1): git never writes them; last wins
                return _numbered(self.new_lines())
            pieces.append(b"\n" * (first - next_line) + text)
            next_line = first + lines
        return b"\n".join(pieces)


def _numbered(lines: dict[int, bytes]) -> bytes:
    numbered = [b""] * max(lines)
    for number, text in lines.items():
        numbered[number - 1] = text
    return b"\n".join(numbered)


def _path(raw: bytes) -> str:
    return os.fsdecode(raw)


def parse_patch(data: bytes) -> list[FilePatch]:
    """The files of a patch, in order: the whole text split into lines once, then read in one loop (a hunk's
    lines in an inner loop), with no Python call per line."""
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()  # the split's empty tail, not a line
    patches: list[FilePatch] = []
    patch: FilePatch | None = None
    rest = iter(lines)  # shared by the two loops: a hunk's lines are consumed where they are read
    pending: bytes | None = None  # a line a combined hunk read past its end
    while True:
        if pending is not None:
            line, pending = pending, None
        else:
            following = next(rest, None)
            if following is None:
                break
            line = following
        if line.startswith(b"diff --git "):
            if patch is not None:
                patches.append(patch)
            path = _path(_diff_git_path(line[len(b"diff --git ") :]))
            patch = FilePatch(old_path=path, new_path=path)
        elif line.startswith(_COMBINED_HEADERS):
            if patch is not None:
                patches.append(patch)
            path = _path(unquote_path(line.split(b" ", 2)[2]))
            patch = FilePatch(old_path=path, new_path=path)
        elif patch is None:
            continue
        elif line.startswith(b"@@@"):
            pending = _combined_hunk(patch, line, rest)
        elif line.startswith(b"@@"):
            match = _HUNK.match(line)
            if match is None:
                continue
            old_left = int(match.group(2)) if match.group(2) is not None else 1
            new_left = int(match.group(4)) if match.group(4) is not None else 1
            first = number = int(match.group(3))
            texts: list[bytes] = []
            added = patch.added
            # The body is taken by the header's counts, whatever its lines look like.
            if old_left > 0 or new_left > 0:
                for line in rest:
                    marker = line[:1]
                    if marker == b"+":
                        added.add(number)
                        new_left -= 1
                    elif marker == b"-":
                        old_left -= 1
                        if old_left <= 0 and new_left <= 0:
                            break
                        continue
                    elif marker == b"\\":  # "\ No newline at end of file": not a line of either side
                        continue
                    else:  # context (an empty line too: diff.suppressBlankEmpty)
                        old_left -= 1
                        new_left -= 1
                    texts.append(line[1:])
                    number += 1
                    if old_left <= 0 and new_left <= 0:
                        break
            if texts:
                patch.hunks.append((first, len(texts), b"\n".join(texts)))
        else:
            _header_line(patch, line)
    if patch is not None:
        patches.append(patch)
    return patches


def combined_raw_files(patch: bytes) -> list[FilePatch]:
    """The files of a merge that ``--raw`` lists (``::`` lines: changed against every parent) before its patch,
    with their blobs: the dense combined diff leaves out a file whose every hunk agrees with some parent, yet
    the merge may still make something true in it (a header from one side above rows from the other)."""
    end = patch.find(b"\ndiff ")
    found: list[FilePatch] = []
    for line in (patch if end < 0 else patch[:end]).split(b"\n"):
        if not line.startswith(b"::"):
            continue
        meta, _, raw_path = line.partition(b"\t")
        words = meta[2:].split()
        parents = (len(words) - 3) // 2  # modes (parents + 1), blobs (parents + 1), the status letters
        if parents < 2 or len(words) != 2 * parents + 3:
            continue
        path = _path(unquote_path(raw_path))
        new_blob = words[2 * parents + 1].decode("ascii")
        found.append(
            FilePatch(
                old_path=path,
                new_path=path,
                new_blob=new_blob,
                new_mode=words[parents].decode("ascii"),
                old_blobs=tuple(w.decode("ascii") for w in words[parents + 1 : 2 * parents + 1] if w.strip(b"0")),
                deleted=not new_blob.strip("0"),
            )
        )
    return found


def _combined_hunk(patch: FilePatch, header: bytes, rest: Iterator[bytes]) -> bytes | None:
    """A merge's hunk in a combined diff: one marker column per parent. A line is on the new side unless a column
    says ``-``; it is *added* by the merge only when every column says ``+`` (no parent has it: an evil merge,
    a conflict resolution). A line some parent has is context: that parent's own commit added it.

    Only the new side's count can be trusted (the dense form leaves out lines that the parents' counts include),
    so the body runs until the new side is complete and then over any lines removed after it; the first line
    that is not one is returned for the caller to read (None at the end)."""
    match = _COMBINED_HUNK.match(header)
    if match is None:
        return None
    parents = len(match.group(1)) - 1
    new_left = int(match.group(4)) if match.group(4) is not None else 1
    first = number = int(match.group(3))
    every_parent_lacks = b"+" * parents
    texts: list[bytes] = []
    for line in rest:
        columns = line[:parents].ljust(parents)
        if columns.startswith(b"\\"):  # "\ No newline at end of file"
            continue
        if b"-" in columns and not columns.strip(b" +-"):
            continue  # a line of the parents marked "-" that the merge does not keep
        if new_left <= 0:
            _add_hunk(patch, first, texts)
            return line  # past the hunk: the next header
        if columns == every_parent_lacks:
            patch.added.add(number)
        new_left -= 1
        texts.append(line[parents:])
        number += 1
    _add_hunk(patch, first, texts)
    return None


def _add_hunk(patch: FilePatch, first: int, texts: list[bytes]) -> None:
    if texts:
        patch.hunks.append((first, len(texts), b"\n".join(texts)))


def _header_line(patch: FilePatch, line: bytes) -> None:
    if line.startswith(b"--- "):
        old = _header_path(line[4:], b"a/")
        patch.old_path = _path(old) if old is not None else None
    elif line.startswith(b"+++ "):
        new = _header_path(line[4:], b"b/")
        patch.deleted = new is None
        patch.new_path = _path(new) if new is not None else patch.new_path
    elif line.startswith(b"index "):
        words = line.split()
        if len(words) >= 2 and b".." in words[1]:
            old, new = words[1].split(b"..", 1)
            patch.new_blob = new.decode("ascii")
            patch.old_blobs = tuple(blob.decode("ascii") for blob in old.split(b",") if blob.strip(b"0"))
        if len(words) >= 3:
            patch.new_mode = words[2].decode("ascii")
    elif line.startswith(b"mode ") and b".." in line:  # a combined diff's "mode a,b..c"
        patch.new_mode = line.rsplit(b"..", 1)[1].decode("ascii")
    elif line.startswith((b"new file mode ", b"new mode ")):
        patch.new_mode = line.split()[-1].decode("ascii")
    elif line.startswith(b"deleted file mode "):
        patch.deleted = True
    elif line.startswith((b"rename to ", b"copy to ")):
        patch.new_path = _path(unquote_path(line.split(b" to ", 1)[1]))
    elif line.startswith((b"rename from ", b"copy from ")):
        patch.old_path = _path(unquote_path(line.split(b" from ", 1)[1]))
    elif line.startswith(b"Binary files ") or line.startswith(b"GIT binary patch"):
        patch.binary = True
