"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request's diff.

``::error file=<path>,line=<n>,endLine=<n>,col=<n>,title=<rule id>::<message>``; ``warning`` for medium and
``notice`` for low. Notes (an allow comment without a rule id, a file that does not parse) become notices
too. GitHub percent-decodes ``%25``, ``%0D`` and ``%0A`` in the message, and also ``%3A`` and ``%2C`` in
property values, where a raw ``:`` or ``,`` would end the value. Escaping ``%`` first keeps the escapes
themselves intact, and escaped line breaks mean a message can never start a workflow command of its own.

Suppressed findings (an inline allow, the baseline) get no annotation: they were waved through on purpose,
an annotation on every allowed line would drown the ones to act on, and the SARIF report (as suppressed
results) and the audit list them for review.
"""

from __future__ import annotations

from cavra_safety.display import printable
from cavra_safety.findings import Finding, ScanResult, Severity
from cavra_safety.reporters.base import RenderOptions, evidence, sentence, sorted_findings

COMMANDS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
}
NOTE_TITLE = "cavra-safety note"


def render_github(result: ScanResult, options: RenderOptions) -> str:
    lines = [_finding_command(finding) for finding in sorted_findings(result)]
    for note in sorted(result.notes):
        properties = {"file": note.path, "line": str(note.line)} if note.line >= 1 else {"file": note.path}
        lines.append(_command("notice", {**properties, "title": NOTE_TITLE}, note.message))
    return "".join(f"{line}\n" for line in lines)


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _finding_command(finding: Finding) -> str:
    properties = {
        "file": finding.path,
        "line": str(finding.line),
        "endLine": str(max(finding.end_line, finding.line)),
        "col": str(finding.column),
        "title": finding.rule_id,
    }
    message = f"[{finding.category.value}] {sentence(finding.message)} Evidence: {evidence(finding)}."
    return _command(COMMANDS[finding.severity], properties, message)


def _command(name: str, properties: dict[str, str], message: str) -> str:
    # Line breaks are escaped the GitHub way first (the annotation shows them as line breaks); printable()
    # then makes any other control character, which GitHub would pass to the log raw, a visible escape.
    rendered = ",".join(f"{key}={printable(escape_property(value))}" for key, value in properties.items())
    return f"::{name} {rendered}::{printable(escape_data(message))}"
