"""The Python detector: syntax-tree checks on ``.py`` files (see ``python_checks``).

Per file: one keyword pass and the cheap text gates (``python_checks.gates``) decide whether the file is parsed
at all; only then is it parsed (once, by CPython's own parser), the checks behind the open gates run in one walk
of the tree, and line and column are computed only for what was found. The checks are imported the first time
a file needs parsing, so that a pre-commit run on files that parse nothing never pays for them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from cavra_safety.config import Config
from cavra_safety.detectors.python_checks.gates import PythonGates
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
        self._gates = PythonGates(section)

    @property
    def rules(self) -> tuple[RuleInfo, ...]:
        return self._rules

    def prepare(self) -> None:
        """Import the checks now, so that forked workers inherit them."""
        self._registered()

    def _registered(self) -> tuple[type[Check], ...]:
        if self._checks is None:
            from cavra_safety.detectors.python_checks.registry import CHECKS

            self._checks = CHECKS
        return self._checks

    def detect(self, source: Source) -> Iterator[Finding | Note]:
        if source.suffix not in PYTHON_SUFFIXES:
            return
        file = self._gates.read(source.text, source.lower)
        if not file.present:
            return
        open_gates = self._gates.open(file)
        selected = [check for check in self._registered() if check.GATE in open_gates] if open_gates else []
        if not selected:
            return
        from cavra_safety.detectors.python_checks.base import FileContext
        from cavra_safety.detectors.python_checks.positions import Positions
        from cavra_safety.detectors.python_checks.runner import NotParsed, collect, parse

        positions = Positions(source.text)
        try:
            candidates = collect(parse(positions), selected, FileContext(source.path, self._section, positions))
        except NotParsed as problem:
            yield Note(source.path, problem.line, problem.message)
            return
        for candidate in candidates:
            line, column = positions.point(candidate.start)
            end_line, end_column = positions.point(candidate.end)
            yield Finding.create(
                candidate.rule, path=source.path, line=line, column=column, secret=candidate.value,
                message=candidate.message, end_line=end_line, end_column=end_column, commit=source.commit,
            )


def build_python_detector(config: Config, policy: Policy) -> PythonDetector:
    return PythonDetector(policy.python)
