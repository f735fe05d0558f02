"""The benchmark's corpora, built reproducibly under ``benchmarks/.corpora/`` (git-ignored) on first use.

  django       the Django 5.2.19 source distribution, downloaded from PyPI with pip
  stdlib       a copy of the running Python's standard library
  one-file     a single small Python file (the pre-commit hook's case)
  history-2k   a synthetic git repository of 2,000 commits (``history-4k``: 4,000), for ``scan --history``

The history repositories are generated from the Django sources with a fixed seed, dates and author, through
``git fast-import``: the first 2,000 commits of the larger one are those of the smaller one, so that their
scan times show how history scanning grows with the number of commits. Every few hundred commits a
secret-shaped value is committed and removed again later, so that every scanner has something to find in
history that the tip no longer holds. Those values are assembled at run time from a seeded generator, never
written in this file, so that the repository passes its own scan.
"""

from __future__ import annotations

import random
import shutil
import string
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPORA = HERE / ".corpora"
DJANGO = "django==5.2.19"
HISTORY_SEED = 20251127
HISTORY_SIZES = {"history-2k": 2000, "history-4k": 4000}
PLANT_EVERY = 250  # commits between two planted secret-shaped values
MAX_FILE_LINES = 400


@dataclass(frozen=True)
class Corpus:
    name: str
    path: Path
    history: bool = False  # scanned with --history (and the peers' git-log modes), not as a tree


def build_django() -> Path:
    target = CORPORA / "django"
    if not target.exists():
        with tempfile.TemporaryDirectory() as download:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "--no-binary",
                    ":all:",
                    DJANGO,
                    "-d",
                    download,
                ],
                check=True,
            )
            (archive,) = Path(download).glob("*.tar.gz")
            unpacked = CORPORA / "django-unpacked"
            with tarfile.open(archive) as tar:
                tar.extractall(unpacked, filter="data")
        (inner,) = unpacked.iterdir()
        inner.rename(target)
        shutil.rmtree(unpacked)
    return target


def build_stdlib() -> Path:
    target = CORPORA / "stdlib"
    if not target.exists():
        shutil.copytree(
            sysconfig.get_paths()["stdlib"],
            target,
            symlinks=True,
            ignore=shutil.ignore_patterns("site-packages", "__pycache__"),
        )
    return target


def build_one_file() -> Path:
    target = CORPORA / "one-file" / "settings.py"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("import os\n\nDATABASE_URL = os.environ['DATABASE_URL']\nDEBUG = False\n" * 20)
    return target


def _secret_shaped(rng: random.Random, kind: int) -> str:
    """A value shaped like a provider key (assembled here, never a literal in the repository)."""
    upper, mixed = string.ascii_uppercase + string.digits, string.ascii_letters + string.digits
    if kind == 0:
        return "AK" + "IA" + "".join(rng.choice(upper) for _ in range(16))
    if kind == 1:
        return "sk_" + "live_" + "".join(rng.choice(mixed) for _ in range(24))
    return "gh" + "p_" + "".join(rng.choice(mixed) for _ in range(36))


def _planted_line(rng: random.Random, number: int) -> str:
    value = _secret_shaped(rng, number % 3)
    name = ("AWS_ACCESS_KEY_ID", "STRIPE_API_KEY", "GITHUB_TOKEN")[number % 3]
    return f'{name} = "{value}"'


class _HistoryWriter:
    """Generates the commits of a synthetic history as a ``git fast-import`` stream."""

    def __init__(self, pool: list[list[str]], seed: int) -> None:
        self.pool = pool
        self.rng = random.Random(seed)
        self.files: dict[str, list[str]] = {}
        self.planted: dict[int, tuple[str, str]] = {}  # commit that removes it -> (path, line)

    def _chunk(self, low: int, high: int) -> list[str]:
        lines = self.rng.choice(self.pool)
        size = self.rng.randint(low, high)
        start = self.rng.randint(0, max(0, len(lines) - size))
        return lines[start : start + size]

    def _changes(self, number: int) -> Iterator[str]:
        """The paths commit ``number`` touches (their new content is in ``self.files``)."""
        rng = self.rng
        if not self.files or rng.random() < 0.25:
            path = f"app{rng.randint(0, 19):02d}/module_{len(self.files):04d}.py"
            self.files[path] = self._chunk(20, 200)
            yield path
        for _ in range(rng.randint(1, 3)):
            path = rng.choice(sorted(self.files))
            lines = self.files[path]
            at = rng.randint(0, len(lines))
            lines[at : at + rng.randint(0, 10)] = self._chunk(3, 30)
            del lines[MAX_FILE_LINES:]
            yield path
        if number % PLANT_EVERY == PLANT_EVERY // 2:
            path, line = rng.choice(sorted(self.files)), _planted_line(rng, number)
            self.files[path].insert(rng.randint(0, len(self.files[path])), line)
            self.planted[number + PLANT_EVERY // 5] = (path, line)
            yield path
        if number in self.planted:
            path, line = self.planted.pop(number)
            self.files[path] = [kept for kept in self.files[path] if kept != line]
            yield path

    def stream(self, commits: int) -> Iterator[bytes]:
        for number in range(1, commits + 1):
            touched = sorted(set(self._changes(number)))
            message = f"Change {number}: update {', '.join(touched)}\n".encode()
            yield b"commit refs/heads/main\n"
            yield f"committer Bench <bench@example.invalid> {1_700_000_000 + number * 3600} +0000\n".encode()
            yield b"data %d\n%s\n" % (len(message), message)
            for path in touched:
                data = ("\n".join(self.files[path]) + "\n").encode()
                yield f"M 100644 inline {path}\n".encode() + b"data %d\n" % len(data) + data + b"\n"


def _source_pool(django: Path) -> list[list[str]]:
    pool = []
    for path in sorted(django.rglob("*.py")):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        if len(lines) >= 30:
            pool.append(lines)
    return pool


def build_history(name: str) -> Path:
    target = CORPORA / name
    if target.exists():
        return target
    building = CORPORA / f"{name}.building"
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(parents=True)
    git = ["git", "-c", "init.defaultBranch=main", "-C", str(building)]
    subprocess.run([*git, "init", "-q"], check=True)
    writer = _HistoryWriter(_source_pool(build_django()), HISTORY_SEED)
    importer = subprocess.Popen([*git, "fast-import", "--quiet"], stdin=subprocess.PIPE)
    assert importer.stdin is not None
    for chunk in writer.stream(HISTORY_SIZES[name]):
        importer.stdin.write(chunk)
    importer.stdin.close()
    if importer.wait() != 0:
        raise SystemExit(f"git fast-import failed while building {name}")
    subprocess.run([*git, "symbolic-ref", "HEAD", "refs/heads/main"], check=True)
    subprocess.run([*git, "reset", "-q", "--hard"], check=True)
    subprocess.run([*git, "gc", "-q", "--aggressive"], check=True)
    building.rename(target)
    return target


BUILDERS: dict[str, Callable[[], Path]] = {
    "django": build_django,
    "stdlib": build_stdlib,
    "one-file": build_one_file,
    "history-2k": lambda: build_history("history-2k"),
    "history-4k": lambda: build_history("history-4k"),
}


def history_repo(source: Path) -> list[Corpus]:
    """A real history to scan, from any repository or git bundle: a clone of it (under ``.corpora/``, made once)
    and a clone of the first half of its history (its default branch, cut at the commit in the middle of
    ``git rev-list``), so that the two rows show whether the cost grows linearly with the commits. The clones
    keep every branch the source has, as a reviewer's audit would see them."""
    name = source.name.removesuffix(".bundle").removesuffix(".git")
    full, half = CORPORA / f"repo-{name}", CORPORA / f"repo-{name}-half"
    if not full.exists():
        subprocess.run(["git", "clone", "-q", "--no-checkout", str(source.resolve()), str(full)], check=True)
    if not half.exists():
        commits = subprocess.run(
            ["git", "-C", str(full), "rev-list", "HEAD"], check=True, capture_output=True, text=True
        ).stdout.split()
        middle = commits[len(commits) // 2]
        subprocess.run(["git", "-C", str(full), "branch", "-f", "bench-half", middle], check=True)
        subprocess.run(
            [
                "git",
                "clone",
                "-q",
                "--no-checkout",
                "--single-branch",
                "--no-tags",
                "--branch",
                "bench-half",
                str(full),
                str(half),
            ],
            check=True,
        )
    return [Corpus(f"repo {name}", full, history=True), Corpus(f"repo {name} (first half)", half, history=True)]


def build(name: str) -> Corpus:
    CORPORA.mkdir(exist_ok=True)
    return Corpus(name, BUILDERS[name](), history=name.startswith("history-"))


def corpus_size(corpus: Corpus) -> tuple[int, int]:
    """(files, bytes) of a tree corpus; (commits, bytes of the patches) of a history corpus."""
    if corpus.history:
        count = subprocess.run(
            ["git", "-C", str(corpus.path), "rev-list", "--count", "HEAD"], check=True, capture_output=True, text=True
        ).stdout
        size = 0
        with subprocess.Popen(
            ["git", "-C", str(corpus.path), "log", "-p", "--format=%H%n%B"], stdout=subprocess.PIPE
        ) as patch:
            assert patch.stdout is not None
            while block := patch.stdout.read(1 << 20):
                size += len(block)
        return int(count), size
    if corpus.path.is_file():
        return 1, corpus.path.stat().st_size
    files = [p for p in corpus.path.rglob("*") if p.is_file() and not p.is_symlink()]
    return len(files), sum(p.stat().st_size for p in files)
