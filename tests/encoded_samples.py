"""Secret-shaped samples for the decoding tests, built at run time: DER keys and certificates from random
integers (shaped like the real thing, valid for no one), tokens with their checksums, their base64 forms."""

from __future__ import annotations

import base64
import secrets
import string
import zlib

ALNUM = string.ascii_letters + string.digits


def token(length: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def b64(text: str | bytes, urlsafe: bool = False) -> str:
    data = text.encode() if isinstance(text, str) else text
    return (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()


def github_token() -> str:
    """A classic personal access token: 30 random characters and their CRC32 in base62 (6 characters)."""
    body = token(30)
    crc, digits = zlib.crc32(body.encode()), ""
    while len(digits) < 6:
        crc, digit = divmod(crc, 62)
        digits = ALNUM[digit] + digits
    return "ghp_" + body + digits


def password() -> str:
    return "Qz7" + token(17)


def _length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _length(len(body)) + body


def _integer(size: int) -> bytes:
    return _tlv(0x02, b"\x00" + secrets.token_bytes(size))


def rsa_der() -> bytes:
    """PKCS#1 RSAPrivateKey: version 0, modulus, public exponent, private exponent, primes and CRT values."""
    fields = _tlv(0x02, b"\x00") + _integer(256) + _tlv(0x02, b"\x01\x00\x01") + _integer(256)
    return _tlv(0x30, fields + b"".join(_integer(128) for _ in range(5)))


def pkcs8_der() -> bytes:
    """PKCS#8 PrivateKeyInfo wrapping the PKCS#1 key (rsaEncryption, NULL parameters)."""
    algorithm = _tlv(0x30, _tlv(0x06, bytes.fromhex("2a864886f70d010101")) + b"\x05\x00")
    return _tlv(0x30, _tlv(0x02, b"\x00") + algorithm + _tlv(0x04, rsa_der()))


def certificate_der() -> bytes:
    """Shaped like an X.509 certificate: a SEQUENCE of the to-be-signed SEQUENCE, algorithm and signature."""
    return _tlv(0x30, _tlv(0x30, secrets.token_bytes(600)) + _tlv(0x03, secrets.token_bytes(257)))


def pem(label: str, der: bytes) -> str:
    body = base64.b64encode(der).decode()
    lines = "\n".join(body[index : index + 64] for index in range(0, len(body), 64))
    return "-----BEGIN " + label + "-----\n" + lines + "\n-----END " + label + "-----\n"


def rsa_pem() -> str:
    return pem("RSA " + "PRIVATE KEY", rsa_der())


def certificate_pem() -> str:
    return pem("CERTIFICATE", certificate_der())
