"""The Python detector: syntax-tree checks on ``.py`` files (the checks are in ``checks``).

Per file: one keyword pass and the cheap text gates (``gates``) decide whether the file is parsed
at all; only then is it parsed (once, by CPython's own parser), the checks behind the open gates run in one walk
of the tree, and line and column are computed only for what was found. The checks are imported the first time
a file needs parsing, so that a pre-commit run on files that parse nothing never pays for them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from cavra_safety.config import Config
from cavra_safety.detectors.python.gates import PythonGates
from cavra_safety.detectors.python.rules import python_rules
from cavra_safety.findings import Finding, Note, RuleInfo
from cavra_safety.policy import Policy
from cavra_safety.policy.python_section import PythonSection
from cavra_safety.sources import Source

if TYPE_CHECKING:
    from cavra_safety.detectors.python.base import Check

PYTHON_SUFFIXES = frozenset({"py", "pyi", "pyw"})
# How many characters the fragments of one diff or history source may have parsed, in all: this many times its
# size, plus a little for tiny sources.
FRAGMENT_BUDGET_FACTOR = 4
FRAGMENT_BUDGET_MIN = 64 * 1024


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
            from cavra_safety.detectors.python.checks import CHECKS

            self._checks = CHECKS
        return self._checks

    def detect(self, source: Source) -> Iterator[Finding | Note]:
        if source.suffix not in PYTHON_SUFFIXES:
            return
        file = self._gates.read(source.text, source.data)
        if not file.present:
            return
        open_gates = self._gates.open(file)
        selected = [check for check in self._registered() if check.GATE in open_gates] if open_gates else []
        if not selected:
            return
        from cavra_safety.detectors.python.runner import NotParsed

        try:
            yield from self._findings(source, selected, source.text)
        except NotParsed as problem:
            if source.added_lines is None:
                yield Note(source.path, problem.line, problem.message)
                return
            yield from self._fragment_findings(source, selected)

    def _findings(
        self, source: Source, checks: Sequence[type[Check]], text: str, first_line: int = 1, indent: int = 0
    ) -> Iterator[Finding]:
        """The findings of ``checks`` on ``text``: the source's text, or a fragment of it that starts at
        ``first_line`` and lost ``indent`` characters from each line. ``NotParsed`` when it does not parse."""
        from cavra_safety.detectors.python.base import FileContext
        from cavra_safety.detectors.python.positions import Positions
        from cavra_safety.detectors.python.runner import collect, parse

        positions = Positions(text)
        candidates = collect(parse(positions), checks, FileContext(source.path, self._section, positions))
        for candidate in candidates:
            line, column = positions.point(candidate.start)
            end_line, end_column = positions.point(candidate.end)
            yield Finding.create(
                candidate.rule,
                path=source.path,
                line=line + first_line - 1,
                column=column + indent,
                secret=candidate.value,
                message=candidate.message,
                end_line=end_line + first_line - 1,
                end_column=end_column + indent,
                commit=source.commit,
            )

    def _fragment_findings(self, source: Source, checks: Sequence[type[Check]]) -> Iterator[Finding | Note]:
        from cavra_safety.detectors.python.fragments import fragments, split
        from cavra_safety.detectors.python.runner import NotParsed

        pending = list(fragments(source.text))
        pending.reverse()  # a stack, in file order
        # Splitting re-parses lines: a staircase of nested blocks failing at the bottom would cost a parse per
        # level. A budget of characters parsed keeps the work linear in the size of the change.
        budget = (FRAGMENT_BUDGET_FACTOR - 1) * len(source.text) + FRAGMENT_BUDGET_MIN  # the whole text: once
        whole = source.text.strip("\n")
        while pending:
            fragment = pending.pop()
            fitting = [check for check in checks if check.fits_fragment(fragment.first_line, fragment.indent)]
            if not fitting:
                continue  # nor would any smaller piece of it fit
            if fragment.indent == 0 and fragment.text.strip("\n") == whole:
                pending.extend(reversed(split(fragment)))  # the whole text again: it did not parse
                continue
            budget -= len(fragment.text)
            if budget < 0:
                yield Note(
                    source.path,
                    fragment.first_line,
                    "the Python checks stopped here: too many pieces of "
                    "this change do not parse on their own (the text detectors still ran)",
                )
                return
            try:
                yield from self._findings(source, fitting, fragment.text, fragment.first_line, fragment.indent)
            except NotParsed:
                pending.extend(reversed(split(fragment)))  # smaller pieces; none left: the text detectors cover it


def build_python_detector(config: Config, policy: Policy) -> PythonDetector:
    return PythonDetector(policy.python)
