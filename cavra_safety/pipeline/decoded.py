"""Findings in decoded values, mapped back onto the encoded text (``sources.encoded`` finds and decodes it).

The detectors run on each derived source; what they find inside a decoded value is reported at the encoded
text's place (path, line, columns), under the same rule and category, with a message that says it was found
after decoding. The fingerprint is the decoded value's (the same secret, encoded or not, is the same value);
the evidence shows at most the first characters of the encoded text, never the decoded secret. Where a decoded
finding sits on a raw finding's place (``secret/high-entropy-base64`` on the encoded string), the decoded one
is the finding, unless the raw one is more specific (``precedence``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from cavra_safety.findings import Finding
from cavra_safety.redaction import redact
from cavra_safety.sources import Source
from cavra_safety.sources.encoded import Derived, Encoding, Place, derive

Detect = Callable[[Source], list[Finding]]
Rank = Callable[[Finding], tuple[int, ...]]


def with_decoded(source: Source, raw: list[Finding], detect: Detect, rank: Rank) -> list[Finding]:
    """``raw`` plus the findings in ``source``'s decoded values. A raw finding on a decoded finding's place is
    left out unless it is strictly more specific (``rank``, smaller first): a provider's token that merely
    holds ``%2B`` is the provider's token, while random-looking base64 that decodes to a key is the key.
    ``detect`` runs every detector on a derived source."""
    decoded = decoded_findings(source, detect)
    if not decoded:
        return raw

    def outranks_what_it_overlaps(finding: Finding) -> bool:
        ranks = [
            rank(other)
            for other in decoded
            if other.line == finding.line and other.column < finding.end_column and finding.column < other.end_column
        ]
        return not ranks or rank(finding) < min(ranks)

    return [finding for finding in raw if outranks_what_it_overlaps(finding)] + decoded


def decoded_findings(source: Source, detect: Detect) -> list[Finding]:
    found: list[Finding] = []
    for derived in derive(source):
        for finding in detect(derived.source):
            place = derived.place_of(finding.line, finding.column, finding.end_column)
            if place is not None:
                found.append(_at_place(finding, place, source))
    return found


def describe(encodings: tuple[Encoding, ...]) -> str:
    """``base64-decoding``, ``base64-decoding twice``, ``URL-decoding, then base64-decoding``."""
    if len(encodings) > 1 and len(set(encodings)) == 1:
        return f"{encodings[0]}-decoding twice"
    return ", then ".join(f"{encoding}-decoding" for encoding in encodings)


def _at_place(finding: Finding, place: Place, source: Source) -> Finding:
    return replace(
        finding,
        path=source.path,
        line=place.line,
        end_line=place.line,
        column=place.column,
        end_column=place.end_column,
        commit=source.commit,
        message=f"Found after {describe(place.encodings)} the value here. {finding.message}",
        redacted=redact(place.encoded),
    )


__all__ = ["Derived", "decoded_findings", "describe", "with_decoded"]
