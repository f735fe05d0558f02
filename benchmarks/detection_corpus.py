"""The detection benchmark's labelled corpus, generated at run time from the project's own examples.

Every labelled case is one example (a line, or a few lines) with a **family** (the rule id, or a provider family)
and the **category** it must be reported under (``None`` for a negative: nothing may be reported on it).
Cases come from:

  policy   every policy rule's ``examples`` (positives) and ``negative-examples`` (negatives)
  secret   the secret/* rules' positive and negative cases of ``tests/detectors/secrets/test_secrets_detector.py``
  python   the Python checks' ``INVALID`` (positive, the line of the marker) and ``VALID`` (negative) examples
  gap      hand-written cases of the known gaps of issue 13 (``detection_gaps.py``), a corpus of their own

Each case is placed in one small, realistic file per **context**: ``native`` (the example's own path, wrapped
in a few lines of that file type), ``in-markdown`` (a fenced block of a docs page), ``in-notebook`` (a code
cell of a Jupyter notebook), ``in-ci-yaml`` (a ``run: |`` step of a CI workflow), ``in-heredoc`` (a shell
here-document); a path-scoped rule's example only goes to the contexts its paths accept. A secret/* case
also binds its value to its name in every common file type (``as-.env``, ``as-.py``, ``as-Dockerfile``, ...).
One case per file, so that a rule reading a window of lines never sees two cases. Deterministic: no clock,
the values of the secret/* and gap cases come from seeded generators.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


@dataclass(frozen=True)
class Case:
    family: str
    category: str | None  # expected category; None: a negative
    text: str
    path: str  # the example's own path: its file type and the paths a rule accepts
    origin: str  # policy, secret, python, gap
    group: str = ""  # the category a negative is grouped under (its rule's); a positive's own category
    hit: tuple[int, int] | None = None  # 0-based lines of ``text`` the label covers (default: all)
    value: str | None = None  # the value alone, with ``name``: placed in every file type (secret/* cases)
    name: str | None = None
    contexts: tuple[str, ...] = ()  # the transplant contexts it may go to (set by the builder)

    @property
    def positive(self) -> bool:
        return self.category is not None


@dataclass(frozen=True)
class Label:
    path: str  # relative to the corpus root
    start: int  # 1-based, inclusive
    end: int
    family: str
    category: str | None
    group: str
    context: str
    origin: str

    @property
    def positive(self) -> bool:
        return self.category is not None

    @property
    def file_type(self) -> str:
        return file_type(self.path)


def file_type(path: str) -> str:
    name = PurePosixPath(path).name
    if name.startswith(".env") or name.endswith(".env"):
        return ".env"
    return PurePosixPath(name).suffix or name  # .netrc, Dockerfile, credentials: the name


# (header, footer) around a native example, by file type; no entry: the example alone.
WRAPPERS: dict[str, tuple[str, str]] = {
    ".py": ('"""Service settings."""\n\nimport os\n\n', "\n\n\ndef main() -> None:\n    print(os.getcwd())\n"),
    ".env": ("# Application settings\nAPP_ENV=production\nLOG_LEVEL=info\n", "\nPORT=8080\n"),
    ".js": ('import path from "path";\n\n', "\n\nexport default path;\n"),
    ".ts": ('import { readFileSync } from "fs";\n\n', "\n\nexport default readFileSync;\n"),
    ".json": ('{\n  "name": "service",\n', '\n  "version": "1.0.0"\n}\n'),
    ".yaml": ("# Deployment values\nreplicaCount: 2\n", "\nservice:\n  port: 8080\n"),
    ".yml": ("# Settings\nname: service\n", "\nenabled: true\n"),
    ".md": ("# Notes\n\nHow the service is run.\n\n", "\n\nSee the runbook for details.\n"),
    ".ini": ("[app]\nname = service\n", "\ndebug = false\n"),
    ".cfg": ("[app]\nname = service\n", "\ndebug = false\n"),
    ".properties": ("app.name=service\n", "\nserver.port=8080\n"),
    ".toml": ('[app]\nname = "service"\n', "\ndebug = false\n"),
    ".sh": ("#!/bin/sh\nset -eu\n\n", "\n\necho done\n"),
    "Dockerfile": ("FROM python:3.12-slim\nWORKDIR /app\n", '\nCMD ["python", "-m", "app"]\n'),
    ".go": ("package main\n\nvar config = Config{\n", "\n}\n"),
    ".sql": ("-- report\nBEGIN;\n", "\nCOMMIT;\n"),
    ".xml": ('<?xml version="1.0"?>\n<configuration>\n', "\n</configuration>\n"),
    ".config": ('<?xml version="1.0"?>\n<configuration>\n', "\n</configuration>\n"),
    ".rb": ("require 'json'\n\n", "\n"),
    ".gradle": ("plugins {\n  id 'java'\n}\n\n", "\n"),
}
FENCE_LANGUAGE = {".py": "python", ".js": "js", ".ts": "ts", ".sh": "sh", ".json": "json", ".yaml": "yaml"}
TRANSPLANTS = ("in-markdown", "in-notebook", "in-ci-yaml", "in-heredoc")
TRANSPLANT_PATHS = {
    "in-markdown": "docs/guide.md",
    "in-notebook": "notebooks/explore.ipynb",
    "in-ci-yaml": ".github/workflows/deploy.yml",
    "in-heredoc": "scripts/setup.sh",
}


def _native(case: Case) -> tuple[str, str, int]:
    """(path, text, 0-based line of the case's first line) of the example in its own file type."""
    if case.origin in ("python", "gap"):
        return case.path, case.text if case.text.endswith("\n") else case.text + "\n", 0
    header, footer = WRAPPERS.get(file_type(case.path), ("", "\n"))
    if file_type(case.path) == ".py" and case.text[:1].isspace():
        header += 'if os.environ.get("SERVICE"):\n'
    return case.path, header + case.text.rstrip("\n") + footer, header.count("\n")


def _notebook(lines: list[str]) -> tuple[str, int]:
    head = '{\n "cells": [\n  {\n   "cell_type": "code",\n   "execution_count": 1,\n   "metadata": {},\n'
    head += '   "outputs": [],\n   "source": [\n    "import os\\n",\n'
    body = ",\n".join("    " + json.dumps(line + "\n") for line in lines)
    tail = '\n   ]\n  }\n ],\n "metadata": {"language_info": {"name": "python"}},\n "nbformat": 4,\n'
    return head + body + tail + ' "nbformat_minor": 5\n}\n', head.count("\n")


def _transplant(case: Case, context: str) -> tuple[str, str, int]:
    lines = case.text.rstrip("\n").split("\n")
    path = TRANSPLANT_PATHS[context]
    if context == "in-notebook":
        text, at = _notebook(lines)
        return path, text, at
    if context == "in-markdown":
        head = f"# Setup\n\nRun this once:\n\n```{FENCE_LANGUAGE.get(file_type(case.path), '')}\n"
        return path, head + "\n".join(lines) + "\n```\n", head.count("\n")
    if context == "in-ci-yaml":
        head = "name: deploy\non: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n"
        head += "      - name: configure\n        run: |\n"
        body = "\n".join("          " + line for line in lines)
        return path, head + body + "\n      - run: make deploy\n", head.count("\n")
    head = "#!/bin/sh\nset -eu\ncat > /etc/service/config <<'EOF'\n"
    return path, head + "\n".join(lines) + "\nEOF\necho configured\n", head.count("\n")


# (path, line) templates binding NAME to VALUE in common file types; {name} keeps the case's spelling,
# {NAME} is upper case, {camel} camelCase, {dotted} dots for underscores.
VALUE_FORMS: dict[str, tuple[str, str]] = {
    ".env": ("config/.env", "{NAME}={value}"),
    ".py": ("app/settings.py", '{name} = "{value}"'),
    ".js": ("web/config.js", 'const {camel} = "{value}";'),
    ".ts": ("web/src/config.ts", 'export const {camel}: string = "{value}";'),
    ".json": ("config/app.json", '  "{name}": "{value}",'),
    ".yaml": ("deploy/values.yaml", "  {name}: {value}"),
    ".properties": ("src/main/resources/application.properties", "{dotted}={value}"),
    ".ini": ("config/app.ini", "{name} = {value}"),
    ".xml": ("config/app.config", '    <add key="{name}" value="{value}" />'),
    "Dockerfile": ("Dockerfile", "ENV {NAME}={value}"),
    ".sh": ("scripts/deploy.sh", 'export {NAME}="{value}"'),
    ".ipynb": ("notebooks/client.ipynb", '{name} = "{value}"'),
    ".md": ("docs/setup.md", "export {NAME}={value}"),
}


def _value_form(case: Case, form: str) -> tuple[str, str, int]:
    assert case.value is not None and case.name is not None
    name = re.sub(r"[^A-Za-z0-9_]", "_", case.name).strip("_") or "secret"
    camel = re.sub(r"_([a-z0-9])", lambda m: m.group(1).upper(), name.lower())
    path, template = VALUE_FORMS[form]
    line = template.format(
        name=name, NAME=name.upper(), camel=camel, dotted=name.lower().replace("_", "."), value=case.value
    )
    if form == ".ipynb":
        text, at = _notebook([line])
        return path, text, at
    if form == ".md":
        head = "# Setup\n\nSet the variables:\n\n```sh\n"
        return path, head + line + "\n```\n", head.count("\n")
    header, footer = WRAPPERS.get(file_type(path), ("", "\n"))
    return path, header + line + footer, header.count("\n")


def placements(case: Case) -> Iterator[tuple[str, str, str, int]]:
    """(context, path, text, 0-based line of the case) for every file the case goes to."""
    yield ("native", *_native(case))
    for context in case.contexts:
        yield (context, *_transplant(case, context))
    if case.value is not None and case.name is not None:
        for form in VALUE_FORMS:
            yield (f"as-{form}", *_value_form(case, form))


def write_corpus(cases: Iterable[Case], root: Path) -> list[Label]:
    """One file per case and context under ``root`` (emptied first); the labels of what was written."""
    labels: list[Label] = []
    for number, case in enumerate(cases):
        for context, path, text, at in placements(case):
            relative = f"c{number:05d}-{context.replace('.', '')}/{path}"
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            first, last = case.hit or (0, case.text.rstrip("\n").count("\n"))
            labels.append(
                Label(
                    relative,
                    at + first + 1,
                    at + last + 1,
                    case.family,
                    case.category,
                    case.group,
                    context,
                    case.origin,
                )
            )
    return labels


# ---- the cases -------------------------------------------------------------------------------------------


def policy_cases() -> list[Case]:
    from cavra_safety.policy.loader import assemble, default_pack_files

    cases = []
    for rule in assemble(default_pack_files()).rules:
        category = rule.info.category.value
        for examples, expected in ((rule.examples, category), (rule.negative_examples, None)):
            for example in examples:
                single = "\n" not in example.text.rstrip("\n")
                # a negative outside the rule's paths is negative by its path alone: it stays where it is
                single = single and (expected is not None or rule.applies_to(example.path))
                contexts = tuple(c for c in TRANSPLANTS if single and rule.applies_to(TRANSPLANT_PATHS[c]))
                cases.append(
                    Case(rule.info.rule_id, expected, example.text, example.path, "policy", category, contexts=contexts)
                )
    return cases


def python_check_cases() -> list[Case]:
    from cavra_safety.detectors.python.checks import CHECKS

    cases = []
    for check in CHECKS:
        family = f"python/{check.__name__}"
        for invalid in check.INVALID:
            line = invalid.code[: invalid.code.index("▶")].count("\n")
            code = invalid.code.replace("▶", "")
            category = invalid.category.value
            cases.append(Case(family, category, code, invalid.path, "python", category, hit=(line, line)))
        group = check.INVALID[0].category.value if check.INVALID else ""
        cases.extend(Case(family, None, valid.code, valid.path, "python", group) for valid in check.VALID)
    return cases


# A template that binds a name to the whole value (``name = "{}"``, ``name: {}``): the value can be bound to the same
# name in other file types. (``postgres://app:{}@host`` or ``...;AccountKey={}`` hold more than the value.)
_NAME = re.compile(r"""^\s*(?:export\s+|const\s+|let\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*[:=]\s*["']?\{\}["']?;?$""")
_DATABASE_URL = re.compile(r"\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|redis|amqp)://")


def _design_category(line: str, category: str) -> str:
    """The category DESIGN section 2 gives the line (a database URL with a password is a connector credential,
    whichever detector sees it), where the secrets detector's own test names another."""
    return "connector-credential" if _DATABASE_URL.search(line) else category


def secret_cases() -> tuple[list[Case], str]:
    """The secret/* rules' cases from their test module, and a note (empty, or why they are left out)."""
    folder = REPO / "tests" / "detectors" / "secrets"
    sys.path.insert(0, str(folder))
    try:
        import test_secrets_detector as module  # type: ignore[import-not-found]
    except Exception as error:  # a moved or broken test module leaves these cases out, said so
        return [], f"secret/* cases left out: {type(error).__name__}: {error}"
    finally:
        sys.path.remove(str(folder))
    cases = []
    for case in module.POSITIVES:
        line, _reported = case.build()
        named = _NAME.match(case.template)
        category = _design_category(line, case.category.value)
        cases.append(
            Case(
                case.rule_id,
                category,
                line,
                case.path,
                "secret",
                category,
                value=case.value() if named else None,
                name=named.group(1) if named else None,
                contexts=TRANSPLANTS,
            )
        )
    for _label, path, line in module.NEGATIVES:
        cases.append(Case("secret/negatives", None, line, path, "secret", "connector-credential", contexts=TRANSPLANTS))
    return cases, ""
