"""A private key is its key material, not its header.

detect-secrets' private-key plugin reports the armour header (``BEGIN RSA PRIVATE KEY``), and every key under
the same header would share one identity: a real key met after a documentation stub of the same header was
merged into the stub's finding, and the same key in two files was two values only by chance. ``key_body``
reads the armoured text that follows the header, wherever a repository keeps it:

- a PEM or OpenSSH file, one base64 line after another;
- a string in code or configuration: lines wrapped in quotes and joined by ``+`` or ``,``, escaped line breaks
  (``\\n`` in JSON, a Python literal, a YAML double-quoted scalar), indentation of a YAML block scalar;
- armour headers (RFC 1421's ``Proc-Type`` / ``DEK-Info`` of an encrypted key, OpenPGP's ``Version:``,
  PuTTY's ``Public-Lines:``, SSH2's ``Comment:``) and blank lines, which are skipped.

The base64 characters collected up to the END line are the body: the finding's identity is taken from it, so
two keys under one header are two values and one key moved between files or formats is one. A header followed
by too little key material to be a key (nothing, ``MIIE...``, ``<your key here>``, a run of filler) is a
mention, not a key: the ``pem-without-key`` precision filter removes it.
"""

from __future__ import annotations

import re

# The smallest private key in an armoured form: an Ed25519 key in PKCS#8 is 48 bytes, 64 base64 characters.
MIN_BODY = 60
# A real key's base64 uses most of the alphabet; a filler run ("xxxx...", "AAAA...") does not.
MIN_DISTINCT = 16
# How far past the header the body is looked for: an 8192-bit RSA key in PEM is about 100 lines.
MAX_LINES = 160
MAX_CHARACTERS = 24_000

_ESCAPED_BREAK = re.compile(r"\\r\\n|\\n|\\r")
_END = re.compile(r"-{3,5} ?END ")
_FIELD = re.compile(r"[A-Za-z][A-Za-z0-9-]*: ")  # an armour header: "Proc-Type: 4,ENCRYPTED"
_BASE64_LINE = re.compile(r"[A-Za-z0-9+/=]+")
# Around a body line in code: indentation, comment markers, quotes, concatenation, a line continuation.
_LEAD = " \t#*/\"'`"
_TRAIL = " \t\r\"'`,;+\\)"


def key_body(after: str) -> str | None:
    """The base64 key material in ``after`` (the text that follows the header, the rest of its line first), or
    None when it holds too little to be a key."""
    lines = _ESCAPED_BREAK.sub("\n", after[:MAX_CHARACTERS]).split("\n")[1 : MAX_LINES + 1]
    body: list[str] = []
    for line in lines:
        if _END.search(line):
            break
        stripped = line.lstrip(_LEAD).rstrip(_TRAIL)
        if not stripped or _FIELD.match(stripped):
            continue  # a blank line or an armour header
        if _BASE64_LINE.fullmatch(stripped) is None:
            break  # prose, code or an elision ("MIIE..."): the key material, if any, has ended
        body.append(stripped)
    material = "".join(body)
    if len(material) < MIN_BODY or len(set(material)) < MIN_DISTINCT:
        return None
    return material
