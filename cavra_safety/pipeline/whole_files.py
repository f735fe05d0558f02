"""Which changed files a history scan reads whole, and what a whole file's scan reports (``sources.whole``).

A file is read whole when some rule that runs could need more of it than the hunks show, as cheap tests on
the file's name and on its hunks tell (``ContextNeed``):

- tables and data whose rows are read under a header or inside a statement: CSV / TSV, SQL, notebooks;
- hunks holding a keyword of a record rule, or one of its keys written as a key (a tenant record: an
  identifier with its companions, over several lines);
- Python whose hunks hold a word of the syntax-tree checks' gates other than the binding words (a dynamic
  import built from names bound far above, an import continued over lines, a marker in the module's head);
- hunks holding a PEM armour line, or a line of key material alone (the key is the whole block, and its identity
  is its body: an edit in the middle of a key makes another value, reported at the header);
- a rename or copy that a rule could judge differently at its new path (``ContextNeed._moved_matters``);
- what the derived views (``policy.views``) read beyond a line: any change to a sectioned config file (the
  ``[billing]`` section a new ``secret_key = ...`` sits in may lie far above), a YAML or JSON hunk adding a key
  named like a credential (its ``stripe:`` parent may lie far above), and hunks holding a word of a SQL
  statement the views join across lines (its other lines may lie beyond the context).

Everything else is line-local and keeps reading hunks, which is cheaper. What a whole file reports
(``scan_whole``): its findings on the commit's added lines, and those elsewhere that no earlier version of the
file holds (the same rule and value): what this commit made true.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

import pathspec

from cavra_safety.config import Config
from cavra_safety.detectors.python.detector import PYTHON_SUFFIXES
from cavra_safety.detectors.python.gates import BINDING_WORDS, gate_keywords
from cavra_safety.findings import Finding
from cavra_safety.git import Git
from cavra_safety.pipeline.engine import BatchOutcome, Engine
from cavra_safety.policy import Policy, RecordRule, load_policy
from cavra_safety.policy.views import NESTING_SUFFIXES, SECTION_SUFFIXES, STATEMENT_WORDS
from cavra_safety.regex import compile_regex
from cavra_safety.sources import Source
from cavra_safety.sources.patch import FilePatch
from cavra_safety.sources.staged import GitSources
from cavra_safety.sources.text import suffix_of
from cavra_safety.sources.whole import WholeFile, moved, read_before

# Rows read under a header line or inside a multi-line statement, whatever the hunk shows.
ALWAYS_WHOLE_SUFFIXES = frozenset({"csv", "tsv", "sql", "ipynb"})
# A PEM block spans lines; the value is the whole block.
PEM_ARMOUR = ("-----begin", "-----end")
# A full line of a key's body alone on its line (PEM wraps base64 at 64 characters, OpenSSH at 70, MIME at 76),
# perhaps indented or quoted: the armour may lie beyond the hunk's context.
PEM_BODY_LINE = r"""(?m:^)[ \t"']*[A-Za-z0-9+/]{64,76}={0,2}[ \t"',]*(?m:$)"""
# A YAML or JSON key named like a credential whose value looks like a token (``_token_like``): what the nesting
# view qualifies with its parent keys. The value matters: translation files name keys "Password" or "apiKey" on
# every line, with words as values, and reading each such file whole at every commit that touches it took
# uptime-kuma's history from 9 s to 23 s.
CREDENTIAL_KEY = (
    r"""(?:secret|key|token|passw|pwd|signature|credential)[A-Za-z0-9_.-]*["']?[ \t]*:[ \t]*["']?"""
    r"""([A-Za-z0-9_+/=.-]{12,})"""
)

Key = tuple[str, str]


def _token_like(value: bytes) -> bool:
    """As long as the shortest value the billing and webhook rules report (12 characters of a token's alphabet),
    with a digit: a word ("Aktualizovat") is not read as a secret that a far parent key could qualify. A random
    16-character secret without a digit (6% of them) whose parent lies beyond the hunk's context is left to the
    tree scan."""
    return len(value) >= 12 and any(0x30 <= byte <= 0x39 for byte in value)


def _either(alternatives: Sequence[str]) -> Any:
    """One case-insensitive RE2 regex for any of ``alternatives`` (regex texts), or None: linear in the hunk."""
    unique = sorted(set(alternatives))
    return compile_regex("(?i)(?:" + "|".join(unique) + ")") if unique else None


def _literals(words: Iterable[str]) -> list[str]:
    return [re.escape(word) for word in words if word]


class ContextNeed:
    """``need(patch, hunks)``: whether the file of ``patch`` is to be read whole (``sources.whole.WholeFileTest``),
    from its name and one RE2 search of the new side of its hunks (two for Python)."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        records = [rule for rule in policy.rules if isinstance(rule, RecordRule)]
        # A record's keys (an identifier, a companion) written as keys: a companion added to an object whose
        # identifier lies beyond the hunk's context makes the object a record.
        keys = _literals({key for rule in records for key in (*rule.identifier_keys, *rule.companion_keys)})
        key_form = [rf"""(?:^|[\s{{,"'])(?:{"|".join(keys)})["']?\s*[:=]"""] if keys else []
        self._content = _either(
            [
                *_literals(PEM_ARMOUR),
                PEM_BODY_LINE,
                *_literals(w for r in records for w in r.keywords),
                *key_form,
                *(re.escape(words).replace(r"\ ", r"\s+") for words in STATEMENT_WORDS),
            ]
        )
        # A binding is one statement, which its hunk shows (its fragment parses alone): binding words alone,
        # common in code ("key", "token"), do not make a module worth reading whole.
        self._python = _either(_literals(w for w in gate_keywords(policy.python) if w not in BINDING_WORDS))
        self._module_words = _either(_literals(pattern.keyword for pattern in policy.python.modules))
        self._globs = _PathGlobs(policy)
        self._credential_key = compile_regex("(?i)" + CREDENTIAL_KEY)

    def __call__(self, patch: FilePatch, hunks: bytes) -> bool:
        suffix = suffix_of(patch.path)
        if moved(patch) and self._moved_matters(patch.old_path or "", patch.path):
            return True
        if suffix in ALWAYS_WHOLE_SUFFIXES:
            return True  # a merge's file with no hunk of its own too (``sources.history._add_merged_files``)
        if not patch.added:
            return False
        if suffix in SECTION_SUFFIXES:
            return True
        if suffix in NESTING_SUFFIXES and any(_token_like(m.group(1)) for m in self._credential_key.finditer(hunks)):
            return True
        if self._content is not None and self._content.search(hunks) is not None:
            return True
        return suffix in PYTHON_SUFFIXES and self._python is not None and self._python.search(hunks) is not None

    def _moved_matters(self, old: str, new: str) -> bool:
        """Whether a rule could judge the file differently at its new path: another kind of file, a path glob of
        some rule that matches one path and not the other, or Python moved where its relative imports name a
        private package."""
        if suffix_of(old) != suffix_of(new):
            return True
        if self._globs.signature(old) != self._globs.signature(new):
            return True
        words = self._module_words
        return suffix_of(new) in PYTHON_SUFFIXES and words is not None and words.search(new) is not None


class _PathGlobs:
    """Every distinct path glob of the rules scoped by path, each compiled once: two paths that the same globs
    match alike (``signature``) are taken or left alike by every rule (a rule decides from which of its globs
    match), tested with one regex per glob instead of every rule's whole filter."""

    def __init__(self, policy: Policy) -> None:
        lines = sorted({line for rule in policy.rules if rule.paths is not None for line in rule.paths.include})
        lines += sorted({line for rule in policy.rules if rule.paths is not None for line in rule.paths.exclude})
        self._regexes = [
            pattern.regex
            for line in dict.fromkeys(lines)
            for pattern in pathspec.GitIgnoreSpec.from_lines([line]).patterns
            if pattern.regex is not None
        ]

    def signature(self, path: str) -> tuple[tuple[int, bool], ...]:
        """Which globs match ``path``, and whether each matched it as a folder (gitignore's rule of priority)."""
        found: list[tuple[int, bool]] = []
        for index, regex in enumerate(self._regexes):
            match = regex.match(path)
            if match is not None:
                found.append((index, match.groupdict().get("ps_d") is not None))
        return tuple(found)


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


def widen_diff(config: Config, git: Git, found: GitSources) -> list[Source]:
    """``--diff`` by the history's rule, against its base: a changed file that needs its context (``ContextNeed``)
    also counts the lines of findings that no version at the base holds (what the change made true beyond its
    added lines, a renamed file's included). Only those files are scanned here first; the others pass as they are.
    """
    engine: Engine | None = None
    widened: list[Source] = []
    for source in found.sources:
        patch, before = found.changes.get(source.path, (None, ()))
        if patch is None or source.added_lines is None:
            widened.append(source)
            continue
        if engine is None:
            engine = Engine(config, load_policy(config))
        if not engine.context_need(patch, patch.new_text()):
            if source.added_lines:  # a rename no rule sees anew adds nothing to look at
                widened.append(source)
            continue
        outcome = scan_whole(engine, WholeFile(source, before), lambda item: read_before(git, item.before, config))
        lines = {finding.line for finding in outcome.findings} | {item.finding.line for item in outcome.suppressed}
        widened.append(replace(source, added_lines=source.added_lines | lines))
    return widened
