"""What may reach a terminal or a report: printable paths and values.

A file name or a message is data: undecodable bytes, control and bidirectional characters must neither crash
output nor act on the reader's terminal.
"""

from __future__ import annotations

import os
import unicodedata

# Bidirectional controls reorder what a terminal shows ("Trojan Source"); control characters can move the
# cursor or recolour the screen. A file name or message is data, so neither may act on the reader's terminal.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def display_path(path: str) -> str:
    """A printable POSIX path: undecodable bytes of a file name become \\x escapes instead of crashing output."""
    posix = path.replace(os.sep, "/") if os.sep != "/" else path
    return posix.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def printable(value: str) -> str:
    """``value`` safe to print and to encode as UTF-8.

    Lone surrogates (undecodable bytes of a file name that escaped ``display_path``) become ``\\xNN``
    or ``\\udNNN``; control and bidirectional characters become ``\\xNN`` / ``\\uNNNN`` escapes.
    """
    try:
        value = value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "backslashreplace").decode("utf-8")
    if value.isprintable() and value.isascii():
        return value
    return "".join(_escape_char(char) for char in value)


def _escape_char(char: str) -> str:
    if char in _BIDI_CONTROLS:
        return f"\\u{ord(char):04x}"
    if unicodedata.category(char) == "Cc":
        return f"\\x{ord(char):02x}"
    return char
