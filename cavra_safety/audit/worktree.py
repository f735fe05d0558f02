"""Does the work tree match HEAD? The audit's report says so (the tree scan read the files as they are), and it
must find out without ``git status``: status hands changed-looking files to the repository's clean filters
(and a ``process`` filter can hang it) and asks fsmonitor. Here only git commands that read the index and
the object store run (``diff-index --cached``, ``ls-files``), and the files are compared by this module.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

from cavra_safety.git import EMPTY_TREE, STREAM_BLOCK, Git

# ``ls-files --debug`` shows each index entry's cached stat data and its flags (git's in-memory entry flags).
_INDEX_ENTRY = re.compile(
    rb"(?P<mode>\d{6}) (?P<blob>[0-9a-f]+) (?P<stage>\d)\t(?P<path>[^\0]*)\0"
    rb"\s*ctime: (?P<ctime>\d+):(?P<ctime_ns>\d+)\n\s*mtime: (?P<mtime>\d+):(?P<mtime_ns>\d+)\n"
    rb"\s*dev: \d+\tino: (?P<ino>\d+)\n\s*uid: \d+\tgid: \d+\n\s*size: (?P<size>\d+)\tflags: (?P<flags>[0-9a-f]+)\n"
)
_ASSUME_UNCHANGED = 0x8000
_SKIP_WORKTREE = 1 << 30
_LOW_32 = 0xFFFFFFFF  # the index keeps times, sizes and inode numbers in 32 bits
_GITLINK, _SYMLINK = "160000", "120000"


def work_tree_changed(git: Git, root: Path, depth: int = 0) -> bool:
    """Whether ``git status`` would show anything: staged changes, changed or deleted tracked files, untracked
    files that are not ignored, an unresolved conflict. A file is unchanged when its stat data is the one the
    index recorded (git's own check), or else when its bytes hash to the index's blob; so a file that a filter
    or an end-of-line conversion rewrites, touched since checkout, counts as changed (the tree scan read its
    bytes, and they are not the commit's). A submodule has changed when its HEAD is not the recorded commit or
    its own work tree has changed."""
    top = Git(root, git.purpose)
    base = top.head() or EMPTY_TREE
    if top.run("diff-index", "--cached", "--name-only", "-z", "--end-of-options", base).strip(b"\0"):
        return True
    untracked = ("ls-files", "--others", "--exclude-standard", "--directory", "--no-empty-directory", "-z")
    if top.run(*untracked).strip(b"\0"):
        return True
    index_file = root / os.fsdecode(top.run("rev-parse", "--git-path", "index").rstrip(b"\n"))
    try:
        index_time = os.stat(index_file).st_mtime_ns
    except OSError:
        index_time = 0
    listing = top.run("ls-files", "--stage", "--debug", "-z")
    position, file_mode = 0, None
    while position < len(listing):
        entry = _INDEX_ENTRY.match(listing, position)
        if entry is None:  # an index listing this code does not understand: say "changed" rather than guess
            return True
        position = entry.end()
        if int(entry["flags"], 16) & (_ASSUME_UNCHANGED | _SKIP_WORKTREE):
            continue  # git itself does not look at these
        if entry["stage"] != b"0":
            return True  # an unresolved merge conflict
        state = _compare(top, root, entry, index_time, depth)
        if state == _MODE_ONLY and file_mode is None:
            file_mode = top.run("config", "--type=bool", "--get", "core.fileMode", check=False).strip() != b"false"
        if state == _CHANGED or (state == _MODE_ONLY and file_mode):
            return True
    return False


_SAME, _CHANGED, _MODE_ONLY = "same", "changed", "only the executable bit"


def _compare(git: Git, root: Path, entry: re.Match[bytes], index_time: int, depth: int) -> str:
    """An index entry against the work tree: ``_SAME``, ``_CHANGED`` or ``_MODE_ONLY`` (which
    ``core.fileMode=false`` ignores)."""
    path = root / os.fsdecode(entry["path"])
    mode, blob = entry["mode"].decode("ascii"), entry["blob"].decode("ascii")
    try:
        info = os.lstat(path)
    except OSError:
        return _CHANGED  # deleted (or unreadable)
    if mode == _GITLINK:
        if not os.path.lexists(path / ".git"):
            return _SAME  # a submodule that is not checked out: git status shows nothing either
        submodule = Git(path, git.purpose)
        changed = submodule.head() != blob or (depth < 8 and work_tree_changed(submodule, path, depth + 1))
        return _CHANGED if changed else _SAME
    if not (stat.S_ISLNK if mode == _SYMLINK else stat.S_ISREG)(info.st_mode):
        return _CHANGED  # a file became a link or a folder, or the other way round
    executable_differs = mode != _SYMLINK and (mode == "100755") != bool(info.st_mode & stat.S_IXUSR)
    same_stat = (
        info.st_size & _LOW_32 == int(entry["size"])
        and info.st_ino & _LOW_32 == int(entry["ino"])
        and _same_time(info.st_mtime_ns, entry["mtime"], entry["mtime_ns"])
        and _same_time(info.st_ctime_ns, entry["ctime"], entry["ctime_ns"])
    )
    # Trusted only when the file was not touched after the index was written (git's "racily clean" rule).
    if same_stat and not executable_differs and info.st_mtime_ns < index_time:
        return _SAME
    if _blob_name(path, info, len(blob)) != blob:
        return _CHANGED
    return _MODE_ONLY if executable_differs else _SAME


def _same_time(actual_ns: int, seconds: bytes, nanoseconds: bytes) -> bool:
    recorded_ns = int(nanoseconds)  # 0 when git was built without nanosecond times
    return actual_ns // 10**9 & _LOW_32 == int(seconds) and recorded_ns in (0, actual_ns % 10**9)


def _blob_name(path: Path, info: os.stat_result, length: int) -> str | None:
    """The object name of the file's bytes (a symbolic link's target) as a blob: SHA-1, or SHA-256 in a
    repository that uses it; None when it cannot be read."""
    hasher = hashlib.sha1(usedforsecurity=False) if length == 40 else hashlib.sha256()
    try:
        if stat.S_ISLNK(info.st_mode):
            data = os.fsencode(os.readlink(path))
            hasher.update(b"blob %d\0" % len(data) + data)
        else:
            with open(path, "rb") as handle:
                hasher.update(b"blob %d\0" % info.st_size)
                while block := handle.read(STREAM_BLOCK):
                    hasher.update(block)
    except OSError:
        return None
    return hasher.hexdigest()
