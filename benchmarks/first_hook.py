"""The first hooked commit, as a new contributor meets it: the real pre-commit, an empty ``PRE_COMMIT_HOME``
(pre-commit builds the hook's virtualenv and installs cavra-safety with its dependencies from the package index)
and an empty pip cache (``--warm-pip-cache`` keeps the user's), one ``git commit`` of a small clean file, timed.

    python benchmarks/first_hook.py                  # HEAD of this checkout, 3 runs
    python benchmarks/first_hook.py --rev HEAD~1 --runs 5

The hook's repository is a local clone of ``--repo`` (default: this checkout) at ``--rev``, which the temporary
repository's ``.pre-commit-config.yaml`` names as ``repo:`` with the revision's full commit name as ``rev:``, so
exactly that revision's ``.pre-commit-hooks.yaml`` and ``pyproject.toml`` are installed. Needs the network (the
package index) and ``pre-commit`` in the running interpreter. Prints each run and the median, in seconds.
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


def first_commit_seconds(source: Path, commit: str, work: Path, warm_pip_cache: bool) -> float:
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
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=CHECKOUT, help="the cavra-safety repository (default: this one)")
    parser.add_argument("--rev", default="HEAD", help="the revision whose hook is installed (default: HEAD)")
    parser.add_argument("--runs", type=int, default=3, help="timed commits, each from scratch (default: 3)")
    parser.add_argument("--warm-pip-cache", action="store_true", help="keep pip's cache (default: an empty one)")
    args = parser.parse_args(argv)
    seconds: list[float] = []
    with tempfile.TemporaryDirectory(prefix="cavra-first-hook-") as scratch:
        source, commit = hook_source(args.repo.resolve(), args.rev, Path(scratch) / "hook-source")
        cache = "warm" if args.warm_pip_cache else "empty"
        print(f"hook at {commit[:12]} ({args.rev}), {args.runs} runs, pip cache {cache}")
        for number in range(1, args.runs + 1):
            elapsed = first_commit_seconds(source, commit, Path(scratch) / f"run-{number}", args.warm_pip_cache)
            seconds.append(elapsed)
            print(f"  run {number}: {elapsed:.1f} s", flush=True)
    print(f"first hooked commit: median {statistics.median(seconds):.1f} s over {len(seconds)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
