"""Which changed files a history scan reads whole, and what a whole file's scan reports (``sources.whole``).

A file is read whole when some rule that runs could need more of it than the hunks show, as cheap tests on
the file's name and on its hunks tell (``ContextNeed``):

- tables and data whose rows are read under a header or inside a statement: CSV / TSV, SQL, notebooks;
- hunks holding a keyword of a record rule (a tenant record: a key with its companions over several lines);
- Python whose hunks hold a word of the syntax-tree checks' gates other than the binding words (a dynamic
  import built from names bound far above, an import continued over lines, a marker in the module's head);
- hunks holding a PEM armour line (the key is the whole block);
- a rename or copy that a rule could judge differently at its new path (``ContextNeed._moved_matters``).

Everything else is line-local and keeps reading hunks, which is cheaper. What a whole file reports
(``scan_whole``): its findings on the commit's added lines, and those elsewhere that no earlier version of the
file holds (the same rule and value): what this commit made true.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from cavra_safety.detectors.python.detector import PYTHON_SUFFIXES
from cavra_safety.detectors.python.gates import BINDING_WORDS, gate_keywords
from cavra_safety.findings import Finding
from cavra_safety.pipeline.engine import BatchOutcome, Engine
from cavra_safety.policy import Policy, RecordRule
from cavra_safety.sources import Source
from cavra_safety.sources.patch import FilePatch
from cavra_safety.sources.text import suffix_of
from cavra_safety.sources.whole import WholeFile, moved

# Rows read under a header line or inside a multi-line statement, whatever the hunk shows.
ALWAYS_WHOLE_SUFFIXES = frozenset({"csv", "tsv", "sql", "ipynb"})
# A PEM block spans lines; the value is the whole block.
PEM_ARMOUR = ("-----begin", "-----end")

Key = tuple[str, str]


def _any_of(words: Sequence[str]) -> re.Pattern[bytes] | None:
    literal = sorted({word.lower().encode("utf-8") for word in words if word})
    return re.compile(b"|".join(re.escape(word) for word in literal)) if literal else None


class ContextNeed:
    """``need(patch, hunks)``: whether the file of ``patch`` is to be read whole (``sources.whole.WholeFileTest``),
    from its name and the new side of its hunks (lower-cased bytes, searched for literals only)."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        record_words = [word for rule in policy.rules if isinstance(rule, RecordRule) for word in rule.keywords]
        self._content = _any_of([*PEM_ARMOUR, *record_words])
        # A binding is one statement, which its hunk shows (its fragment parses alone): binding words alone,
        # common in code ("key", "token"), do not make a module worth reading whole.
        python_words = [word for word in gate_keywords(policy.python) if word not in BINDING_WORDS]
        self._python = _any_of(python_words)
        self._module_words = _any_of([pattern.keyword for pattern in policy.python.modules])

    def __call__(self, patch: FilePatch, hunks: bytes) -> bool:
        suffix = suffix_of(patch.path)
        if moved(patch) and self._moved_matters(patch.old_path or "", patch.path):
            return True
        if not patch.added:
            return False
        if suffix in ALWAYS_WHOLE_SUFFIXES:
            return True
        lower = hunks.lower()
        if self._content is not None and self._content.search(lower) is not None:
            return True
        return suffix in PYTHON_SUFFIXES and self._python is not None and self._python.search(lower) is not None

    def _moved_matters(self, old: str, new: str) -> bool:
        """Whether a rule could judge the file differently at its new path: another kind of file, a rule scoped by
        path that takes one path and not the other, or Python moved where its relative imports name a private
        package."""
        if suffix_of(old) != suffix_of(new):
            return True
        if any(rule.paths is not None and rule.applies_to(old) != rule.applies_to(new) for rule in self._policy.rules):
            return True
        words = self._module_words
        return (
            suffix_of(new) in PYTHON_SUFFIXES and words is not None and words.search(new.lower().encode()) is not None
        )


def scan_whole(engine: Engine, item: WholeFile, read_before: Callable[[WholeFile], Sequence[Source]]) -> BatchOutcome:
    """The findings of a whole file on the commit's added lines, and those elsewhere that none of the versions
    before (``read_before``, asked only when there are such findings) holds: reported and allowed alike, each
    against its own kind (a value an allow covered before and no longer covers is reported now)."""
    outcome = engine.scan_source(item.source, every_line=True)
    added = item.source.added_lines or frozenset()
    if all(finding.line in added for finding in _every_finding(outcome)):
        return outcome
    reported: set[Key] = set()
    allowed: set[Key] = set()
    for before in read_before(item):
        # Scanned as a diff source with no line added: unparsable Python reads in pieces on both sides alike.
        earlier = engine.scan_source(before, every_line=True)
        reported.update(finding.value_key for finding in earlier.findings)
        allowed.update(entry.finding.value_key for entry in earlier.suppressed)
    outcome.findings = [item for item in outcome.findings if _new(item, added, reported)]
    outcome.suppressed = [item for item in outcome.suppressed if _new(item.finding, added, allowed)]
    return outcome


def _every_finding(outcome: BatchOutcome) -> list[Finding]:
    return [*outcome.findings, *(entry.finding for entry in outcome.suppressed)]


def _new(finding: Finding, added: frozenset[int], before: set[Key]) -> bool:
    return finding.line in added or finding.value_key not in before
