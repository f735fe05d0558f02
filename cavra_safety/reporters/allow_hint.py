"""What a reader can do about a harmless finding, as the text report (and so the pre-commit hook) offers it.

An inline allow comment (``cavra: allow <rule-id> -- <reason>``) is the first choice, where a comment can be
written: on the finding's line in any language or config format, at the end of the cell line in a notebook.
Where it cannot, the hint is the ``baseline`` command that accepts the finding, with the scan's own arguments
(``baseline_arguments``):

- formats without comments (``NO_COMMENTS``: JSON, CSV, TSV, JSON Lines, source maps, Terraform state, lock
  files in JSON and go.sum): a comment would break the file;
- findings of a history scan (``Finding.author_date`` is set by history scans only): the value is in a commit,
  maybe gone from HEAD, and no comment written today changes that commit.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from cavra_safety.findings import Finding

PROGRAM = "cavra-safety"
REASON_PLACEHOLDER = "<why it is harmless>"

# Formats whose syntax has no comment, by the lower-cased suffix of the file name.
NO_COMMENTS: dict[str, str] = {
    "json": "JSON",
    "geojson": "JSON",
    "har": "JSON",
    "webmanifest": "JSON",
    "map": "a source map (JSON)",
    "tfstate": "Terraform state (JSON)",
    "ndjson": "JSON Lines",
    "jsonl": "JSON Lines",
    "csv": "CSV",
    "tsv": "TSV",
    "psv": "PSV",
}
# Whole file names: lock files written in JSON, and go.sum.
NO_COMMENTS_BY_NAME: dict[str, str] = {
    "composer.lock": "a JSON lock file",
    "pipfile.lock": "a JSON lock file",
    "flake.lock": "a JSON lock file",
    "deno.lock": "a JSON lock file",
    "go.sum": "go.sum",
}
# JSON files that their tools read as JSON with comments (JSONC), and any under .vscode/: a comment works.
JSONC_NAMES = frozenset({"devcontainer.json", ".devcontainer.json", ".eslintrc.json"})
JSONC_PREFIXES = ("tsconfig", "jsconfig")
NOTEBOOK_SUFFIX = "ipynb"


@dataclass(frozen=True)
class Hint:
    """``label`` (``allow`` or ``accept``), the text to write or the command to run, and why / where."""

    label: str
    action: str
    where: str


def no_comment_format(path: str) -> str | None:
    """The name of the comment-less format of ``path`` (``JSON``, ``CSV``...), or None when a comment fits."""
    name = path.rsplit("/", 1)[-1].lower()
    if name in NO_COMMENTS_BY_NAME:
        return NO_COMMENTS_BY_NAME[name]
    suffix = name.rsplit(".", 1)[-1] if "." in name else ""
    if suffix == "json" and (name in JSONC_NAMES or name.startswith(JSONC_PREFIXES) or "/.vscode/" in f"/{path}"):
        return None
    return NO_COMMENTS.get(suffix)


def in_history(finding: Finding) -> bool:
    """Whether the finding comes from a history scan (a commit's added lines or message)."""
    return finding.author_date is not None


def baseline_arguments(
    *,
    history: bool = False,
    all_refs: bool = False,
    branches: tuple[str, ...] = (),
    baseline_exists: bool = False,
    config_file: Path | None = None,
    baseline_file: Path | None = None,
    policy_files: tuple[Path, ...] = (),
    no_default_policy: bool = False,
    excludes: tuple[str, ...] = (),
    folder: Path | None = None,
) -> tuple[str, ...]:
    """The arguments of ``cavra-safety baseline`` that accept what a scan with these options reports.

    ``update`` keeps the baseline's entries and reasons (``create`` when there is none yet). A history scan of
    chosen branches is accepted with ``--all``: ``baseline --history`` walks HEAD or every ref, nothing between.
    The scan's paths are not repeated: ``update`` drops the entries its scan does not meet, so it must scan
    the whole project, ``folder`` (``project_folder``) when it is not the working folder.
    """
    arguments = ["update" if baseline_exists else "create"]
    if history:
        arguments.append("--history")
        if all_refs or branches:
            arguments.append("--all")
    for flag, value in (("--config", config_file), ("--baseline", baseline_file)):
        if value is not None:
            arguments += [flag, str(value)]
    for policy in policy_files:
        arguments += ["--policy", str(policy)]
    if no_default_policy:
        arguments.append("--no-default-policy")
    for pattern in excludes:
        arguments += ["--exclude", pattern]
    if folder is not None:
        arguments.append(str(folder))
    return tuple(arguments)


def project_folder(project: Path, working_folder: Path) -> Path | None:
    """The folder to name in the ``baseline`` command: the project a plain scan read (the folder of its
    pyproject.toml, else its root), unless it is the working folder; relative to it when inside it."""
    project, here = project.resolve(), working_folder.resolve()
    if project == here:
        return None
    return project.relative_to(here) if project.is_relative_to(here) else project


def _command(arguments: tuple[str, ...] | None, history: bool) -> str:
    if arguments is None:  # rendered without the scan's options (the library): the common case
        arguments = ("update", "--history") if history else ("update",)
    words = [PROGRAM, "baseline", *arguments, "--reason", REASON_PLACEHOLDER]
    return " ".join(shlex.quote(word) for word in words)


def hint_for(finding: Finding, arguments: tuple[str, ...] | None = None) -> Hint:
    """How to wave ``finding`` through if it is harmless; ``arguments``: the scan's ``baseline_arguments``."""
    history = in_history(finding)
    if history:
        return Hint("accept", _command(arguments, True), "(in a commit: no comment can change it; if harmless)")
    no_comments = no_comment_format(finding.path)
    if no_comments is not None:
        return Hint("accept", _command(arguments, False), f"({no_comments} has no comments; if harmless)")
    comment = f"cavra: allow {finding.rule_id} -- <reason>"
    if finding.path.lower().endswith("." + NOTEBOOK_SUFFIX):
        return Hint("allow", comment, f"(in a comment at the end of that cell line, line {finding.line}, if harmless)")
    return Hint("allow", comment, f"(in a comment on line {finding.line}, if harmless)")
