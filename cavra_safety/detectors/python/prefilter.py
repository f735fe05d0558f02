"""The second, still text-only, gate of the binding checks: is there a literal bound to a sensitive name whose
value could be reported?

Parsing costs about 3 s per MB, and most files that mention ``password =`` or ``token=`` bind nothing worth
reporting (``password=None``, ``TOKEN_FIELD = "token"``, ``password="password1"``). One RE2 pass finds each
``<name> <binding> <literal>`` spot; the literal is evaluated and judged by the same rules as the syntax-tree
check. Whenever the text alone cannot tell (an f-string, a triple-quoted literal, a literal joined to another by
``+`` or implicit concatenation, tuple unpacking), the spot counts as a candidate and the file is parsed.
"""

from __future__ import annotations

import ast
import re

from cavra_safety.detectors.python.sensitive import binding_category, worth_reporting
from cavra_safety.regex import compile_regex

STEMS = (
    r"tenant|licen[cs]e|product|activation|hook|signing|whsec|billing|payment|stripe|braintree|adyen|paddle"
    r"|chargebee|recurly|paypal|pass|pwd|secret|token|credential"
    r"|(?:api|access|private|auth|client|master|encryption|account|app|consumer|service)[_-]?key"
)
_TRIPLE = ('"""', "'''")
# A sensitive word inside a name, what binds it (`=`, `:=`, an annotation, the `:` of a dict key, the `,` of a
# look-up, a `default=` keyword, a `Field(...)` / `field(default=...)` call) and a literal: its prefix, and the
# literal itself when it closes on the same line (or the opening of a triple-quoted one).
_SPOT = compile_regex(
    rf"(?i)(?P<name>[A-Za-z0-9_-]*(?:{STEMS})[A-Za-z0-9_-]*)(?P<quoted>[\"']?)\s*\]?\s*"
    r"(?P<op>:\s*[\w.\[\], |]*\s*=|:?=|:|,)\s*\(?\s*(?:(?:[\w.]*\.)?field\s*\(\s*(?:[^()\n]*?\bdefault\s*=\s*)?)?"
    r"(?:default\s*=\s*)?"
    r"(?P<prefix>[rRbBuUfF]{0,2})"
    r"(?P<literal>\"\"\"|'''|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*')"
)
# What may follow a literal and make it part of a longer value: another literal, directly (implicit
# concatenation, across lines and comments) or after `+`.
_CONTINUES = re.compile(r"""(?:\s|\\\n|#[^\n]*)*(?:\+\s*)?(?P<prefix>[rRbBuUfF]{0,2})["']""")
# A literal that is an operand of a larger expression ("%s" % x, "a" + name, "x".join(...), "a" if c else "b"):
# the syntax-tree check judges only expressions made of literals, so such a spot is not a candidate.
_OPERAND = re.compile(r"""\s*(?:[-*/%@.\[]|\+\s*[^\s"'rRbBuUfF]|if\b)""")
# After `name = "..."`: another literal in a tuple (`user, password = "admin", "..."`).
_NEXT_ITEM = re.compile(r"""\s*,\s*[rRbBuUfF]{0,2}["']""")
# A sensitive name that is not the last target of a tuple assignment (`password, user = "...", "admin"`).
_UNPACKING = compile_regex(
    rf"(?im)^[ \t]*(?:[\w.]+[ \t]*,[ \t]*)*[\w.]*(?:{STEMS})[\w.]*[ \t]*,[\w., \t]*=[ \t]*[(\[]?[ \t]*"
    r"[rRbBuUfF]{0,2}[\"']"
)


def _value(prefix: str, literal: str) -> str | None:
    try:
        value = ast.literal_eval(prefix + literal)
    except (ValueError, SyntaxError, MemoryError):
        return None
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else None


def may_bind_a_secret(text: str) -> bool:
    """Whether ``text`` has a literal bound to a sensitive name that the syntax-tree check could report."""
    if _UNPACKING.search(text) is not None:
        return True
    for match in _SPOT.finditer(text):
        name = match.group("name")
        category = binding_category(name)
        if category is None:
            continue
        if match.group("op") == "," and not match.group("quoted"):
            continue  # `f(password, "...")`: a positional argument, not a look-up's name and default
        prefix, literal = match.group("prefix"), match.group("literal")
        if "f" in prefix.lower() or literal in _TRIPLE:
            return True  # an f-string, or a literal the text test cannot read whole
        if match.group("op") == "=" and _NEXT_ITEM.match(text, match.end()):
            return True
        value = _value(prefix, literal)
        if value is None:
            return True
        if _OPERAND.match(text, match.end()):
            continue
        joined = _CONTINUES.match(text, match.end())
        if joined is not None:
            # Joined to the next literal: whitespace here is whitespace in the whole value, which is never
            # reported, unless an f-string's holes split the value into runs judged one by one.
            if "f" in joined.group("prefix").lower() or not any(c.isspace() for c in value):
                return True
            continue
        if worth_reporting(category, value, name):
            return True
    return False
