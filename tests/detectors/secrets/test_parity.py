"""Never less than detect-secrets: on the project's detection corpus (benchmarks/detection_corpus.py and
detection_gaps.py), every finding of detect-secrets itself (all offline plugins at their default settings and its
default filters, as ``detect-secrets scan --all-files`` runs them, in-process) is ours too, on the same line under
any rule, or a named precision filter of the secrets detector removed it (``precision.FILTERS``). The failure
message lists every unexplained difference.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cavra_safety.config import Config
from cavra_safety.detectors.secrets.adapter import build_secrets_detector
from cavra_safety.policy import Policy
from cavra_safety.redaction import redact
from cavra_safety.sources import Source

BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from detection_corpus import policy_cases, python_check_cases, secret_cases, write_corpus  # noqa: E402
from detection_gaps import gap_cases  # noqa: E402


@dataclass(frozen=True)
class Theirs:
    """One detect-secrets finding: its file, line, secret type and value."""

    path: str
    line: int
    type: str
    value: str


def corpus_files(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def detect_secrets_findings(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[Theirs]:
    """detect-secrets' own scan of every file, in-process. ``default_settings`` enables every plugin with its
    default limits and every default filter; only online verification (a filter the CLI adds, which never
    removes a finding at its default level) is left out."""
    from detect_secrets.core.scan import scan_file
    from detect_secrets.settings import default_settings

    monkeypatch.chdir(root)  # detect-secrets opens files by their relative path, as the CLI does
    with default_settings():
        return [
            Theirs(path, int(secret.line_number), secret.type, secret.secret_value or "")
            for path in corpus_files(root)
            for secret in scan_file(path)
        ]


def our_lines(root: Path) -> dict[str, set[int]]:
    """The lines of every finding of a default scan (every detector, no baseline)."""
    config = root.parent / "empty-config.toml"
    config.write_text("[tool.cavra-safety]\n", encoding="utf-8")
    command = [sys.executable, "-m", "cavra_safety", "scan", ".", "--format", "json", "-q"]
    command += ["--config", str(config), "--no-baseline"]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    lines: dict[str, set[int]] = defaultdict(set)
    for finding in json.loads(done.stdout)["findings"]:
        lines[finding["path"]].update(range(finding["line"], (finding.get("end_line") or finding["line"]) + 1))
    return lines


def filtered_lines(root: Path) -> dict[tuple[str, int], set[str]]:
    """The named precision filters that removed a value, by file and line."""
    detector: Any = build_secrets_detector(Config(root=root), Policy())
    names: dict[tuple[str, int], set[str]] = defaultdict(set)
    for path in corpus_files(root):
        try:
            text = (root / path).read_text(encoding="utf-8")
        except UnicodeDecodeError:  # detect-secrets skips these files too
            continue
        for filtered in detector.explain(Source(path=path, text=text)):
            names[(filtered.path, filtered.line)].add(filtered.filter)
    return names


_ESCAPES = re.compile(r"(?:\\n|\\|\n)+$")


def candidate_lines(root: Path, finding: Theirs) -> list[int]:
    """The lines that hold the value: detect-secrets' YAML transformer reports a block scalar (``run: |``) at
    its key's line, with the block's lines joined by ``\\n``; the value is then on a later line."""
    lines = (root / finding.path).read_text(encoding="utf-8", errors="replace").splitlines()
    value = _ESCAPES.sub("", finding.value)[:24]
    if not value or finding.line > len(lines) or value in lines[finding.line - 1]:
        return [finding.line]
    later = [number for number in range(finding.line, len(lines) + 1) if value in lines[number - 1]]
    return later or [finding.line]


def only_in_the_rewrite(root: Path, finding: Theirs, lines: list[int]) -> bool:
    """Whether detect-secrets reports the value only in its YAML transformer's rewrite of a block: run on the
    block's own lines, its plugins and filters report nothing of that type (the rewrite escapes quotes with a
    backslash that becomes part of the value, lifting it over an entropy limit or past a filter)."""
    from detect_secrets.core.scan import _process_line_based_plugins
    from detect_secrets.settings import default_settings

    if lines == [finding.line]:
        return False
    text = (root / finding.path).read_text(encoding="utf-8").splitlines()
    with default_settings():
        found = _process_line_based_plugins([(line, text[line - 1]) for line in lines], finding.path)
        return all(secret.type != finding.type for secret in found)


# detect-secrets findings that are no value of the file, with the reason.
REWRITE_ARTEFACT = "detect-secrets-yaml-rewrite"


def unexplained(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], Counter[str], int]:
    theirs = detect_secrets_findings(root, monkeypatch)
    ours = our_lines(root)
    filtered = filtered_lines(root)
    missing, reasons = [], Counter[str]()
    for finding in theirs:
        lines = candidate_lines(root, finding)
        if only_in_the_rewrite(root, finding, lines):
            reasons[REWRITE_ARTEFACT] += 1
            continue
        if any(line in ours.get(finding.path, ()) for line in lines):
            continue
        names = set().union(*(filtered.get((finding.path, line), set()) for line in lines))
        if names:
            reasons.update(names)
            continue
        missing.append(f"{finding.path}:{finding.line} {finding.type} {redact(finding.value)}")
    return missing, reasons, len(theirs)


@pytest.mark.parametrize(
    "corpus",
    ["labelled", "gaps"],
)
def test_every_detect_secrets_finding_is_ours_or_named_by_a_filter(
    corpus: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / corpus
    root.mkdir()
    cases = policy_cases() + secret_cases()[0] + python_check_cases() if corpus == "labelled" else gap_cases()
    write_corpus(cases, root)
    missing, reasons, total = unexplained(root, monkeypatch)
    assert total > 0 and reasons, "detect-secrets found nothing, or no filter explained anything: a broken test"
    assert not missing, f"{len(missing)} of {total} detect-secrets findings unexplained:\n" + "\n".join(missing)


# Handcrafted lines, one or more per plugin and file form: every value detect-secrets reports on them is ours
# (``filters`` empty), or is removed by one of the named filters given (and then not reported).
def _handcrafted() -> list[tuple[str, str, frozenset[str]]]:
    from test_secrets_detector import ALNUM, B64, HEX, POSITIVES, UPPER_ALNUM, token

    none: frozenset[str] = frozenset()
    aws_id, aws_secret = "AKIA" + token(UPPER_ALNUM, 16, 5), token(B64, 40, 5)
    # detect-secrets' own is_not_alphanumeric_string filter drops every IP address (no letter): nothing to match.
    cases = [(case.path, case.build()[0], none) for case in POSITIVES if case.rule_id != "secret/public-ip"]
    cases += [
        (".env", "AWS_SECRET_ACCESS_KEY=" + aws_secret, none),
        (
            "home/.aws/credentials",
            f"[default]\naws_access_key_id = {aws_id}\naws_secret_access_key = {aws_secret}",
            none,
        ),
        ("config/app.ini", "[db]\npassword = " + token(ALNUM, 20, 6), none),
        ("home/.pypirc", "[pypi]\nusername = __token__\npassword = " + token(ALNUM, 24, 7), none),
        ("values.yaml", "auth_token: " + token(B64, 40, 8), none),
        ("docker-compose.yml", "services:\n  api:\n    environment:\n      API_TOKEN: " + token(B64, 40, 9), none),
        (
            ".github/workflows/ci.yml",
            "jobs:\n  x:\n    steps:\n      - run: |\n          export SECRET_TOKEN=" + token(B64, 40, 10),
            none,
        ),
        ("web/src/config.ts", 'export const sessionToken: string = "' + token(HEX, 48, 11) + '";', none),
        ("app.config", '<add key="client_secret" value="' + token(B64, 40, 12) + '" />', none),
        ("main.go", 'password := "' + token(ALNUM, 20, 13) + '"', none),
        ("settings.py", 'password = "testclient"', frozenset({"human-chosen"})),
        ("settings.py", 'password = "token1"', frozenset({"trivial-value"})),
        ("vectors.py", 'DATA = "' + token(B64, 40, 14) + '"', frozenset({"no-credential-name"})),
        ("settings.py", 'aws_access_key_id = "' + "AKIA" + "IOSFODNN7" + 'EXAMPLE"', frozenset({"documented-example"})),
        ("README.md", "http://user:" + "pass@example.com/path", frozenset({"placeholder-url-password"})),
        (
            "index.html",
            '<script integrity="sha384-' + token(B64, 64, 15) + '"></script>',
            frozenset({"integrity-value"}),
        ),
        ("locale/de.json", '{"password": "Passwort"}', frozenset({"locale-label"})),
        ("pom.properties", "license: " + "AP" + "ACHELICENSEVERSION", frozenset({"artifactory-word"})),
    ]
    return cases


HANDCRAFTED = _handcrafted()


@pytest.mark.parametrize(
    ("path", "text", "filters"), HANDCRAFTED, ids=[f"{i}-{c[0]}" for i, c in enumerate(HANDCRAFTED)]
)
def test_handcrafted_lines_match_detect_secrets(
    path: str, text: str, filters: frozenset[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / path).write_text(text + "\n", encoding="utf-8")
    theirs = detect_secrets_findings(tmp_path, monkeypatch)
    assert theirs, "detect-secrets reports nothing here: the case tests nothing"
    detector: Any = build_secrets_detector(Config(root=tmp_path), Policy())
    source = Source(path=path, text=text + "\n")
    reported = {finding.line for finding in detector.detect(source)}
    named: dict[int, set[str]] = defaultdict(set)
    for filtered in detector.explain(source):
        named[filtered.line].add(filtered.filter)
    for finding in theirs:
        lines = candidate_lines(tmp_path, finding)
        if filters:
            assert not reported.intersection(lines), f"{finding.type} reported despite {sorted(filters)}"
            assert filters & set().union(*(named[line] for line in lines)), f"{finding.type}: {dict(named)}"
        else:
            assert reported.intersection(lines), f"{finding.type} at line {finding.line} not reported"
