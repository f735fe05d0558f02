"""How the CI tests run what the docs and action.yml say: a release of this checkout to install from, GitHub's
bash, a CI job's environment and a repository shaped like a pull request.

The release is a ``git clone`` of this checkout's committed tree, tagged ``vX.Y.Z`` (the version the docs name) in
the clone, so that the documented install lines run with only the repository's URL replaced by the clone's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from git_repo import Repo, secret_line

from cavra_safety import __version__

CHECKOUT = Path(__file__).resolve().parents[1]
TAG = f"v{__version__}"
# The repository the docs install from; <owner> is the placeholder for the account that hosts the trusted copy.
DOCUMENTED_URL = "https://github.com/<owner>/cavra-safety"


def quiet_git_env() -> dict[str, str]:
    """No user or system git configuration, and an identity for the tag (session fixtures run before the
    per-test isolation of conftest)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    return {
        **env,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "release",
        "GIT_AUTHOR_EMAIL": "release@example.invalid",
        "GIT_COMMITTER_NAME": "release",
        "GIT_COMMITTER_EMAIL": "release@example.invalid",
    }


def tagged_clone(destination: Path) -> Path:
    """A clone of this checkout's committed tree with the release tag on its HEAD (moved there if the checkout
    already has that tag on an older commit)."""
    env = quiet_git_env()
    subprocess.run(["git", "clone", "-q", str(CHECKOUT), str(destination)], check=True, capture_output=True, env=env)
    subprocess.run(
        ["git", "-C", str(destination), "tag", "-f", "-a", TAG, "-m", f"cavra-safety {__version__}"],
        check=True,
        capture_output=True,
        env=env,
    )
    return destination


def clone_url(clone: Path) -> str:
    """The clone as a URL pip and git both take. ``file://localhost/...``: pip's own requirement parser (23.x)
    refuses ``git+file:///...``, a URL without a host."""
    return f"file://localhost{clone}"


def job_env(bin_dirs: list[Path], extra: dict[str, str] | None = None) -> dict[str, str]:
    """A CI job's environment: these folders first on PATH (as actions/setup-python puts its Python), and this
    checkout NOT on PYTHONPATH, so that only what the job installed can run."""
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    path = os.pathsep.join([*map(str, bin_dirs), env.get("PATH", "")])
    return {**env, "PATH": path, **(extra or {})}


def interpreter_dir() -> Path:
    """Where this test run's ``python3`` lives: the runner's ``python3`` of the action's install step."""
    return Path(sys.executable).parent


def bash(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    # GitHub's shell for `shell: bash` (and the default on Linux): `bash --noprofile --norc -eo pipefail {0}`.
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def pull_request(repo: Repo, leak: bool) -> str:
    """main with a tenant-free app, a moved-on main, and a feature branch that may add a secret, checked out
    detached as actions/checkout leaves it. Returns the pull request's base (main's head)."""
    repo.commit("base", {"app.py": "x = 1\n", "old.py": secret_line("old, accepted long ago")})
    repo.git("checkout", "-q", "-b", "feature")
    repo.commit("feature", {"feature.py": "import os\n" + (secret_line("pr") if leak else "KEY = os.environ['K']\n")})
    repo.git("checkout", "-q", "main")
    base = repo.commit("main moves on", {"main.py": "y = 2\n"})
    repo.git("checkout", "-q", "--detach", "feature")
    return base
