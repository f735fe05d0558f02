"""Encoded values in a source: base64 and URL-encoded runs, decoded into derived sources the detectors read again.

A Kubernetes Secret keeps its values base64-encoded under ``data:``, Helm values carry keys as ``base64 -w0``
output, URLs carry URL-encoded URLs: encoding hides nothing, so each run is decoded and scanned again. Pure:
``derive(source)`` gives the derived sources and where each decoded value's encoded text sits.

What is decoded:

- a base64 run (standard or URL-safe alphabet, not mixed; valid length and padding) that decodes to UTF-8 text
  (at most one control character in 50, tab and line breaks aside), or to a DER private key (PKCS#1, PKCS#8,
  SEC1) or an OpenSSH private key, which is then written as PEM text so the private-key rules see it;
- a run of at least two ``%XX`` escapes, one of them an ASCII character, not the user part of a URL (``p%40ss@``
  is how a URL must carry that password; its rules read it encoded);
- inside what was decoded, the same again: two levels at most (``MAX_DEPTH``).

What is skipped: integrity values and hashes (``sha512-...``, ``h1:...``), data URIs of binary media (images,
audio, video, fonts), base64 inside PEM armour (the detectors read PEM as it is), segments of dotted tokens
(JWTs have their own rules), text holding only public PEM material (certificates, public keys: not secrets),
and whatever decodes to binary noise. Per source at most ``MAX_CANDIDATES`` runs are decoded and
``MAX_DECODED_BYTES`` bytes produced, so a file of encoded blobs costs a bounded time.

The cheap gate: one RE2 search per source (``_GATE``). It finds base64 of ASCII text by its shape (every
4-character group of it starts with one of ``I-Z a-f``, the top six bits of a printable ASCII byte), DER keys
by their first bytes, ``%XX`` pairs, and the ``kind: Secret`` of a Kubernetes manifest, whose ``data:`` values
are decoded from 8 characters (``MIN_MANIFEST_LENGTH``) instead of 24 (``MIN_BASE64_LENGTH``).

A decoded value on one line replaces its encoded text in a copy of the line (``password: <decoded>``: rules
keyed by the name still see the name); a value holding line breaks (a PEM key, a kubeconfig, a .env blob) is a
derived text of its own.
"""

from __future__ import annotations

import base64
import binascii
import enum
import re
import urllib.parse
from dataclasses import dataclass, field

from cavra_safety.regex import compile_own
from cavra_safety.sources import Source
from cavra_safety.sources.keys import private_key_pem

MIN_BASE64_LENGTH = 24
MIN_MANIFEST_LENGTH = 8
MAX_DEPTH = 2
MAX_CANDIDATES = 256
MAX_DECODED_BYTES = 256 * 1024
# At most one control character (tab and line breaks aside) in this many decoded characters.
CONTROL_RATIO = 50

_B64 = r"[A-Za-z0-9+/_-]"
_GATE = compile_own(
    r"(?P<text>(?:[I-Za-f]" + _B64 + r"{3}){6,})"
    # A DER key's SEQUENCE header, then its version INTEGER (02 01 00, or 02 01 01 for SEC1), by the length's
    # form: short (``AQA``/``AQE``), one byte (``AgEA``/``AgEB``), two bytes, where the 4th character carries the
    # low two bits of the length (any of ``AQgw``) and the version's first six bits are zero (``A``).
    r"|(?P<der>M" + _B64 + r"{3}(?:AQ[AE]|AgE[AB]|" + _B64 + r"[AQgw]IBA)" + _B64 + r"{32}|b3BlbnNzaC1rZXktdjE)"
    r"|(?P<url>(?:%[0-9A-Fa-f]{2}[A-Za-z0-9._~!*()+-]*){2,})"
    r"|(?P<kind>kind[\"']?[ \t]*:[ \t]*[\"']?Secret\b)"
)
_URL_GROUP = _GATE.groupindex["url"]
_KIND_GROUP = _GATE.groupindex["kind"]
# A ``key: value`` line of a manifest whose whole value is base64 (YAML, or JSON with quotes and a comma).
_MANIFEST_VALUE = compile_own(
    r"(?m)^[ \t]*[\"']?[\w.-]+[\"']?[ \t]*:[ \t]*[\"']?(?P<value>[A-Za-z0-9+/]{8,}={0,2})[\"']?[ \t]*,?[ \t]*\r?$"
)
_BASE64_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-")
_URL_CHARS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~!*()+-%")
# Integrity values and digests: ``sha512-<base64>`` (npm, yarn, SRI), ``h1:<base64>`` (go.sum), ``sha256:...``.
_HASH_BEFORE = re.compile(rb"(?:sha\d+|md5|h1)[-:]\Z", re.IGNORECASE)
_HASH_RUN = re.compile(rb"(?:sha(?:1|224|256|384|512)|md5)-", re.IGNORECASE)
_DATA_URI = re.compile(rb"data:(?P<media>[\w.+-]+/[\w.+-]+)?(?:;[\w.+-]+=[^;,\s]*)*;base64,\Z", re.IGNORECASE)
_BINARY_MEDIA = re.compile(rb"(?:image|audio|video|font)/|application/(?:octet-stream|pdf|zip|wasm|.*font)")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PEM_LABEL = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----")
_PEM_LINE = re.compile(rb"-----(BEGIN|END) [A-Z0-9 ]+-----")


class Encoding(enum.StrEnum):
    BASE64 = "base64"
    URL = "URL"


@dataclass(frozen=True)
class Place:
    """Where an encoded text sits in the scanned source: 1-based line and column, ``end_column`` exclusive;
    ``encodings`` outermost first (``(base64, base64)``: base64 inside base64)."""

    line: int
    column: int
    end_column: int
    encoded: str
    encodings: tuple[Encoding, ...]


@dataclass(frozen=True)
class Derived:
    """A derived source and the places its findings map to. ``spans`` are (start, end) character offsets of
    decoded values on the derived source's one line, each with its place; a derived text of its own has
    ``whole`` set and one place for everything in it."""

    source: Source
    spans: tuple[tuple[int, int, Place], ...]
    whole: bool = False

    def place_of(self, line: int, column: int, end_column: int) -> Place | None:
        """The place a finding on the derived source (1-based line and columns) maps to, or None when it lies
        outside every decoded value (the raw text's own findings, seen again)."""
        if self.whole:
            return self.spans[0][2]
        if line != 1:
            return None
        for start, end, place in self.spans:
            if column - 1 < end and start < max(end_column - 1, column):
                return place
        return None


@dataclass
class _Budget:
    candidates: int = MAX_CANDIDATES
    decoded_bytes: int = MAX_DECODED_BYTES


@dataclass(frozen=True)
class _Value:
    start: int  # byte offsets of the encoded run
    end: int
    text: str  # decoded, nested runs decoded too
    encodings: tuple[Encoding, ...]


@dataclass
class _Line:
    values: list[_Value] = field(default_factory=list)


def derive(source: Source) -> list[Derived]:
    """The derived sources of ``source``: one per line holding one-line decoded values, one per multi-line
    decoded value. Empty, after one regex search, for the usual file."""
    data = source.data
    # Not a gate of the shared pass (``multipattern.SharedGates``): Hyperscan scans this one at half RE2's speed.
    if _GATE.search(data) is None:
        return []
    values = _decode_runs(data, _Budget(), MAX_DEPTH, manifest=True)
    if not values:
        return []
    return _derived_sources(source, data, values)


def _derived_sources(source: Source, data: bytes, values: list[_Value]) -> list[Derived]:
    derived: list[Derived] = []
    by_line: dict[int, list[tuple[int, int, _Value]]] = {}
    line, counted_to = 0, 0
    for value in values:
        line += data.count(b"\n", counted_to, value.start)
        counted_to = value.start
        line_start = data.rfind(b"\n", 0, value.start) + 1
        column = len(data[line_start : value.start].decode("utf-8", "surrogatepass"))
        width = len(data[value.start : value.end].decode("utf-8", "surrogatepass"))
        place = Place(line + 1, column + 1, column + 1 + width, _text(data, value.start, value.end), value.encodings)
        if "\n" in value.text or "\r" in value.text:
            text_source = Source(source.path, value.text, source.origin, source.commit)
            derived.append(Derived(text_source, ((0, len(value.text), place),), whole=True))
        else:
            by_line.setdefault(line, []).append((column, column + width, value))
    for index, items in sorted(by_line.items()):
        original = source.lines[index]
        pieces: list[str] = []
        spans: list[tuple[int, int, Place]] = []
        position = 0
        for start, end, value in sorted(items, key=lambda item: item[0]):
            pieces.append(original[position:start])
            offset = sum(len(piece) for piece in pieces)
            pieces.append(value.text)
            place = Place(index + 1, start + 1, end + 1, original[start:end], value.encodings)
            spans.append((offset, offset + len(value.text), place))
            position = end
        pieces.append(original[position:])
        line_source = Source(source.path, "".join(pieces), source.origin, source.commit)
        derived.append(Derived(line_source, tuple(spans)))
    return derived


def _text(data: bytes, start: int, end: int) -> str:
    return data[start:end].decode("utf-8", "surrogatepass")


def _decode_runs(data: bytes, budget: _Budget, depth: int, *, manifest: bool) -> list[_Value]:
    """The decodable runs of ``data`` in order, each decoded ``depth`` levels deep."""
    runs: dict[int, tuple[int, Encoding, int]] = {}  # start -> (end, encoding, minimum length)
    secret_manifest = False
    extended_to = 0  # the gate may match several parts of one long run: it is extended once
    for match in _GATE.finditer(data):
        group = match.lastindex
        if match.start() < extended_to:
            continue
        if group == _KIND_GROUP:
            secret_manifest = manifest
        elif group == _URL_GROUP:
            start, end = _extend(data, match.start(), match.end(), _URL_CHARS)
            runs.setdefault(start, (end, Encoding.URL, 0))
            extended_to = end
        else:
            start, end = _extend(data, match.start(), match.end(), _BASE64_CHARS)
            padding = 0
            while end < len(data) and data[end] == 0x3D and padding < 2:
                end, padding = end + 1, padding + 1
            runs.setdefault(start, (end, Encoding.BASE64, MIN_BASE64_LENGTH))
            extended_to = end
    if secret_manifest:
        for match in _MANIFEST_VALUE.finditer(data):
            start, end = match.span(1)
            runs.setdefault(start, (end, Encoding.BASE64, MIN_MANIFEST_LENGTH))
    pem_blocks = _pem_blocks(data) if b"-----BEGIN" in data else []
    values: list[_Value] = []
    last_end = 0
    for start in sorted(runs):
        end, encoding, minimum = runs[start]
        if start < last_end or budget.candidates <= 0 or budget.decoded_bytes <= 0:
            continue
        if any(begin <= start < finish for begin, finish in pem_blocks):
            continue
        if encoding is Encoding.URL:
            value = _url_value(data, start, end, budget, depth)
        else:
            value = _base64_value(data, start, end, minimum, budget, depth)
        if value is not None:
            values.append(value)
            last_end = end
    return values


def _extend(data: bytes, start: int, end: int, chars: frozenset[int]) -> tuple[int, int]:
    """The whole run of ``chars`` around ``data[start:end]`` (the gate finds a part of it)."""
    while start > 0 and data[start - 1] in chars:
        start -= 1
    while end < len(data) and data[end] in chars:
        end += 1
    return start, end


def _pem_blocks(data: bytes) -> list[tuple[int, int]]:
    """(start, end) byte offsets of each PEM armour's body (``BEGIN`` line to ``END`` line)."""
    blocks, opened = [], -1
    for match in _PEM_LINE.finditer(data):
        if match.group(1) == b"BEGIN":
            opened = match.end()
        elif opened >= 0:
            blocks.append((opened, match.start()))
            opened = -1
    if opened >= 0:
        blocks.append((opened, len(data)))
    return blocks


def _base64_value(data: bytes, start: int, end: int, minimum: int, budget: _Budget, depth: int) -> _Value | None:
    run = data[start:end]
    core = run.rstrip(b"=")
    if len(core) < minimum or len(core) % 4 == 1 or (len(run) > len(core) and len(run) % 4):
        return None
    urlsafe = b"-" in core or b"_" in core
    if urlsafe and (b"+" in core or b"/" in core):
        return None  # two alphabets: an identifier or a path, not base64
    before = data[max(0, start - 200) : start]
    if _HASH_BEFORE.search(before[-8:]) or _HASH_RUN.match(run):
        return None
    uri = _DATA_URI.search(before) if before.endswith(b";base64,") else None
    if uri is not None and _BINARY_MEDIA.match(uri.group("media") or b""):
        return None
    if (end < len(data) - 1 and data[end] == 0x2E and data[end + 1] in _BASE64_CHARS) or (
        start > 1 and data[start - 1] == 0x2E and data[start - 2] in _BASE64_CHARS
    ):
        return None  # a segment of a dotted token (a JWT)
    if len(core) * 3 // 4 > budget.decoded_bytes:
        return None
    budget.candidates -= 1
    padded = core + b"=" * (-len(core) % 4)
    try:
        raw = base64.urlsafe_b64decode(padded) if urlsafe else base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None
    budget.decoded_bytes -= len(raw)
    key = private_key_pem(raw)
    text = (key, ()) if key is not None else _readable(raw, depth, budget)
    if text is None:
        return None
    return _Value(start, end, text[0], (Encoding.BASE64, *text[1]))


def _url_value(data: bytes, start: int, end: int, budget: _Budget, depth: int) -> _Value | None:
    run = data[start:end]
    if end < len(data) and data[end] == 0x40:
        return None  # the user part of a URL: its rules read it as URLs carry it
    escapes = re.findall(rb"%([0-9A-Fa-f]{2})", run)
    if not any(int(code, 16) < 0x80 for code in escapes):
        return None  # only letters of other scripts (``%C3%A9``): nothing a rule looks for
    budget.candidates -= 1
    raw = urllib.parse.unquote_to_bytes(run)
    budget.decoded_bytes -= len(raw)
    text = _readable(raw, depth, budget)
    if text is None:
        return None
    return _Value(start, end, text[0], (Encoding.URL, *text[1]))


def _readable(raw: bytes, depth: int, budget: _Budget) -> tuple[str, tuple[Encoding, ...]] | None:
    """The decoded text with its own encoded runs decoded (while ``depth`` allows), and the encodings of the
    deepest; None for binary noise and for public PEM material."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.strip() or len(_CONTROL.findall(text)) * CONTROL_RATIO > len(text):
        return None
    labels = _PEM_LABEL.findall(text)
    if labels and not any("PRIVATE" in label for label in labels):
        return None  # certificates and public keys are not secrets
    inner: tuple[Encoding, ...] = ()
    if depth > 1 and _GATE.search(raw) is not None:
        nested = _decode_runs(raw, budget, depth - 1, manifest=False)
        if nested:
            pieces, position = [], 0
            for value in nested:
                pieces += [_text(raw, position, value.start), value.text]
                position = value.end
                inner = max(inner, value.encodings, key=len)
            pieces.append(_text(raw, position, len(raw)))
            text = "".join(pieces)
    return text, inner
