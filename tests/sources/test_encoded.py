"""sources.encoded: which runs of a text are decoded, what they decode to, where their encoded text sits."""

from __future__ import annotations

import base64
import secrets
import urllib.parse

import pytest
from encoded_samples import b64, certificate_der, certificate_pem, github_token, password, pkcs8_der, rsa_der, rsa_pem

from cavra_safety.sources import Source
from cavra_safety.sources.encoded import (
    MAX_CANDIDATES,
    MAX_DECODED_BYTES,
    Derived,
    Encoding,
    derive,
)


def one(text: str, path: str = "values.yaml") -> Derived:
    (derived,) = derive(Source(path, text))
    return derived


@pytest.mark.parametrize(
    ("prefix", "value", "encode"),
    [
        ("  password: ", lambda: password() + "!", b64),
        ('  "token": "', github_token, b64),
        ("TOKEN=", lambda: "user:" + password() + "?>~", lambda text: b64(text, urlsafe=True)),
        ("auth = ", lambda: "machine api.acme-corp.io login ci password " + password(), b64),
    ],
)
def test_a_one_line_value_replaces_its_encoded_text_in_the_line(prefix, value, encode) -> None:
    secret = value()
    encoded = encode(secret)
    derived = one("kind: Config\n" + prefix + encoded + '"\n')
    assert derived.source.text == prefix + secret + '"'
    ((start, end, place),) = derived.spans
    assert derived.source.text[start:end] == secret
    assert (place.line, place.column, place.end_column) == (2, len(prefix) + 1, len(prefix) + 1 + len(encoded))
    assert place.encoded == encoded and place.encodings == (Encoding.BASE64,)


def test_a_multi_line_value_is_a_text_of_its_own_placed_at_the_encoded_text() -> None:
    key = rsa_pem()
    encoded = b64(key)
    derived = one("tls:\n  crt: x\n  key: " + encoded + "\n")
    assert derived.whole and derived.source.text == key
    place = derived.place_of(5, 1, 9)
    assert place is not None and (place.line, place.column, place.end_column) == (3, 8, 8 + len(encoded))


@pytest.mark.parametrize(("der", "label"), [(rsa_der, "RSA PRIVATE KEY"), (pkcs8_der, "PRIVATE KEY")])
def test_a_base64_der_private_key_becomes_pem_text(der, label) -> None:
    raw = der()
    derived = one('{"signingKey": "' + base64.b64encode(raw).decode() + '"}', "app.json")
    assert derived.source.text.startswith("-----BEGIN " + label + "-----\n")
    body = "".join(derived.source.text.splitlines()[1:-1])
    assert base64.b64decode(body) == raw


def _zero_key(version: int, filler: int) -> bytes:
    """A DER key SEQUENCE: its version INTEGER, then zeros as PKCS#1's modulus (version 0) or SEC1's key octets
    (version 1). Zeros are base64 ``A``: the encoded run has no text-shaped part, only the DER gate finds it."""
    tag = 0x02 if version == 0 else 0x04
    body = bytes([0x02, 0x01, version, tag]) + _der_length(filler) + bytes(filler)
    return bytes([0x30]) + _der_length(len(body)) + body


def _der_length(size: int) -> bytes:
    if size < 0x80:
        return bytes([size])
    raw = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


@pytest.mark.parametrize("version", [0, 1])
@pytest.mark.parametrize("filler", [40, 41, 42, 43, 160, 161, 162, 163, 1190, 1191, 1192, 1193])
def test_every_der_key_length_passes_the_gate(version, filler) -> None:
    """Short, one-byte and two-byte DER lengths, each at all four values of its low two bits (the two-byte
    form's low bits change the 6th base64 character)."""
    raw = _zero_key(version, filler)
    derived = one("key: " + base64.b64encode(raw).decode() + "\n")
    assert derived.whole and "PRIVATE KEY-----" in derived.source.text


def test_base64_in_base64_is_decoded_two_levels_and_no_more() -> None:
    secret = github_token()
    twice = b64(b64(secret))
    derived = one("value: " + twice + "\n")
    assert derived.source.text == "value: " + secret
    assert derived.spans[0][2].encodings == (Encoding.BASE64, Encoding.BASE64)
    thrice = b64(twice)
    assert one("value: " + thrice + "\n").source.text == "value: " + b64(secret)


def test_a_url_encoded_run_is_decoded_but_not_a_url_user_part() -> None:
    inner = "https://deploy:" + password() + "@registry.acme-corp.io/v2/"
    encoded = urllib.parse.quote(inner, safe="")
    line = "https://login.acme-corp.io/callback?next=" + encoded + "&x=1"
    derived = one(line + "\n", "docs/login.md")
    assert derived.source.text == line.replace(encoded, inner)
    assert derived.spans[0][2].encodings == (Encoding.URL,)
    user_part = "postgres://app:" + urllib.parse.quote(password() + "@!#", safe="") + "@db.acme-corp.io/app\n"
    assert derive(Source("a.md", user_part)) == []


def test_short_values_are_decoded_in_a_kubernetes_secret_only() -> None:
    short = b64("Pw7!" + secrets.token_hex(3))  # 16 characters: under the general minimum
    manifest = "apiVersion: v1\nkind: Secret\ndata:\n  password: " + short + "\n"
    assert one(manifest).spans[0][2].line == 4
    assert derive(Source("values.yaml", manifest.replace("kind: Secret", "kind: ConfigMap"))) == []


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(lambda: '"integrity": "sha512-' + b64("integrity " * 8) + '",', id="lockfile-integrity"),
        pytest.param(lambda: "mod v1.0.0 h1:" + b64("hash of the module tree!") + "\n", id="go-sum"),
        pytest.param(lambda: '<img src="data:image/svg+xml;base64,' + b64("<svg></svg>" * 3) + '">', id="svg"),
        pytest.param(lambda: "logo: data:image/png;base64," + b64(b"\x89PNG\r\n\x1a\n" + bytes(40)), id="png"),
        pytest.param(lambda: "  ca.crt: " + b64(certificate_pem()), id="public-certificate"),
        pytest.param(lambda: "  caBundle: " + base64.b64encode(certificate_der()).decode(), id="der-certificate"),
        pytest.param(lambda: "blob: " + base64.b64encode(secrets.token_bytes(48)).decode(), id="random-binary"),
        pytest.param(lambda: "jwt: " + b64('{"alg":"HS256","typ":"JWT"}', True) + "." + b64("{}x" * 9), id="jwt"),
        pytest.param(lambda: rsa_pem(), id="pem-body"),
        pytest.param(lambda: "name = test_the_decoder_skips_long_identifiers_and/paths/like/this", id="identifier"),
        pytest.param(lambda: "see https://fr.wikipedia.org/wiki/%C3%89t%C3%A9_indien", id="url-letters"),
    ],
)
def test_what_is_not_decoded(text) -> None:
    assert derive(Source("file.yaml", text())) == []


def test_plain_words_are_decoded_for_the_detectors_to_judge() -> None:
    words = "the quick brown fox jumps over the lazy dog"
    assert one("description: " + b64(words)).source.text == "description: " + words


def test_the_candidate_bound() -> None:
    values = [b64(f"value number {index:04d} of many") for index in range(MAX_CANDIDATES + 10)]
    derived = derive(Source("many.txt", "\n".join(values)))
    assert len(derived) == MAX_CANDIDATES


def test_the_decoded_size_bound() -> None:
    chunk = b64(("line of text " * 9 + "\n") * 200)  # about 24 KiB decoded each
    count = MAX_DECODED_BYTES // (len(chunk) * 3 // 4) + 3
    derived = derive(Source("big.txt", "\n".join([chunk] * count)))
    assert 0 < len(derived) < count
    assert sum(len(item.source.text) for item in derived) <= MAX_DECODED_BYTES


def test_columns_count_characters_not_bytes() -> None:
    secret = github_token()
    derived = one("clé_ünïcode: " + b64(secret) + "\n")
    assert derived.spans[0][2].column == len("clé_ünïcode: ") + 1
