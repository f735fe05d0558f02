"""Random small git histories for the parity property (``test_history_parity``): adds, edits far from the top,
moves (into private pack folders too), deletes, merges with and without a conflict resolution, UTF-16 text,
notebooks, tenant-record CSV files whose header comes and goes, private packs, Python modules that gain an import
of provisioning code far below their first lines.

Every secret-shaped value is built at run time from the seed (this repository must pass its own scan).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import subprocess
from dataclasses import dataclass, field

from git_repo import Repo

CSV_HEADER = "tenant_id,owner_email,plan"
FILLER = "value_{n} = compute({n})  # ordinary code"


def _token(seed: str, length: int = 24) -> str:
    body = hashlib.sha256(seed.encode()).hexdigest()
    return "".join(char.upper() if index % 3 == 0 else char for index, char in enumerate(body))[:length]


@dataclass
class Payloads:
    """Lines that some rule reports, each different (``n`` counts them)."""

    rng: random.Random
    n: int = 0

    def _next(self) -> int:
        self.n += 1
        return self.n

    def stripe(self) -> str:
        return 'STRIPE_KEY = "' + "sk_" + "live_" + _token(f"stripe-{self._next()}-{self.rng.random()}") + '"'

    def tenant_binding(self) -> str:
        return 'tenant_id = "' + "acme-" + "prod-" + str(1000 + self._next()) + '"'

    def csv_row(self) -> str:
        number = self._next()
        return f"initech-prod-{number},bill{number}@initech.io,business"

    def provisioning_import(self) -> str:
        return self.rng.choice(("from cavra_saas.provisioning import create_tenant", "from cavra import provisioning"))


@dataclass
class History:
    """The files of the checked-out branch, as lists of lines (UTF-16 files are kept apart: ``utf16``)."""

    repo: Repo
    rng: random.Random
    payloads: Payloads
    files: dict[str, list[str]] = field(default_factory=dict)
    utf16: set[str] = field(default_factory=set)
    counter: int = 0

    def name(self, folder: str, suffix: str) -> str:
        self.counter += 1
        return f"{folder}/f{self.counter}.{suffix}"

    def _text(self, path: str) -> str:
        lines = self.files[path]
        if path.endswith(".ipynb"):
            cell = {"cell_type": "code", "metadata": {}, "source": [line + "\n" for line in lines], "outputs": []}
            notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
            return json.dumps(notebook, indent=1) + "\n"
        return "\n".join(lines) + "\n"

    def write(self, path: str) -> None:
        target = self.repo.path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        encoding = "utf-16" if path in self.utf16 else "utf-8"
        target.write_bytes(self._text(path).encode(encoding))

    def commit(self, message: str, *paths: str) -> str:
        for path in paths:
            if path in self.files:
                self.write(path)
        return self.repo.commit(message)

    # -- operations: each changes the working tree and commits ----------------------------------------------

    def add_file(self) -> None:
        kind = self.rng.choice(("py", "csv", "pack", "ipynb", "utf16", "json"))
        filler = [FILLER.format(n=n) for n in range(self.rng.randint(8, 24))]
        if kind == "py":
            names = [f"    helper_{n}," for n in range(self.rng.randint(4, 9))]
            path, lines = self.name("app", "py"), ["import os", "from cavra import (", *names, ")", *filler]
        elif kind == "csv":
            rows = [self.payloads.csv_row() for _ in range(self.rng.randint(1, 9))]
            path, lines = self.name("data", "csv"), ([CSV_HEADER] if self.rng.random() < 0.5 else []) + rows
        elif kind == "pack":
            path = self.name(self.rng.choice(("rules", "packs/private", "policies/enterprise")), "toml")
            lines = ["[pack]", 'name = "acme-tenants"', 'version = "1.0.0"']
        elif kind == "ipynb":
            path, lines = self.name("notebooks", "ipynb"), ["import os", self.payloads.stripe()]
        elif kind == "utf16":
            path = self.name("docs", "txt")
            self.utf16.add(path)
            lines = ["Notes", *filler[:3], self.payloads.stripe()]
        else:
            number = self.payloads._next()
            path = self.name("config", "json")
            lines = ["{", '  "tenants": [', "    {", f'      "tenant_id": "globex-eu-{number:04d}",']
            lines += [f'      "region_{n}": "eu-{n}",' for n in range(self.rng.randint(0, 14))]
            lines += ['      "active": true', "    }", "  ]", "}"]
        self.files[path] = lines
        self.commit(f"add {path}", path)

    def edit(self) -> None:
        if not self.files:
            return self.add_file()
        path = self.rng.choice(sorted(self.files))
        lines = self.files[path]
        where = self.rng.randint(max(0, len(lines) - 2), len(lines))  # far from the top
        if path.endswith(".csv"):
            choice = self.rng.random()
            if choice < 0.3 and lines and lines[0] != CSV_HEADER:
                lines.insert(0, CSV_HEADER)  # old rows become records
            elif choice < 0.45 and lines and lines[0] == CSV_HEADER:
                del lines[0]
            else:
                lines.insert(where, self.payloads.csv_row())
        elif path.endswith(".py") and ")" in lines and self.rng.random() < 0.3:
            lines.insert(lines.index(")"), "    provisioning,")  # far below its ``from cavra import (``
        elif path.endswith(".py"):
            maker = self.rng.choice(
                (self.payloads.stripe, self.payloads.tenant_binding, self.payloads.provisioning_import)
            )
            lines.insert(where, maker())
        elif path.endswith(".json"):
            at = next((i for i, line in enumerate(lines) if '"active"' in line), len(lines) - 1)
            lines.insert(at, '      "owner_email": "ops@globex.io",')  # a companion: the object becomes a record
        elif path.endswith(".toml"):
            lines.insert(where, f'rule_{self.payloads._next()} = "deny"')
        else:
            lines.insert(where, self.payloads.stripe())
        # A line deleted too, but never one that Python needs to parse: a module that does not parse is read by
        # the tree scan's text rules alone, and by a history scan's hunks in pieces (see the test's docstring).
        removable = [i for i, line in enumerate(lines) if not path.endswith(".py") or "=" in line]
        if self.rng.random() < 0.3 and len(lines) > 2 and removable:
            del lines[self.rng.choice(removable)]
        self.commit(f"edit {path}", path)
        return None

    def move(self) -> None:
        if not self.files:
            return self.add_file()
        path = self.rng.choice(sorted(self.files))
        folder = self.rng.choice(("moved", "policies/private", "packs/enterprise", "app/sub"))
        target = f"{folder}/{path.rsplit('/', 1)[-1]}"
        if target in self.files:
            return None
        (self.repo.path / target).parent.mkdir(parents=True, exist_ok=True)
        self.repo.git("mv", path, target)
        self.files[target] = self.files.pop(path)
        if path in self.utf16:
            self.utf16.discard(path)
            self.utf16.add(target)
        self.commit(f"move {path} to {target}")
        return None

    def delete(self) -> None:
        if len(self.files) < 2:
            return self.add_file()
        path = self.rng.choice(sorted(self.files))
        self.repo.git("rm", "-q", "--", path)
        del self.files[path]
        self.utf16.discard(path)
        self.commit(f"delete {path}")
        return None

    def merge(self) -> None:
        """A side branch with a change or two, one on main, then a merge: a plain one; one where both change the
        same line of one file and the resolution writes a line of its own (a conflict resolution the merge
        adds); or a clean one that combines a CSV header from main with rows from the side (the new rows become
        records in the merge, though no line of it differs from both parents)."""
        if not self.files:
            return self.add_file()
        self.counter += 1
        branch = f"side{self.counter}"
        start = {path: list(lines) for path, lines in self.files.items()}
        mode = self.rng.choice(("plain", "conflict", "combine"))
        headerless = [p for p, lines in sorted(self.files.items()) if p.endswith(".csv") and len(lines) >= 4]
        headerless = [p for p in headerless if self.files[p][0] != CSV_HEADER]
        if mode == "combine" and not headerless:
            made = self.name("data", "csv")
            self.files[made] = [self.payloads.csv_row() for _ in range(5)]
            self.commit(f"add {made}", made)
            start[made], headerless = list(self.files[made]), [made]
        shared = self.rng.choice(headerless if mode == "combine" else sorted(self.files))
        self.repo.git("checkout", "-q", "-b", branch)
        if mode == "conflict":
            self.files[shared].append("side = 1")
            self.commit("side changes the shared line", shared)
        if mode == "combine":
            self.files[shared] += [self.payloads.csv_row(), self.payloads.csv_row()]
            self.commit("side adds rows", shared)
        else:
            for _ in range(self.rng.randint(1, 2)):
                self.rng.choice((self.add_file, self.edit))()
        side = {path: list(lines) for path, lines in self.files.items()}
        side_utf16 = set(self.utf16)
        self.repo.git("checkout", "-q", "main")
        self.files = {path: list(lines) for path, lines in start.items()}
        for path in sorted(set(side) - set(start)):
            self.utf16.discard(path)
        if mode == "conflict":
            self.files[shared].append("main = 2")
            self.commit("main changes the shared line", shared)
        elif mode == "combine":
            self.files[shared].insert(0, CSV_HEADER)
            self.commit("main adds the header", shared)
        else:
            self.add_file()
        main_files = self.files
        # A conflict makes git exit 1: the resolution below settles every file anyway.
        subprocess.run(
            ["git", "merge", "-q", "--no-ff", "--no-commit", branch], cwd=self.repo.path, capture_output=True
        )
        merged = {**side, **{p: text for p, text in main_files.items() if p not in side or side[p] == start.get(p)}}
        for path in set(start) - set(side):
            merged.pop(path, None)
        if mode == "conflict":
            resolution = self.rng.choice((self.payloads.stripe, self.payloads.csv_row))()
            merged[shared] = [*start[shared], resolution]
        elif mode == "combine":
            merged[shared] = [CSV_HEADER, *side[shared]]
        self.files = merged
        self.utf16 |= side_utf16
        for path in self.files:
            self.write(path)
        for tracked in self.repo.git("ls-files", "-z").split("\0"):
            if tracked and tracked not in self.files and os.path.lexists(self.repo.path / tracked):
                os.remove(self.repo.path / tracked)
        self.repo.git("add", "-A")
        self.repo.commit(f"merge {branch}")
        return None


def random_history(repo: Repo, seed: int, steps: int) -> None:
    rng = random.Random(seed)
    history = History(repo, rng, Payloads(rng))
    history.add_file()
    operations = (history.add_file, history.edit, history.edit, history.move, history.delete, history.merge)
    for _ in range(steps):
        rng.choice(operations)()
