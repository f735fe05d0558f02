"""The first hooked commit, as a new contributor meets it: the real pre-commit, an empty ``PRE_COMMIT_HOME``
(pre-commit builds the hook's virtualenv and installs cavra-safety with its dependencies from the package index)
and an empty pip cache (``--warm-pip-cache`` keeps the user's), one ``git commit`` of a small clean file, timed.

    python benchmarks/first_hook.py                  # HEAD of this checkout, 3 runs
    python benchmarks/first_hook.py --rev HEAD~1 --rev HEAD --runs 5   # before and after, runs alternating

The hook's repository is a local clone of ``--repo`` (default: this checkout) at ``--rev``, which the temporary
repository's ``.pre-commit-config.yaml`` names as ``repo:`` with the revision's full commit name as ``rev:``, so
exactly that revision's ``.pre-commit-hooks.yaml`` and ``pyproject.toml`` are installed. Needs the network (the
package index) and ``pre-commit`` in the running interpreter. Prints each run and the median, in seconds, and
what the hook's environment holds (distributions and megabytes), which does not depend on the machine's load.
With several ``--rev``, their runs alternate, so that a busy machine slows each of them alike.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

CHECKOUT = Path(__file__).resolve().parent.parent
CLEAN_FILE = "import os\n\nDATABASE_URL = os.environ['DATABASE_URL']\nDEBUG = False\n"


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): {' '.join(argv)}\n{done.stdout}{done.stderr}")
    return done


def _environment(home: Path, warm_pip_cache: bool) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "PRE_COMMIT", "PIP_"))}
    env.update(
        {
            "HOME": str(home),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
            "PRE_COMMIT_HOME": str(home / "pre-commit-cache"),
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@example.invalid",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.invalid",
        }
    )
    if warm_pip_cache:
        env["PIP_CACHE_DIR"] = os.environ.get("PIP_CACHE_DIR", str(Path.home() / ".cache" / "pip"))
    else:
        env["PIP_CACHE_DIR"] = str(home / "pip-cache")
    return env


def hook_source(repo: Path, rev: str, into: Path) -> tuple[Path, str]:
    """A local clone of ``repo`` holding ``rev`` (any revision name), and that revision's full commit name."""
    commit = _run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], repo, dict(os.environ)).stdout.strip()
    _run(["git", "clone", "--quiet", "--no-checkout", str(repo), str(into)], repo, dict(os.environ))
    # A branch holds the revision, so that pre-commit's own clone of this one (of its branches) has it.
    _run(["git", "fetch", "--quiet", str(repo), f"{commit}:refs/heads/first-hook-benchmark"], into, dict(os.environ))
    return into, commit


def hook_environment(pre_commit_home: Path) -> tuple[list[str], float]:
    """The distributions installed in the hook's virtualenv (sorted names) and its size in megabytes."""
    environments = sorted(pre_commit_home.glob("repo*/py_env-*"))
    names = sorted(
        {
            info.name.split("-")[0].lower()
            for env in environments
            for info in env.glob("lib/python*/site-packages/*.dist-info")
        }
    )
    size = sum(file.stat().st_size for env in environments for file in env.rglob("*") if file.is_file())
    return names, size / 1e6


class Run(NamedTuple):
    seconds: float
    distributions: list[str]
    megabytes: float


def first_commit(source: Path, commit: str, work: Path, warm_pip_cache: bool) -> Run:
    """One fresh repository with the hook installed, one timed ``git commit``."""
    home = work / "home"
    home.mkdir(parents=True)
    env = _environment(home, warm_pip_cache)
    project = work / "project"
    project.mkdir()
    _run(["git", "init", "--quiet", "-b", "main"], project, env)
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {source}\n    rev: {commit}\n    hooks:\n      - id: cavra-safety\n", encoding="utf-8"
    )
    _run([sys.executable, "-m", "pre_commit", "install"], project, env)
    (project / "settings.py").write_text(CLEAN_FILE, encoding="utf-8")
    _run(["git", "add", "settings.py", ".pre-commit-config.yaml"], project, env)
    started = time.perf_counter()
    _run(["git", "commit", "--quiet", "-m", "first commit"], project, env)
    seconds = time.perf_counter() - started
    return Run(seconds, *hook_environment(Path(env["PRE_COMMIT_HOME"])))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=CHECKOUT, help="the cavra-safety repository (default: this one)")
    parser.add_argument(
        "--rev", action="append", help="a revision whose hook is installed (default: HEAD); repeatable, runs alternate"
    )
    parser.add_argument(
        "--runs", type=int, default=3, help="timed commits per revision, each from scratch (default: 3)"
    )
    parser.add_argument("--warm-pip-cache", action="store_true", help="keep pip's cache (default: an empty one)")
    args = parser.parse_args(argv)
    revisions: list[str] = args.rev or ["HEAD"]
    runs: dict[str, list[Run]] = {rev: [] for rev in revisions}
    cache = "warm" if args.warm_pip_cache else "empty"
    with tempfile.TemporaryDirectory(prefix="cavra-first-hook-") as scratch:
        sources = {
            rev: hook_source(args.repo.resolve(), rev, Path(scratch) / f"hook-source-{index}")
            for index, rev in enumerate(revisions)
        }
        print(f"{args.runs} runs per revision, pip cache {cache}")
        for number in range(1, args.runs + 1):
            for index, (rev, (source, commit)) in enumerate(sources.items()):
                run = first_commit(source, commit, Path(scratch) / f"run-{number}-{index}", args.warm_pip_cache)
                runs[rev].append(run)
                print(f"  {rev} ({commit[:12]}) run {number}: {run.seconds:.1f} s", flush=True)
    for rev, done in runs.items():
        last = done[-1]
        median = statistics.median(run.seconds for run in done)
        print(f"{rev}: first hooked commit, median {median:.1f} s over {len(done)} runs")
        print(f"  hook environment: {len(last.distributions)} distributions, {last.megabytes:.0f} MB:")
        print(f"  {' '.join(last.distributions)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
