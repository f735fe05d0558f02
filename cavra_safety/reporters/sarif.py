"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers: one run, every rule that ran, no timestamps.

What GitHub needs (its "SARIF support for code scanning" page): ``ruleId`` stable across runs, a relative
``artifactLocation.uri`` with ``region.startLine``, ``partialFingerprints`` to match alerts between runs,
``properties.security-severity`` (a string score) and the ``security`` tag on rules, and at most 25,000
results per run (a larger run is rejected, so we cut it and say so in a tool notification).

What an inline allow or the baseline waved through is a result too, after the open ones, with a ``suppressions``
entry: ``inSource`` (the allow comment, located on its line) or ``external`` (the baseline file), status
``accepted`` and the allow's or the entry's reason as ``justification``. Viewers that honour suppressions,
GitHub code scanning among them, show such a result as suppressed rather than as an open alert, and a reviewer
still sees what was waved through and why.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote

from cavra_safety import TOOL_NAME
from cavra_safety.display import printable
from cavra_safety.findings import Finding, RuleInfo, ScanResult, Severity, Suppressed, SuppressionKind
from cavra_safety.reporters.base import RenderOptions, evidence, sentence, sorted_findings, sorted_suppressed

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/cavra-safety/"
FINGERPRINT_KEY = "cavraFingerprint/v1"
SRCROOT = "%SRCROOT%"
MAX_RESULTS_PER_RUN = 25_000  # GitHub's hard limit per run

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}
# GitHub maps these to its own labels: > 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}
_ADVICE = (
    "If the value is harmless (a test value, a documented example), add the comment {allow} on its line, "
    "or accept it in the baseline."
)
_SEMVER = re.compile(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?")

Json = str | int | bool | None | dict[str, "Json"] | list["Json"]


def render_sarif(result: ScanResult, options: RenderOptions) -> str:
    # Open results first, so that GitHub's limit never cuts one in favour of a suppressed one.
    everything: list[tuple[Finding, Suppressed | None]] = [(finding, None) for finding in sorted_findings(result)]
    everything += [(item.finding, item) for item in sorted_suppressed(result)]
    findings = [finding for finding, _ in everything]
    rules = _rules_for(result, findings)
    index = {rule.rule_id: position for position, rule in enumerate(rules)}
    reported = everything[:MAX_RESULTS_PER_RUN]
    run: dict[str, Json] = {
        "tool": {"driver": _driver(rules, options)},
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": _notifications(result, omitted=len(findings) - len(reported)),
            }
        ],
        # Our columns count characters of the decoded text, not UTF-16 code units: say so explicitly.
        "columnKind": "unicodeCodePoints",
        "results": [_result(finding, index[finding.rule_id], item) for finding, item in reported],
    }
    document: dict[str, Json] = {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def artifact_uri(path: str) -> str:
    """A relative URI reference for a POSIX path: spaces, ``%``, ``#``, ``?``, ``:`` and non-ASCII
    characters percent-encoded (UTF-8), ``/`` kept."""
    return quote(printable(path), safe="/")


def _rules_for(result: ScanResult, findings: list[Finding]) -> list[RuleInfo]:
    """Every rule that ran, sorted by id; a finding whose rule was not listed still gets a descriptor,
    because a ``ruleIndex`` must point somewhere."""
    rules: dict[str, RuleInfo] = {}
    for rule in result.rules:
        rules.setdefault(rule.rule_id, rule)
    for finding in findings:
        if finding.rule_id not in rules:
            rule_id = finding.rule_id
            rules[rule_id] = RuleInfo(rule_id, finding.category, finding.severity, title=rule_id)
    return [rules[rule_id] for rule_id in sorted(rules)]


def _driver(rules: list[RuleInfo], options: RenderOptions) -> dict[str, Json]:
    driver: dict[str, Json] = {"name": TOOL_NAME, "version": options.tool_version}
    # semanticVersion must be SemVer 2.0; a PEP 440 dev/local version is not, so it is left out then.
    if _SEMVER.fullmatch(options.tool_version):
        driver["semanticVersion"] = options.tool_version
    driver["informationUri"] = INFORMATION_URI
    driver["rules"] = [_rule_descriptor(rule) for rule in rules]
    return driver


def _rule_descriptor(rule: RuleInfo) -> dict[str, Json]:
    title = printable(rule.title) or rule.rule_id
    description = printable(rule.description) or title
    allow = f"cavra: allow {rule.rule_id} -- <reason>"
    help_text = f"{description}\n\nCategory: {rule.category.value}. " + _ADVICE.format(allow=f'"{allow}"')
    help_markdown = f"{_markdown(description)}\n\nCategory: `{rule.category.value}`. " + _ADVICE.format(
        allow=f"`{allow}`"
    )
    return {
        "id": rule.rule_id,
        "name": _pascal_case(rule.rule_id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": description},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "category": rule.category.value,
            "tags": [rule.category.value, "security"],
            "security-severity": SECURITY_SEVERITY[rule.severity],
        },
    }


def _markdown(text: str) -> str:
    """Plain text as Markdown: a placeholder like ``<tenant-id>`` must not vanish as an HTML tag."""
    return re.sub(r"([\\`*_{}\[\]<>#|!~])", r"\\\1", text)


def _pascal_case(rule_id: str) -> str:
    """SARIF wants ``name`` to read as an identifier: ``secret/aws-access-key`` -> ``SecretAwsAccessKey``."""
    words = re.split(r"[^0-9A-Za-z]+", rule_id)
    return "".join(word[:1].upper() + word[1:] for word in words) or "Rule"


def _result(finding: Finding, rule_index: int, suppressed: Suppressed | None = None) -> dict[str, Json]:
    region: dict[str, Json] = {"startLine": finding.line, "endLine": max(finding.end_line, finding.line)}
    if finding.column >= 1:
        region["startColumn"] = finding.column
        # An inverted region on one line would be rejected; an empty one is valid.
        if finding.end_line > finding.line or finding.end_column >= finding.column:
            region["endColumn"] = finding.end_column
    properties: dict[str, Json] = {"category": finding.category.value, "severity": finding.severity.label}
    if finding.commit:
        properties["commit"] = finding.commit
    if finding.author_date:
        properties["authorDate"] = finding.author_date
    if finding.author:
        properties["author"] = printable(finding.author)
    if finding.in_head is not None:
        properties["inHead"] = finding.in_head
    if finding.occurrences > 1:
        properties["occurrences"] = finding.occurrences
    document: dict[str, Json] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": f"{sentence(printable(finding.message))} Evidence: {evidence(finding)}."},
        "locations": [_location(finding.path, region)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    }
    if suppressed is not None:
        document["suppressions"] = [_suppression(suppressed)]
    document["properties"] = properties
    return document


def _suppression(item: Suppressed) -> dict[str, Json]:
    """An inline allow is ``inSource`` (located at its comment); a baseline entry is ``external``."""
    inline = item.kind is SuppressionKind.INLINE
    suppression: dict[str, Json] = {"kind": "inSource" if inline else "external", "status": "accepted"}
    if item.justification.strip():
        suppression["justification"] = printable(item.justification)
    if inline and item.comment_line is not None and item.comment_line >= 1:
        suppression["location"] = _location(item.finding.path, {"startLine": item.comment_line})
    return suppression


def _location(path: str, region: dict[str, Json] | None) -> dict[str, Json]:
    physical: dict[str, Json] = {"artifactLocation": {"uri": artifact_uri(path), "uriBaseId": SRCROOT}}
    if region is not None:
        physical["region"] = region
    return {"physicalLocation": physical}


def _notifications(result: ScanResult, omitted: int) -> list[Json]:
    notifications: list[Json] = []
    if omitted:
        noun = "result" if omitted == 1 else "results"
        message = f"{omitted} more {noun} left out: GitHub accepts at most {MAX_RESULTS_PER_RUN} per run."
        notifications.append({"level": "error", "message": {"text": message}})
    for note in sorted(result.notes):
        region: dict[str, Json] | None = {"startLine": note.line} if note.line >= 1 else None
        notifications.append(
            {
                "level": "warning",
                "message": {"text": printable(note.message)},
                "locations": [_location(note.path, region)],
            }
        )
    for skipped in sorted(result.skipped):
        notifications.append(
            {
                "level": "note",
                "message": {"text": f"Not scanned: {printable(skipped.reason)}."},
                "locations": [_location(skipped.path, None)],
            }
        )
    return notifications
