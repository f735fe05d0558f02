"""What git calls binary, judged again by our one rule (``text.binary_reason``): git's "Binary files differ"
follows the repository's own ``.gitattributes`` (``-diff``, ``binary``, ``diff=<driver>`` with ``binary =
true``) and ``core.bigFileThreshold``, which a change can set to hide itself, and it calls UTF-16 text binary.
Our rule follows the content only, as it does for files on disk.

git's detection is kept as the fast path: most of what it calls binary is binary by name (``.png``, ``.pdf``)
and is skipped unread, so a history full of images costs nothing more. The rest is read (``read_binaries``):
binary by our rule (NUL bytes), it is skipped with the tree walk's reason; text after all, git is asked again
for those files only, with ``--text`` (``TEXT_OPTIONS``), in one command for a whole diff or a whole group of
commits, so that they are scanned exactly as text files are, with git's own hunks and added lines. (Always
passing ``--text`` would send every real binary through the patch stream instead.)
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from cavra_safety.config import Config
from cavra_safety.display import display_path
from cavra_safety.findings import Skipped
from cavra_safety.git import BlobReader, Git, read_small_blobs
from cavra_safety.sources.patch import FilePatch
from cavra_safety.sources.text import SNIFF_BYTES, binary_by_name, binary_reason, too_large

# Added to a patch command's options: every file is compared as text, whatever its attributes say.
TEXT_OPTIONS = ("--text",)
# Longer path lists are left out of a command line (the command then covers every file: slower, same result).
_MAX_PATHSPEC_BYTES = 256 * 1024


def read_binaries(git: Git | BlobReader, patches: Sequence[FilePatch], config: Config) -> list[Skipped | bytes]:
    """For each of ``patches`` (files git called binary, not deleted), in order: why not to scan it (the tree
    walk's reason), or the new blob's content when it is text by our rule (read through ``git``'s open reader
    when it is one)."""
    verdicts: list[Skipped | bytes | None] = []
    for patch in patches:
        reason = binary_by_name(patch.path)
        if reason is not None:
            verdicts.append(Skipped(display_path(patch.path), reason))
        elif patch.new_blob is None:  # git always names the blob of a content change; kept on the safe side
            verdicts.append(Skipped(display_path(patch.path), "binary (git shows no blob to read)"))
        else:
            verdicts.append(None)  # read below
    unread = [patch.new_blob for patch, verdict in zip(patches, verdicts, strict=True) if verdict is None]
    contents = read_small_blobs(git, [blob for blob in unread if blob is not None], config.max_file_size)
    judged: list[Skipped | bytes] = []
    for patch, verdict in zip(patches, verdicts, strict=True):
        data = contents.get(patch.new_blob or "")
        if verdict is not None:
            judged.append(verdict)
        elif data is None:
            judged.append(too_large(patch.path, config.max_file_size))
        else:
            reason = binary_reason(patch.path, data)
            judged.append(data if reason is None else Skipped(display_path(patch.path), reason))
    return judged


def holds_nul(data: bytes) -> bool:
    """Text by our rule that holds NUL bytes (UTF-16 or UTF-32, by its BOM): git's line-by-line patch of it is
    not text, so the whole file is scanned, with git's added line numbers (a newline is one code unit)."""
    return b"\x00" in data[:SNIFF_BYTES]


def pathspec(patches: Sequence[FilePatch]) -> list[str]:
    """The paths of ``patches`` on both sides of a rename (so that git pairs them again), or none at all when
    they would make too long a command line."""
    paths = sorted({path for patch in patches for path in (patch.old_path, patch.new_path) if path})
    if sum(len(os.fsencode(path)) + 1 for path in paths) > _MAX_PATHSPEC_BYTES:
        return []
    return paths
