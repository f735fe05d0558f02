"""One finding per value and place: which of the rules that saw a value reports it (DESIGN.md section 2).

Detectors overlap by design: a Stripe key under ``BILLING_KEY`` is seen by the Stripe rule, the billing-name
rule, detect-secrets' keyword plugin and its entropy plugin. A reviewer wants one finding, named by the most
specific evidence: the category first (``CATEGORY_PRECEDENCE``), then the rule's ``Specificity`` (a provider's
format over a form over a name over randomness), then severity, then the detector that knows most about the
context. The winner remembers which rules it outranked, so that an allow naming any of them covers the value;
the engine resolves overlaps before it drops disabled rules, so that disabling the winner silences the value
instead of handing it to the next rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cavra_safety.findings import Category, Finding, RuleInfo, Specificity

# Most specific evidence first. A licence-validation module is Enterprise implementation even with its key
# inside; a row pairing a tenant id with owner fields is a tenant record; a signing secret is a webhook secret
# even from a payment provider; a key under a billing name is a billing secret; a database URL with a password
# is a connector credential even on an internal host; a URL is a provider URL only when nothing says more.
CATEGORY_PRECEDENCE: tuple[Category, ...] = (
    Category.ENTERPRISE_IMPLEMENTATION,
    Category.SAAS_BACKEND_SOURCE,
    Category.PRIVATE_POLICY_PACK,
    Category.TENANT_RECORD,
    Category.LICENSE_KEY,
    Category.WEBHOOK_SECRET,
    Category.BILLING_SECRET,
    Category.TENANT_ID,
    Category.CONNECTOR_CREDENTIAL,
    Category.PROVIDER_URL,
)
_CATEGORY_RANK = {category: rank for rank, category in enumerate(CATEGORY_PRECEDENCE)}

# Between two equal detections, prefer the detector that knows most about the value's context.
_DETECTOR_RANK = {"python": 3, "policy": 2, "secret": 1}

# A finding spanning more lines than this is registered on its first lines only: a value does not run that
# long, and a region-sized finding must not make resolution quadratic.
_MAX_SPAN_LINES = 200


@dataclass(frozen=True)
class Resolved:
    """A finding that reports its value, and the other rules that saw the same value at the same place."""

    finding: Finding
    also_seen_by: frozenset[str] = frozenset()


def precedence_key(finding: Finding, rules: Mapping[str, RuleInfo]) -> tuple[int, int, int, int]:
    """Smaller is more specific: category, then specificity, then severity, then detector."""
    info = rules.get(finding.rule_id)
    specificity = info.specificity if info is not None else Specificity.SHAPE
    return (
        _CATEGORY_RANK[finding.category],
        -specificity,
        -finding.severity,
        -_DETECTOR_RANK.get(finding.rule_id.split("/", 1)[0], 0),
    )


def _start(finding: Finding) -> tuple[int, int]:
    return (finding.line, finding.column)


def _end(finding: Finding) -> tuple[int, int]:
    return (finding.end_line, max(finding.end_column, finding.column + 1 if finding.end_line == finding.line else 0))


def _overlap(a: Finding, b: Finding) -> bool:
    return a.commit == b.commit and _start(a) < _end(b) and _start(b) < _end(a)


def resolve_overlaps(findings: Iterable[Finding], rules: Mapping[str, RuleInfo]) -> list[Resolved]:
    """One finding per value and place, sorted by place: where detections overlap, the most specific one,
    with the rule ids of those it outranked."""
    ordered = sorted(findings, key=lambda f: (precedence_key(f, rules), f.sort_key()))
    winners: list[Finding] = []
    outranked: list[set[str]] = []
    by_line: dict[tuple[str | None, int], list[int]] = {}
    for finding in ordered:
        last = min(finding.end_line, finding.line + _MAX_SPAN_LINES)
        lines = range(finding.line, max(last, finding.line) + 1)
        overlapping = {
            index
            for line in lines
            for index in by_line.get((finding.commit, line), ())
            if _overlap(winners[index], finding)
        }
        if overlapping:
            for index in overlapping:
                if winners[index].rule_id != finding.rule_id:
                    outranked[index].add(finding.rule_id)
            continue
        winners.append(finding)
        outranked.append(set())
        for line in lines:
            by_line.setdefault((finding.commit, line), []).append(len(winners) - 1)
    resolved = [Resolved(winner, frozenset(seen)) for winner, seen in zip(winners, outranked, strict=True)]
    return sorted(resolved, key=lambda item: item.finding.sort_key())
