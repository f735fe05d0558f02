"""``audit verify``: does a JSON audit report still hold what the audit wrote?

The embedded digest is recomputed over the canonical form, and the report is checked for internal
consistency (the verdict against the category rows, the rows against the findings). A digest detects edits;
it is not a signature: whoever can edit the file can recompute it. To bind a report to a review, record its
digest in the review itself and pass it with ``--expect``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cavra_safety.audit.document import DIGEST_PREFIX, Document, compute_digest
from cavra_safety.audit.model import REPORT_KIND, REPORT_VERSION
from cavra_safety.errors import UserError

DIGEST_SHAPE = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Verification:
    embedded: str
    computed: str
    problems: tuple[str, ...]
    verdict: str | None

    @property
    def ok(self) -> bool:
        return not self.problems


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key would let a viewer show one value while the digest covers another.
    counts = Counter(key for key, _ in pairs)
    repeated = sorted(key for key, count in counts.items() if count > 1)
    if repeated:
        raise ValueError(f"repeated key {repeated[0]!r}")
    return dict(pairs)


def load_report(path: Path) -> Document:
    """The parsed report; an unreadable file, invalid JSON or a non-report is the user's error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"report not found: {path}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError(f"cannot read report {path}: {getattr(error, 'strerror', None) or error}") from None
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as error:
        raise UserError(
            f"{path}:{error.lineno}: not a JSON audit report ({error.msg}); `audit verify` reads "
            f"the report written with --format json"
        ) from None
    except ValueError as error:
        raise UserError(f"{path}: not a valid audit report: {error}") from None
    if not isinstance(document, dict) or document.get("report") != REPORT_KIND:
        raise UserError(f'{path}: not a cavra-safety audit report (no "report": "{REPORT_KIND}")')
    if document.get("version") != REPORT_VERSION:
        raise UserError(
            f"{path}: audit report version {document.get('version')!r} is not supported "
            f"(this cavra-safety reads version {REPORT_VERSION})"
        )
    return document


def verify_document(document: Document, expected: str | None = None) -> Verification:
    embedded = document.get("digest")
    computed = compute_digest(document)
    problems: list[str] = []
    if not isinstance(embedded, str) or not DIGEST_SHAPE.match(embedded):
        problems.append(f'no valid "digest" (expected {DIGEST_PREFIX}<64 hex digits>)')
        embedded = str(embedded)
    elif embedded != computed:
        problems.append(
            f"digest mismatch: the report says {embedded}, its content hashes to {computed}: "
            f"it was changed after the audit"
        )
    if expected is not None and expected.strip().lower() != embedded:
        problems.append(f"digest {embedded} is not the expected {expected.strip()}")
    problems.extend(_consistency(document))
    verdict = document.get("verdict")
    return Verification(embedded, computed, tuple(problems), verdict if isinstance(verdict, str) else None)


def _consistency(document: Document) -> list[str]:
    """The verdict follows the rows, and the rows follow the findings (open, accepted and allowed alike)."""
    categories, findings = document.get("categories"), document.get("findings")
    if not isinstance(categories, list) or not isinstance(findings, list):
        return ['"categories" and "findings" must be lists']
    try:
        problems: list[str] = []
        open_counts: Counter[tuple[str, str]] = Counter()
        waved: Counter[tuple[str, str]] = Counter()  # (category, "accepted" | "allowed" | "allowed_without_reason")
        for finding in findings:
            status, category = finding["status"], finding["category"]
            if status == "open":
                open_counts[(category, finding["location"])] += 1
            elif status in ("accepted", "allowed"):
                waved[(category, status)] += 1
                if status == "allowed" and not (finding.get("allow_reason") or "").strip():
                    waved[(category, "allowed_without_reason")] += 1
            else:
                problems.append(f"finding with unknown status {status!r}")
        failing = False
        for row in categories:
            counts, ident = row["counts"], row["id"]
            expected = {
                "tree": open_counts[(ident, "tree")],
                "history_only": open_counts[(ident, "history")],
                "accepted": waved[(ident, "accepted")],
            }
            # Reports written before inline allows were listed have no such counts (and no allowed findings).
            for key in ("allowed", "allowed_without_reason"):
                if key in counts or waved[(ident, key)]:
                    expected[key] = waved[(ident, key)]
            if counts != expected:
                problems.append(f"category {ident}: counts {counts} do not match its findings {expected}")
            row_fails = counts["tree"] + counts["history_only"] > 0
            failing = failing or row_fails
            if row["verdict"] != ("fail" if row_fails else "pass"):
                problems.append(f"category {ident}: verdict {row['verdict']!r} does not follow its counts")
        if document.get("verdict") != ("fail" if failing else "pass"):
            problems.append(f"verdict {document.get('verdict')!r} does not follow the category rows")
        return problems
    except (KeyError, TypeError) as error:
        return [f"malformed report: missing or wrong field {error}"]
