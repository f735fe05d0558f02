"""What git calls binary, judged again by our one rule (``text.binary_reason``): git's "Binary files differ"
follows the repository's own ``.gitattributes`` (``-diff``, ``binary``, ``diff=<driver>`` with ``binary =
true``) and ``core.bigFileThreshold``, which a change can set to hide itself, and it calls UTF-16 text binary.
Our rule follows the content only, as it does for files on disk.

git's detection is kept as the fast path (most of what it calls binary is binary by name, ``.png``, ``.pdf``,
and is skipped unread, so a history full of images costs nothing more). The rest is read: binary by our rule
(NUL bytes), it is skipped with the tree walk's reason; text after all, it is scanned whole, and the lines the
change added are those of ``git diff --text`` between the two blobs (every line, for a new file).
"""

from __future__ import annotations

from collections.abc import Sequence

from cavra_safety.config import Config
from cavra_safety.display import display_path
from cavra_safety.findings import Skipped
from cavra_safety.git import Git, blob_sizes, read_blobs
from cavra_safety.sources import Origin, Source
from cavra_safety.sources.patch import FilePatch, parse_patch
from cavra_safety.sources.text import binary_by_name, binary_reason, blob_source, too_large

# A two-blob diff with nothing from the repository's diff configuration: every line compared as text.
_TEXT_DIFF = (
    "diff",
    "--text",
    "--unified=0",
    "--full-index",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
)


def judge_binary(
    git: Git, patches: Sequence[FilePatch], config: Config, origin: Origin, commit: str | None
) -> list[Source | Skipped]:
    """Each of ``patches`` (files git called binary, not deleted) as a source to scan, or the reason not to."""
    judged: list[Source | Skipped] = []
    unread: list[tuple[FilePatch, str]] = []
    for patch in patches:
        reason = binary_by_name(patch.path)
        if reason is not None:
            judged.append(Skipped(display_path(patch.path), reason))
        elif patch.new_blob is None:  # git always names the blob of a content change; kept on the safe side
            judged.append(Skipped(display_path(patch.path), "binary (git shows no blob to read)"))
        else:
            unread.append((patch, patch.new_blob))
    if not unread:
        return judged
    sizes = blob_sizes(git, [blob for _, blob in unread])
    contents = read_blobs(git, [blob for blob, size in sizes.items() if size <= config.max_file_size])
    for patch, blob in unread:
        data = contents.get(blob)
        if data is None:
            judged.append(too_large(patch.path, config.max_file_size))
            continue
        reason = binary_reason(patch.path, data)
        if reason is not None:
            judged.append(Skipped(display_path(patch.path), reason))
        else:
            judged.append(blob_source(patch.path, data, origin, commit, added_lines(git, patch.old_blob, blob)))
    return judged


def added_lines(git: Git, old_blob: str | None, new_blob: str) -> frozenset[int] | None:
    """The numbers of the lines ``new_blob`` adds to ``old_blob``, compared as text whatever git's attributes
    say; None (every line) when there is no old blob."""
    if old_blob is None:
        return None
    patches = parse_patch(git.run(*_TEXT_DIFF, "--end-of-options", old_blob, new_blob))
    return frozenset(patches[0].added) if patches else frozenset()
