"""Write or check the checked-in JSON Schemas, generated from the models.

    python -m contract.schema_export           # rewrite contract/schemas/*.schema.json
    python -m contract.schema_export --check   # exit 1 and name the files that drifted

The same is available as ``cavra-safety contract schema --write`` / ``--check``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from contract.kinds import DOCUMENT_KINDS, schema_text

SCHEMA_DIR: Final = Path(__file__).resolve().parent / "schemas"
SCHEMA_SUFFIX: Final = ".schema.json"


def schema_path(kind: str, directory: Path = SCHEMA_DIR) -> Path:
    return directory / f"{kind}{SCHEMA_SUFFIX}"


def drifted_schemas(directory: Path = SCHEMA_DIR) -> list[str]:
    """The schema files (missing, stale or unexpected) that differ from what the models generate."""
    problems = []
    for kind in DOCUMENT_KINDS:
        path = schema_path(kind, directory)
        if not path.is_file():
            problems.append(f"{path.name}: missing")
        elif path.read_text(encoding="utf-8") != schema_text(kind):
            problems.append(f"{path.name}: differs from the models")
    expected = {schema_path(kind, directory).name for kind in DOCUMENT_KINDS}
    if directory.is_dir():
        stray = sorted(p.name for p in directory.glob(f"*{SCHEMA_SUFFIX}") if p.name not in expected)
        problems += [f"{name}: not generated from any model" for name in stray]
    return problems


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Regenerate every schema file; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for kind in DOCUMENT_KINDS:
        path = schema_path(kind, directory)
        path.write_text(schema_text(kind), encoding="utf-8")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--check"]:
        problems = drifted_schemas()
        for problem in problems:
            sys.stderr.write(f"{problem}\n")
        return 1 if problems else 0
    if args:
        sys.stderr.write("usage: python -m contract.schema_export [--check]\n")
        return 2
    for path in write_schemas():
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
