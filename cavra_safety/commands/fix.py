"""``cavra-safety fix``: replace literal secrets in Python assignments, keyword arguments and defaults with
environment look-ups. Without ``--write`` it prints a unified diff (exit 1 when there is something to fix);
with ``--write`` it edits the files in place and lists what it changed.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path

import click

from cavra_safety.config import load_config
from cavra_safety.detectors.python.fix import FixPlan, NotParsed, PlannedFix, apply_fixes, plan_fixes
from cavra_safety.display import display_path
from cavra_safety.errors import EXIT_CLEAN, EXIT_FINDINGS, UserError
from cavra_safety.filters import ALL_RULES, allowed_at
from cavra_safety.sources.files import FileWalk

_UTF8_BOM = b"\xef\xbb\xbf"


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


def _diff(shown: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"a/{shown}",
            tofile=f"b/{shown}",
        )
    )


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--write", is_flag=True, help="Edit the files in place instead of printing a diff.")
def fix(paths: tuple[Path, ...], write: bool) -> int:
    """Replace literal secrets bound in Python code (assignments, keyword arguments, default values) with
    environment look-ups, e.g. os.environ["TENANT_ID"].

    Without --write, print a unified diff and exit 1 when there is something to fix. Files that do not parse
    are never changed.
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
            click.echo(_diff(shown, text, after), nl=False)
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
            click.echo(
                f"{shown}:{planned.line}:{planned.column}: {planned.rule_id} {planned.redacted} "
                f"-> {planned.replacement}"
            )
    click.echo(
        f"cavra-safety: replaced {count} literal value(s) in {len(changed)} file(s) (positions as before "
        "the edit). These values were "
        "committed in clear text: rotate them (issue new secrets, revoke the old ones) and set the "
        "environment variables named above."
    )
    return EXIT_CLEAN
