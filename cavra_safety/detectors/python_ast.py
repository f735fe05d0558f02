"""The Python detector: libcst checks on ``.py`` files (see ``python_checks``).

Per file: the cheap text gates (``python_checks.gates``) run on the text; only when one says yes is the file
parsed (once), the checks behind the open gates run in one traversal, and positions are resolved only for what
was found. libcst is imported the first time a file needs parsing (or by ``prepare``, before a process pool
forks), never when the detector registry is imported: a pre-commit run on files that parse nothing never pays
for it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from cavra_safety.config import Config
from cavra_safety.detectors.python_checks.gates import GATES, Gate
from cavra_safety.detectors.python_checks.rules import python_rules
from cavra_safety.findings import Finding, Note, RuleInfo
from cavra_safety.policy import Policy
from cavra_safety.policy.python_section import PythonSection
from cavra_safety.sources import Source

if TYPE_CHECKING:
    from cavra_safety.detectors.python_checks.base import Check

PYTHON_SUFFIXES = frozenset({"py", "pyi", "pyw"})


class PythonDetector:
    def __init__(self, section: PythonSection, checks: Sequence[type[Check]] | None = None) -> None:
        """``checks``: the checks to run (default: every registered check, imported when first needed)."""
        self._section = section
        self._checks: tuple[type[Check], ...] | None = tuple(checks) if checks is not None else None
        self._rules = python_rules(section)

    @property
    def rules(self) -> tuple[RuleInfo, ...]:
        return self._rules

    def prepare(self) -> None:
        """Import the checks (and libcst) now, so that forked workers inherit them."""
        self._registered()

    def _registered(self) -> tuple[type[Check], ...]:
        if self._checks is None:
            from cavra_safety.detectors.python_checks.registry import CHECKS

            self._checks = CHECKS
        return self._checks

    def detect(self, source: Source) -> Iterator[Finding | Note]:
        if source.suffix not in PYTHON_SUFFIXES:
            return
        text, lower = source.text, source.lower
        open_gates: set[Gate] = {gate for gate in GATES if gate(self._section, text, lower)}
        if not open_gates:
            return
        selected = [check for check in self._registered() if check.GATE in open_gates]
        if not selected:
            return
        from cavra_safety.detectors.python_checks.base import FileContext
        from cavra_safety.detectors.python_checks.runner import NotParsed, collect, locate, parse

        try:
            module = parse(text)
            placed = locate(module, text, collect(module, selected, FileContext(source.path, self._section)))
        except NotParsed as problem:
            yield Note(source.path, problem.line, problem.message)
            return
        for item in placed:
            candidate = item.candidate
            yield Finding.create(
                candidate.rule, path=source.path, line=item.line, column=item.column, secret=candidate.value,
                message=candidate.message, end_line=item.end_line, end_column=item.end_column, commit=source.commit,
            )


def build_python_detector(config: Config, policy: Policy) -> PythonDetector:
    return PythonDetector(policy.python)
