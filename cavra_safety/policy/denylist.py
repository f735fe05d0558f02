"""Deny-lists of private values, stored without the values: salted hashes, a tokeniser, and the TOML block.

A public repository cannot list the tenant ids, host names or licence keys it must never contain, so a pack
lists keyed hashes of them instead::

    digest = BLAKE2b-256(key = salt (16 random bytes), message = UTF-8 of the value)    # "blake2b-256"

lower-cased first unless the list is ``case-sensitive``. The salt is per list, so two lists (or two
repositories) holding the same value do not show the same hash. What this protects and what not: the
values cannot be read off the pack, and a precomputed table is useless; a short or guessable value (``acme``)
can still be confirmed by hashing candidates with the published salt. Deny-lists hide values from casual
readers; they are not a vault.

The tokeniser decides what can be found, so ``hash-values`` refuses a value it would not produce:

- a token is a run of ``[A-Za-z0-9._-]`` with leading and trailing dots trimmed (so ``acme.internal.`` at the
  end of a sentence is ``acme.internal``);
- each dot-suffix of a dotted token is a token too, so that ``api.acme.internal`` matches a listed
  ``acme.internal`` (but ``acme.internal.evil`` does not, nor does ``acme-internal``);
- tokens longer than ``MAX_VALUE_LENGTH`` are skipped (their short dot-suffixes are still checked), which
  bounds the work on minified or encoded lines.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator

ALGORITHM = "blake2b-256"
SALT_BYTES = 16
DIGEST_BYTES = 32
MAX_VALUE_LENGTH = 256

_TOKEN = re.compile(r"[A-Za-z0-9._-]+")
_SINGLE_TOKEN = re.compile(r"[A-Za-z0-9_-](?:[A-Za-z0-9._-]*[A-Za-z0-9_-])?")


def digest(salt: bytes, value: str, case_sensitive: bool) -> str:
    text = value if case_sensitive else value.lower()
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), key=salt, digest_size=DIGEST_BYTES).hexdigest()


def _candidates(token: str, offset: int) -> Iterator[tuple[int, str]]:
    start, end = 0, len(token)
    while start < end and token[start] == ".":
        start += 1
    while end > start and token[end - 1] == ".":
        end -= 1
    if start == end:
        return
    if end - start <= MAX_VALUE_LENGTH:
        yield offset + start, token[start:end]
    # Dot-suffixes, shortest last; only those short enough to be listed.
    dot = token.find(".", max(start, end - MAX_VALUE_LENGTH - 1), end)
    while dot != -1:
        suffix_start = dot + 1
        if suffix_start < end and token[suffix_start] != ".":
            yield offset + suffix_start, token[suffix_start:end]
        dot = token.find(".", suffix_start, end)


def tokens(text: str) -> Iterator[tuple[int, str]]:
    """``(0-based start, token)`` for every token and dot-suffix in ``text``, in order."""
    for match in _TOKEN.finditer(text):
        yield from _candidates(match.group(), match.start())


def unique_tokens(text: str) -> set[str]:
    """The distinct tokens and dot-suffixes of ``text``: what a deny-list must hash, each once."""
    return {token for raw in set(_TOKEN.findall(text)) for _, token in _candidates(raw, 0)}


def value_problem(value: str) -> str | None:
    """Why ``value`` could never be found by the tokeniser (so must not be listed), or ``None``.

    The reason never quotes the value: callers report it by line number only.
    """
    if len(value) > MAX_VALUE_LENGTH:
        return f"value is longer than {MAX_VALUE_LENGTH} characters"
    if _SINGLE_TOKEN.fullmatch(value) is None:
        return (
            "value is not a single token: use only letters, digits, '.', '_' and '-', with no leading or trailing dot"
        )
    return None


def read_values(data: bytes) -> tuple[list[str], list[str]]:
    """The values of ``hash-values`` input (one per line; blank lines and ``#`` comments ignored) and the
    problems, each naming only a line number. Undecodable bytes become U+FFFD, which no token contains, so
    they are reported as a problem rather than crashing with the bytes in a traceback."""
    values: list[str] = []
    problems: list[str] = []
    for number, raw in enumerate(data.decode("utf-8-sig", "replace").split("\n"), start=1):
        value = raw.strip()
        if not value or value.startswith("#"):
            continue
        problem = value_problem(value)
        if problem is not None:
            problems.append(f"line {number}: {problem}")
        else:
            values.append(value)
    return values, problems


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def render_block(
    values: Iterable[str],
    *,
    salt: bytes,
    list_id: str,
    category: str,
    severity: str,
    title: str,
    message: str,
    case_sensitive: bool,
) -> str:
    """The ``[[denylist]]`` TOML block for ``values``; hashes sorted so their order reveals nothing."""
    hashes = sorted({digest(salt, value, case_sensitive) for value in values})
    lines = [
        "[[denylist]]",
        f"id = {_toml_string(list_id)}",
        f"category = {_toml_string(category)}",
        f"severity = {_toml_string(severity)}",
        f"title = {_toml_string(title)}",
        f"message = {_toml_string(message)}",
        f"algorithm = {_toml_string(ALGORITHM)}",
        f"salt = {_toml_string(salt.hex())}",
        f"case-sensitive = {'true' if case_sensitive else 'false'}",
        "hashes = [",
        *(f'    "{value}",' for value in hashes),
        "]",
    ]
    return "\n".join(lines) + "\n"
