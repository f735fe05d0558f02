"""Private keys in binary form: DER (PKCS#1, PKCS#8, SEC1) and OpenSSH, recognised by their first bytes and
written as PEM text, so that the private-key rules, which read PEM, see a key that was base64-encoded bare."""

from __future__ import annotations

import base64

_OPENSSH = b"openssh-key-v1\0"
# The first bytes of a DER private key after its outer SEQUENCE header, and the PEM label it is written under.
_DER_KEYS = (
    (b"\x02\x01\x00\x30", "PRIVATE KEY"),  # PKCS#8: version 0, then the algorithm
    (b"\x02\x01\x01\x30", "PRIVATE KEY"),  # PKCS#8 v2 (with the public key)
    (b"\x02\x01\x00\x02", "RSA PRIVATE KEY"),  # PKCS#1: version 0, then the modulus
    (b"\x02\x01\x01\x04", "EC PRIVATE KEY"),  # SEC1: version 1, then the private key octets
)


def private_key_pem(raw: bytes) -> str | None:
    """PEM text for a DER or OpenSSH private key, so the private-key rules read it; None for anything else."""
    label = "OPENSSH PRIVATE KEY" if raw.startswith(_OPENSSH) else _der_key_label(raw)
    if label is None:
        return None
    body = base64.b64encode(raw).decode("ascii")
    lines = "\n".join(body[index : index + 64] for index in range(0, len(body), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n"


def _der_key_label(raw: bytes) -> str | None:
    """The PEM label of a DER private key: a SEQUENCE spanning the whole value whose first element is the
    version INTEGER of PKCS#1, PKCS#8 or SEC1 (certificates and public keys start with a SEQUENCE instead)."""
    if len(raw) < 32 or raw[0] != 0x30:
        return None
    if raw[1] < 0x80:
        header, length = 2, raw[1]
    elif raw[1] in (0x81, 0x82):
        header = 2 + raw[1] - 0x80
        length = int.from_bytes(raw[2:header], "big")
    else:
        return None
    if header + length != len(raw):
        return None
    return next((label for prefix, label in _DER_KEYS if raw.startswith(prefix, header)), None)
