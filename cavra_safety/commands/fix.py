"""``cavra-safety fix``: replace literal secrets in Python assignments, keyword arguments and defaults with
environment look-ups. Without ``--write`` it prints a unified diff (exit 1 when there is something to fix);
with ``--write`` it edits the files in place and lists what it changed.

The diff is for a person to read, so it never shows a secret in full: each replaced value is shown as the
finding shows it (``"sk-p…(24 chars)"``; the further literals of a value split over several, as ``"…"``), and
every line of the diff goes through ``errors.redact_secrets``, which hides other secret-shaped values (known
key shapes, random-looking tokens) on the lines shown around the change. It is therefore not a patch to
apply: ``--write`` makes the change.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import click

from cavra_safety.commands.output import echo
from cavra_safety.config import load_config
from cavra_safety.detectors.python.fix import FixPlan, NotParsed, PlannedFix, apply_fixes, plan_fixes
from cavra_safety.display import display_path
from cavra_safety.errors import EXIT_CLEAN, EXIT_FINDINGS, UserError
from cavra_safety.filters import ALL_RULES, allowed_at
from cavra_safety.redaction import redact_secrets
from cavra_safety.sources.files import FileWalk

_UTF8_BOM = b"\xef\xbb\xbf"
# A Python string literal: prefix, opening quote, body (escapes kept), the same quote.
_STRING_LITERAL = re.compile(
    r"(?P<prefix>[rRbBuUfF]{0,2})(?P<quote>\"\"\"|'''|\"|')(?P<body>(?:\\.|[^\\])*?)(?P=quote)", re.DOTALL
)


def _python_files(paths: tuple[Path, ...]) -> Iterator[tuple[str, Path]]:
    """(shown path, file) for the .py files given or found under the folders given (honouring .gitignore and the
    configured excludes, like ``scan``)."""
    for path in paths or (Path.cwd(),):
        if not path.exists():
            raise UserError(f"path does not exist: {path}")
        if path.is_dir():
            config = load_config(path).with_overrides(root=path, paths=(path,))
            for ref in FileWalk(config).files():
                if ref.path.endswith(".py"):
                    yield display_path(str(path / ref.path)), Path(ref.fspath)
        elif path.suffix == ".py":
            yield display_path(str(path)), path


def _allowed(lines: list[str], fix: PlannedFix) -> bool:
    """An inline allow naming the rule (or detect-secrets' pragma) covers the fix's line, as in a scan."""
    return bool({fix.rule_id, ALL_RULES} & allowed_at(lines, fix.line))


def _read(file: Path) -> tuple[bytes, str] | None:
    """(BOM, text) of a UTF-8 file, or None: only UTF-8 can be written back byte for byte."""
    data = file.read_bytes()
    bom = _UTF8_BOM if data.startswith(_UTF8_BOM) else b""
    try:
        return bom, data[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        return None


def _masked_literal(literal: re.Match[str], shown: str) -> str:
    """``literal`` with its body replaced by ``shown``, its line breaks kept so that lines stay in step."""
    breaks = "\n" * literal.group("body").count("\n")
    return f"{literal.group('prefix')}{literal.group('quote')}{shown}{breaks}{literal.group('quote')}"


def _masked(plan: FixPlan, chosen: Sequence[PlannedFix]) -> str:
    """The file's text with the value of each chosen fix redacted: its first literal shows the finding's
    redacted form, the literals after it (an implicit concatenation) an ellipsis."""
    if plan.module is None:
        return plan.text
    wanted = set(chosen)
    text = plan.text
    for fix, node in zip(plan.fixes, plan.nodes, strict=True):
        if fix not in wanted:
            continue
        code = plan.module.code_for_node(node)
        pieces, position = [], 0
        for index, literal in enumerate(_STRING_LITERAL.finditer(code)):
            pieces += [code[position : literal.start()], _masked_literal(literal, fix.redacted if index == 0 else "…")]
            position = literal.end()
        pieces.append(code[position:])
        text = text.replace(code, "".join(pieces))
    return text


def _range(start: int, stop: int) -> str:
    """A hunk's line range as ``diff -u`` writes it (and difflib's ``unified_diff``)."""
    length = stop - start
    first = start + 1 if length else start
    return f"{first}" if length == 1 else f"{first},{length}"


def _diff(shown: str, before: str, shown_before: str, after: str) -> str:
    """The unified diff of ``before`` to ``after``, as ``difflib.unified_diff`` writes it, with its old lines
    taken from ``shown_before`` (``before`` with the replaced values redacted, line for line) and every line
    redacted of secret-shaped values."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    old_shown = shown_before.splitlines(keepends=True)
    if len(old_shown) != len(old):  # not expected (redaction keeps line breaks), and then nothing old in clear
        old_shown = ["…\n" for _ in old]
    lines: list[str] = []
    for group in difflib.SequenceMatcher(None, old, new).get_grouped_opcodes(3):
        if not lines:
            lines += [f"--- a/{shown}\n", f"+++ b/{shown}\n"]
        lines.append(f"@@ -{_range(group[0][1], group[-1][2])} +{_range(group[0][3], group[-1][4])} @@\n")
        for tag, old_start, old_stop, new_start, new_stop in group:
            if tag == "equal":
                lines += [" " + line for line in old_shown[old_start:old_stop]]
                continue
            if tag in {"replace", "delete"}:
                lines += ["-" + line for line in old_shown[old_start:old_stop]]
            if tag in {"replace", "insert"}:
                lines += ["+" + line for line in new[new_start:new_stop]]
    return "".join(redact_secrets(line) for line in lines)


@click.command(short_help="Replace literal secrets in Python code by environment look-ups.")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--write", is_flag=True, help="Edit the files in place instead of printing a diff.")
def fix(paths: tuple[Path, ...], write: bool) -> int:
    """Replace literal secrets bound in Python code (assignments, keyword arguments, default values) with
    environment look-ups, e.g. os.environ["TENANT_ID"].

    Without --write, print a unified diff (replaced values redacted, for reading) and exit 1 when there is
    something to fix. Files that do not parse are never changed.
    """
    changed: list[tuple[str, FixPlan, list[PlannedFix]]] = []
    for shown, file in _python_files(paths):
        try:
            read = _read(file)
        except OSError as error:
            click.echo(f"cavra-safety: {shown}: cannot read: {error.strerror or error}; not changed", err=True)
            continue
        if read is None:
            click.echo(f"cavra-safety: {shown}: not UTF-8; not changed", err=True)
            continue
        bom, text = read
        try:
            plan = plan_fixes(text, shown)
        except NotParsed as problem:
            click.echo(f"cavra-safety: {shown}:{problem.line}: {problem.message}; not changed", err=True)
            continue
        lines = text.split("\n")
        chosen = [planned for planned in plan.fixes if not _allowed(lines, planned)]
        if not chosen:
            continue
        after = apply_fixes(plan, chosen)
        changed.append((shown, plan, chosen))
        if write:
            file.write_bytes(bom + after.encode("utf-8"))
        else:
            echo(_diff(shown, text, _masked(plan, chosen), after), nl=False)
    count = sum(len(chosen) for _, _, chosen in changed)
    if not changed:
        click.echo("cavra-safety: nothing to fix", err=True)
        return EXIT_CLEAN
    if not write:
        click.echo(
            f"cavra-safety: {count} literal value(s) in {len(changed)} file(s) would be replaced; "
            "run with --write to apply",
            err=True,
        )
        return EXIT_FINDINGS
    for shown, _, chosen in changed:
        for planned in chosen:
            echo(
                f"{shown}:{planned.line}:{planned.column}: {planned.rule_id} {planned.redacted} "
                f"-> {planned.replacement}"
            )
    echo(
        f"cavra-safety: replaced {count} literal value(s) in {len(changed)} file(s) (positions as before "
        "the edit). These values were "
        "committed in clear text: rotate them (issue new secrets, revoke the old ones) and set the "
        "environment variables named above."
    )
    return EXIT_CLEAN
