"""Static text of string expressions (CPython syntax-tree nodes).

``static_text`` reads what a string expression is known to contain without running it: plain, bytes and raw
literals, implicit concatenation (``"ab" "cd"``), ``+`` between literals, and f-strings, whose expressions become
holes. A secret split across implicitly concatenated literals is judged joined; an f-string on its literal parts.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class StaticText:
    """The literal pieces of a string expression, ``None`` standing for an unknown part (an f-string hole)."""

    pieces: tuple[str | None, ...]

    @property
    def complete(self) -> bool:
        return None not in self.pieces

    @property
    def text(self) -> str:
        """The literal parts joined (the whole value when ``complete``)."""
        return "".join(piece for piece in self.pieces if piece is not None)

    @property
    def prefix(self) -> str:
        """The literal text before the first hole."""
        head: list[str] = []
        for piece in self.pieces:
            if piece is None:
                break
            head.append(piece)
        return "".join(head)

    @property
    def runs(self) -> tuple[str, ...]:
        """The maximal literal runs between holes, empty runs left out."""
        runs: list[str] = []
        current: list[str] = []
        for piece in (*self.pieces, None):
            if piece is None:
                if current and "".join(current):
                    runs.append("".join(current))
                current = []
            else:
                current.append(piece)
        return tuple(runs)


def _constant(value: object) -> str | None:
    if isinstance(value, bytes):
        return value.decode("latin-1")  # lossless: the shape of the bytes is what is judged
    return value if isinstance(value, str) else None


def _pieces(node: ast.expr, partial: bool) -> list[str | None] | None:
    """The tree already joins implicitly concatenated literals (``"ab" "cd"``) into one node."""
    if isinstance(node, ast.Constant):
        value = _constant(node.value)
        return None if value is None else [value]
    if isinstance(node, ast.JoinedStr):
        return [_constant(part.value) if isinstance(part, ast.Constant) else None for part in node.values]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _pieces(node.left, partial), _pieces(node.right, partial)
        if (left is None and right is None) or (not partial and (left is None or right is None)):
            return None
        hole: list[str | None] = [None]
        return (left if left is not None else hole) + (right if right is not None else hole)
    return None


def static_text(node: ast.expr, *, partial: bool = False) -> StaticText | None:
    """The literal pieces of ``node``, or None when it is not a string expression at all. ``+`` joins literals;
    with ``partial`` an operand that is not a literal becomes a hole (``"cavra_saas." + name``), else such a
    sum is not a string expression (a value computed from a name is not a literal)."""
    pieces = _pieces(node, partial)
    if pieces is None or all(piece is None for piece in pieces):
        return None
    return StaticText(tuple(pieces))


def string_value(node: ast.expr) -> str | None:
    """The whole value of a fully literal string expression, else None."""
    text = static_text(node)
    return text.text if text is not None and text.complete else None
