"""The pre-commit hook end to end, with the real ``pre-commit`` in real git repositories.

One test installs the published hook (``.pre-commit-hooks.yaml``, ``language: python``) from a committed copy
of this checkout, as a user's ``.pre-commit-config.yaml`` would: pre-commit builds its virtualenv and
installs the package's dependencies from the package index (network). The others run the same hook
definition as a ``language: system`` hook on this environment's interpreter, so they are fast and offline.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from cavra_safety import __version__

CHECKOUT = Path(__file__).resolve().parent.parent
RULE = "policy/stripe-live-secret-key"
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "*.egg-info", "__pycache__", ".*_cache", "build", "dist", ".import_linter_cache"
)


def secret_line(seed: str) -> str:
    return 'STRIPE_KEY = "' + "sk_" + "live_" + (seed * 24)[:12] + 'Hv8Rt2Wq6Np3"\n'


def readme_example() -> dict[str, Any]:
    """The README's ``.pre-commit-config.yaml`` example, as written (after ``<!-- release:pre-commit -->``)."""
    match = re.search(
        r"<!-- release:pre-commit -->\n```yaml\n(.*?)\n```", (CHECKOUT / "README.md").read_text(), re.DOTALL
    )
    assert match, "README.md has no block marked release:pre-commit"
    config: dict[str, Any] = yaml.safe_load(match.group(1))
    assert config["repos"][0]["repo"] == "https://github.com/<owner>/cavra-safety"
    return config


def published_hook() -> dict[str, object]:
    (hook,) = yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())
    return dict(hook)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(
        {
            "HOME": str(tmp_path / "home"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": str(tmp_path / "home" / ".gitconfig"),
            "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@example.invalid",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@example.invalid",
        }
    )
    (tmp_path / "home").mkdir(exist_ok=True)
    return env


def sh(cwd: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), cwd=cwd, env=env, capture_output=True, text=True, check=False)


def pre_commit(cwd: Path, env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return sh(cwd, env, sys.executable, "-m", "pre_commit", *argv)


def make_repo(path: Path, env: dict[str, str], config: dict[str, object]) -> Path:
    path.mkdir(parents=True)
    assert sh(path, env, "git", "init", "-q", "-b", "main").returncode == 0
    (path / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    (path / "README.md").write_text("demo\n")
    sh(path, env, "git", "add", "-A")
    assert sh(path, env, "git", "commit", "-q", "-m", "init", "--no-verify").returncode == 0
    return path


def local_config() -> dict[str, object]:
    """The published hook, run by this interpreter instead of a pre-commit-built virtualenv."""
    hook = published_hook()
    entry = str(hook["entry"]).replace("cavra-safety", f"{sys.executable} -m cavra_safety", 1)
    return {"repos": [{"repo": "local", "hooks": [{**hook, "entry": entry, "language": "system"}]}]}


def test_a_commit_with_a_secret_is_refused_and_a_clean_one_accepted(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo = make_repo(tmp_path / "repo", env, local_config())
    assert pre_commit(repo, env, "install").returncode == 0
    (repo / "settings.py").write_text("import os\n" + secret_line("hook"))
    sh(repo, env, "git", "add", "settings.py")
    refused = sh(repo, env, "git", "commit", "-m", "add settings")
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert "settings.py" in output and RULE in output
    assert f"cavra: allow {RULE} -- <reason>" in output  # how to allow it
    assert secret_line("hook").split('"')[1] not in output
    assert sh(repo, env, "git", "rev-list", "--count", "HEAD").stdout.strip() == "1"
    assert (repo / "settings.py").read_text() == "import os\n" + secret_line("hook")  # nothing rewritten
    # Fixed: read from the environment. The commit goes through.
    (repo / "settings.py").write_text("import os\nSTRIPE_KEY = os.environ['STRIPE_KEY']\n")
    sh(repo, env, "git", "add", "settings.py")
    accepted = sh(repo, env, "git", "commit", "-q", "-m", "add settings")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert sh(repo, env, "git", "rev-list", "--count", "HEAD").stdout.strip() == "2"


def test_only_staged_content_is_checked_on_commit(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo = make_repo(tmp_path / "repo", env, local_config())
    assert pre_commit(repo, env, "install").returncode == 0
    (repo / "app.py").write_text("x = 1\n")
    sh(repo, env, "git", "add", "app.py")
    (repo / "app.py").write_text("x = 1\n" + secret_line("unstaged"))  # not part of this commit
    done = sh(repo, env, "git", "commit", "-q", "-m", "clean part only")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (repo / "app.py").read_text().endswith(secret_line("unstaged"))  # pre-commit restored the tree


def test_run_all_files_fails_on_a_secret_already_committed(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo = make_repo(tmp_path / "repo", env, local_config())
    (repo / "old config.py").write_text(secret_line("committed"))
    sh(repo, env, "git", "add", "-A")
    assert sh(repo, env, "git", "commit", "-q", "-m", "sneak", "--no-verify").returncode == 0
    # Nothing is staged: a hook that scanned the index instead of the files passed would say all clear.
    done = pre_commit(repo, env, "run", "--all-files")
    assert done.returncode == 1
    assert "old config.py" in done.stdout and RULE in done.stdout


def test_the_baseline_and_inline_allows_are_honoured(tmp_path: Path) -> None:
    env = _env(tmp_path)
    repo = make_repo(tmp_path / "repo", env, local_config())
    (repo / "accepted.py").write_text(secret_line("accepted"))
    (repo / "allowed.py").write_text(f"# cavra: allow {RULE} -- documented test value\n" + secret_line("allowed"))
    assert (
        sh(
            repo, env, sys.executable, "-m", "cavra_safety", "baseline", "create", "accepted.py", "--reason", "rotated"
        ).returncode
        == 0
    )
    sh(repo, env, "git", "add", "-A")
    done = pre_commit(repo, env, "run", "--all-files")
    assert done.returncode == 0, done.stdout


def test_the_published_hook_installs_and_runs_from_a_repository(tmp_path: Path) -> None:
    """The real thing, as the README shows it: pre-commit clones this checkout at the release tag and installs it
    with pip (network)."""
    env = _env(tmp_path)
    source = tmp_path / "cavra-safety"
    shutil.copytree(CHECKOUT, source, ignore=COPY_IGNORE, symlinks=True)
    sh(source, env, "git", "init", "-q", "-b", "main")
    sh(source, env, "git", "add", "-A")
    assert sh(source, env, "git", "commit", "-q", "-m", "snapshot", "--no-verify").returncode == 0
    # The README's example as written (rev: vX.Y.Z), with only the repository's URL replaced by the snapshot's.
    config = readme_example()
    (entry,) = config["repos"]
    assert entry["rev"] == f"v{__version__}" and entry["hooks"] == [{"id": "cavra-safety"}]
    assert sh(source, env, "git", "tag", "-a", entry["rev"], "-m", "release").returncode == 0
    entry["repo"] = str(source)
    repo = make_repo(tmp_path / "repo", env, config)
    (repo / "settings.py").write_text(secret_line("published"))
    sh(repo, env, "git", "add", "-A")
    done = pre_commit(repo, env, "run", "--all-files")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "settings.py" in done.stdout and RULE in done.stdout
    (repo / "settings.py").write_text("import os\n")
    sh(repo, env, "git", "add", "-A")
    done = pre_commit(repo, env, "run", "--all-files")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("key", ["id", "name", "entry", "language"])
def test_the_hook_definition_has_what_pre_commit_needs(key: str) -> None:
    hook = published_hook()
    assert hook[key]
    assert hook["language"] == "python" and hook["id"] == "cavra-safety"
    assert str(hook["entry"]).split()[:2] == ["cavra-safety", "scan"]
    assert hook.get("pass_filenames", True) is True  # scan what pre-commit passes, never the index
