"""Findings in a source's derived views (``policy.views``), mapped back onto the original text.

The detectors run on each view of a source; what they find in a piece the view copied is reported at the place
it was copied from, under the same rule, with the view's note in front of the message. One finding per value
and place still holds:

- a view finding that repeats a plain finding (same rule, same line, overlapping columns) is left out: the
  plain one already says it;
- a view finding that runs over several original lines (a joined SQL statement) stands for the statement:
  plain and view findings of the same rule inside its lines are left out, so that the statement is reported
  once, at its first line;
- where a view finding and a plain finding of different rules meet at one place (``billing_secret_key`` and
  detect-secrets' keyword plugin on the same value), ``precedence`` chooses, as between any two detectors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from cavra_safety.findings import Finding
from cavra_safety.policy.views import NESTING_SUFFIXES, View, derived_views
from cavra_safety.sources import Source
from cavra_safety.sources.generated import is_generated

Detect = Callable[[Source], list[Finding]]


def with_views(source: Source, raw: list[Finding], detect: Detect) -> list[Finding]:
    """``raw`` and the findings in ``source``'s views, one per value and place (see above)."""
    generated = source.suffix in NESTING_SUFFIXES and is_generated(source.path)  # only the nesting view asks
    views = derived_views(source, generated=generated)
    if not views:
        return raw
    found = [finding for view in views for finding in _view_findings(source, view, detect)]
    statements = [finding for finding in found if finding.end_line > finding.line]

    def inside_a_statement(finding: Finding) -> bool:
        return any(
            other is not finding and other.rule_id == finding.rule_id and other.line <= finding.line <= other.end_line
            for other in statements
        )

    def repeats_a_plain_finding(finding: Finding) -> bool:
        return any(
            other.rule_id == finding.rule_id
            and other.line == finding.line
            and other.column < max(finding.end_column, finding.column + 1)
            and finding.column < max(other.end_column, other.column + 1)
            for other in raw
        )

    kept = [finding for finding in raw if not inside_a_statement(finding)]
    kept += [
        finding
        for finding in found
        if finding.end_line > finding.line or (not inside_a_statement(finding) and not repeats_a_plain_finding(finding))
    ]
    return kept


def _view_findings(source: Source, view: View, detect: Detect) -> list[Finding]:
    derived = Source(source.path, view.text, source.origin, source.commit)
    mapped: list[Finding] = []
    for finding in detect(derived):
        place = view.place_of(finding.line, finding.column, finding.end_line, finding.end_column)
        if place is None:
            continue
        note = view.note(finding.line)
        mapped.append(
            replace(
                finding,
                line=place.line,
                column=place.column,
                end_line=place.end_line,
                end_column=place.end_column,
                commit=source.commit,
                message=f"{note} {finding.message}" if note else finding.message,
            )
        )
    # one finding per rule and place within the views too (two views, or two patterns from one start): the
    # widest, which for a joined statement is the one that needed the join
    unique: dict[tuple[str, int, int], Finding] = {}
    for finding in sorted(mapped, key=lambda found: (found.end_line, found.end_column), reverse=True):
        unique.setdefault((finding.rule_id, finding.line, finding.column), finding)
    return list(unique.values())
