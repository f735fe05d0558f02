"""Two more rules for every default regex rule, as a pack: the benchmark's "cavra-safety 3x rules" row, which
shows how a scan's cost grows with the number of rules (issue 15: it should be near flat).

Each default rule gets two generated siblings with new ids. Where a rule's keyword occurs literally in its
patterns (most provider rules: ``ghp_`` in ``ghp_[A-Za-z0-9]{36}``), the sibling's keyword and patterns use a
changed literal (``ghp_`` -> ``zghp_``, ``yghp_``): a new provider's rule, which real text rarely triggers.
Otherwise (context rules: ``password`` and a pattern around it) the sibling keeps the keywords and patterns:
every keyword hit then runs three rules, the worst case for a keyword gate; its findings are the same values,
reported once (one finding per value). Written under ``benchmarks/.corpora/`` (git-ignored)::

    python benchmarks/more_rules.py            # prints the pack's path (built once, rebuilt when packs change)
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path

from corpora import HERE

from cavra_safety.config import Config
from cavra_safety.policy import Example, RegexRule, load_policy

SIBLINGS = ("z", "y")
WORD = re.compile(r"[a-z0-9_]{4,}")


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=True)  # a JSON string is a TOML basic string (no \\/ written)


def _toml_list(items: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(_toml_string(item) for item in items) + "]"


def _examples(examples: tuple[Example, ...], change: Callable[[str], str]) -> str:
    items = [f"{{ text = {_toml_string(change(e.text))}, path = {_toml_string(e.path)} }}" for e in examples]
    return "[" + ", ".join(items) + "]"


def _new_literal(rule: RegexRule, mark: str) -> str | None:
    """A keyword of at least four word characters that every pattern and every example holds, which can then
    be changed everywhere at once (the sibling then finds what its changed examples hold), or None."""
    for word in rule.keywords:
        texts = [pattern.source for pattern in rule.patterns] + [example.text for example in rule.examples]
        if WORD.fullmatch(word) and all(word in text for text in texts):
            return word
    return None


def _sibling(rule: RegexRule, mark: str) -> list[str]:
    literal = _new_literal(rule, mark)

    def change(text: str) -> str:
        return text.replace(literal, mark + literal) if literal else text

    lines = [
        "[[rules]]",
        f"id = {_toml_string(f'{rule.id}-{mark}')}",
        f"category = {_toml_string(rule.info.category.value)}",
        f"severity = {_toml_string(rule.info.severity.name.lower())}",
        f"title = {_toml_string(rule.info.title + ' (generated)')}",
        f"message = {_toml_string(rule.message)}",
        f"keywords = {_toml_list([change(word) for word in rule.keywords])}",
        f"patterns = {_toml_list([change(pattern.source) for pattern in rule.patterns])}",
        f"examples = {_examples(rule.examples, change)}",
        f"negative-examples = {_examples(rule.negative_examples, change)}",
    ]
    values = rule.values
    if values.allow:
        lines.append(f"allow-patterns = {_toml_list([change(pattern.source) for pattern in values.allow])}")
    if values.stop_words:
        lines.append(f"stop-words = {_toml_list(values.stop_words)}")
    if values.min_length:
        lines.append(f"min-length = {values.min_length}")
    if values.min_entropy:
        lines.append(f"min-entropy = {values.min_entropy}")
    if rule.paths is not None:
        globs = [
            f"{key} = {_toml_list(value)}"
            for key, value in (("include", rule.paths.include), ("exclude", rule.paths.exclude))
            if value
        ]
        lines.append(f"paths = {{ {', '.join(globs)} }}")
    return [*lines, ""]


def more_rules_pack() -> Path:
    policy = load_policy(Config(root=HERE.parent))
    rules = [rule for rule in policy.rules if isinstance(rule, RegexRule)]
    body = ["[pack]", 'name = "generated-siblings"', 'version = "1"', ""]
    for mark in SIBLINGS:
        for rule in rules:
            body.extend(_sibling(rule, mark))
    text = "\n".join(body)
    path = HERE / ".corpora" / f"more-rules-{hashlib.sha256(text.encode()).hexdigest()[:12]}.toml"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path


if __name__ == "__main__":
    print(more_rules_pack())
