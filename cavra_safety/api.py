"""A small programmatic API: scan a string with every text detector.

Used by the public contract's validation hook, and by anyone embedding the scanner. The engine is built once
per ``TextScanner``; ``scan_text`` builds one per call.
"""

from __future__ import annotations

from pathlib import Path

from cavra_safety.config import Config
from cavra_safety.findings import Finding, Fingerprints
from cavra_safety.pipeline.engine import Engine
from cavra_safety.policy import load_policy
from cavra_safety.sources import Source


class TextScanner:
    def __init__(self, config: Config | None = None) -> None:
        config = config if config is not None else Config(root=Path("."))
        self._engine = Engine(config, load_policy(config))
        self._fingerprints = Fingerprints(config.fingerprint_salt)  # as a scan publishes them

    def scan(self, text: str, *, path: str = "value.txt") -> list[Finding]:
        """Findings in ``text`` as if it were the file ``path`` (the suffix selects file-type rules)."""
        found = self._engine.scan_source(Source(path=path, text=text)).findings
        return sorted((self._fingerprints.publish(finding) for finding in found), key=Finding.sort_key)


def scan_text(text: str, *, path: str = "value.txt") -> list[Finding]:
    return TextScanner().scan(text, path=path)
