"""Hostile repositories: no program that git configuration names ever runs when cavra-safety runs git, and no
configuration or attribute hides a change from a scan (DESIGN.md, section 4).

Each setting builds one real repository (shared by every command) whose configuration names a program that
leaves a mark when it runs (and, for a long-running filter process, hangs); every command that reads git runs
in it in-process, under a deadline, and must leave no mark, finish in time and give its normal answer.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import shlex
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from git_repo import STRIPE_RULE, Cli, Repo, places, secret_line

pytestmark = pytest.mark.skipif(os.name != "posix", reason="the hostile programs are shell scripts")
DEADLINE_SECONDS = 20.0
PROGRAM = """#!/bin/sh
# Run by git only if cavra-safety lets it: leave a mark, then play the part.
printf '%s\\n' "$*" >> {marker}
case "$1" in
  filter) exec cat ;;
  hang) exec sleep 30 </dev/null >/dev/null 2>&1 ;;
esac
exit 0
"""
SIGNATURES = {
    "openpgp": ("PGP SIGNATURE", "iQEzBAABCAAdFiEEc2lnbmF0dXJlLW5vdC1jaGVja2Vk"),
    "ssh": ("SSH SIGNATURE", "U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTk"),
    "x509": ("SIGNED MESSAGE", "MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgB"),
}
# Every hook git knows of (githooks(5)): none may run, from .git/hooks or from core.hooksPath.
HOOKS = (
    "applypatch-msg pre-applypatch post-applypatch pre-commit pre-merge-commit prepare-commit-msg commit-msg "
    "post-commit pre-rebase post-checkout post-merge pre-push pre-receive update proc-receive post-receive "
    "post-update reference-transaction push-to-checkout pre-auto-gc post-rewrite sendemail-validate "
    "fsmonitor-watchman p4-changelist p4-prepare-changelist p4-post-changelist p4-pre-submit post-index-change"
).split()
# The git commands cavra-safety runs, each shadowed by an alias (git's own commands win over aliases).
ALIASED = "log diff diff-index status rev-parse rev-list cat-file ls-files ls-tree merge-base symbolic-ref config"


@dataclass(frozen=True)
class Setting:
    """A hostile configuration: ``config`` values may name ``{program}``, ``{hooks}``, ``{here}`` and
    ``{server}`` (an HTTP server that asks for credentials); ``partial`` builds a partial clone with a blob
    missing, so that a read would fetch; ``scope`` is the file the configuration goes in."""

    name: str
    config: dict[str, str]
    attributes: str = ""
    signature: str = "openpgp"
    partial: str | None = None  # the remote URL of a partial clone ("file" for the clone's own origin)
    hooks: bool = False
    scope: str = "local"
    # A plain git command that does run the program (on a terminal, for a pager): the repository is armed.
    armed_by: tuple[str, ...] = ("log", "-p")
    terminal: bool = False


SETTINGS = [
    Setting("filter clean", {"filter.evil.clean": "{program} filter clean"}, "* filter=evil", armed_by=("status",)),
    Setting(
        "filter smudge",
        {"filter.evil.smudge": "{program} filter smudge"},
        "* filter=evil",
        armed_by=("cat-file", "--filters", "HEAD:app.py"),
    ),
    Setting(
        "filter process",
        {"filter.evil.process": "{program} hang", "filter.evil.required": "true"},
        "* filter=evil",
        armed_by=("status",),
    ),
    Setting("textconv", {"diff.evil.textconv": "{program} textconv"}, "* diff=evil"),
    Setting("diff.external", {"diff.external": "{program} external"}, armed_by=("diff", "HEAD~1")),
    Setting(
        "diff driver command", {"diff.evil.command": "{program} command"}, "* diff=evil", armed_by=("diff", "HEAD~1")
    ),
    Setting("fsmonitor", {"core.fsmonitor": "{program} fsmonitor"}, armed_by=("status",)),
    Setting(
        "pager",
        {f"pager.{name}": "{program} pager" for name in ALIASED.split()} | {"core.pager": "{program}"},
        terminal=True,
    ),
    Setting("hooks", {}, hooks=True, armed_by=("hook", "run", "pre-commit")),
    Setting("core.hooksPath", {"core.hooksPath": "{hooks}"}, hooks=True, armed_by=("hook", "run", "pre-commit")),
    Setting("gpg.program", {"log.showSignature": "true", "gpg.program": "{program}"}),
    Setting(
        "gpg.ssh.program",
        {
            "log.showSignature": "true",
            "gpg.format": "ssh",
            "gpg.ssh.program": "{program}",
            "gpg.ssh.allowedSignersFile": "{here}/allowed_signers",
        },
        signature="ssh",
    ),
    Setting(
        "gpg.x509.program",
        {"log.showSignature": "true", "gpg.format": "x509", "gpg.x509.program": "{program}"},
        signature="x509",
    ),
    Setting("gpg.program (global)", {"log.showSignature": "true", "gpg.program": "{program}"}, scope="global"),
    Setting("credential.helper", {"credential.helper": "!{program} credential"}, partial="{server}"),
    Setting("core.askPass", {"core.askPass": "{program}"}, partial="{server}"),
    Setting("core.sshCommand", {"core.sshCommand": "{program} ssh"}, partial="ssh://example.invalid/repo.git"),
    Setting(
        "ext transport",
        {"protocol.allow": "always", "protocol.ext.allow": "always"},
        partial="ext::{program} ext",
    ),
    Setting(
        "remote uploadpack",
        {"protocol.file.allow": "always", "remote.origin.uploadpack": "{program} upload-pack"},
        partial="file",
    ),
    Setting(
        "aliases",
        {f"alias.{name}": "!{program} alias" for name in [*ALIASED.split(), "scan", "audit"]},
        armed_by=("scan",),  # an alias that shadows nothing runs; those named like git's commands never do
    ),
]


@dataclass
class Hostile:
    setting: Setting
    path: Path
    marker: Path
    baseline: Path
    global_config: Path
    checked: bool = False  # the repository was shown to be armed

    def ran(self) -> str:
        """What the hostile program was run for (and the mark removed, so that each command is judged alone)."""
        if not self.marker.exists():
            return ""
        text = self.marker.read_text()
        self.marker.unlink()
        return text


def _git(cwd: Path, *args: str, input_text: str | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, input=input_text, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"git {args}: {done.stderr}"
    return done.stdout


def _signed_commit(repo: Repo, parent: str, signature: str) -> str:
    """A commit object that carries a signature header (never checked: the program must not be called)."""
    armor, body = SIGNATURES[signature]
    tree = repo.git("write-tree").strip()
    stamp = f"{repo.clock + 3600} +0000"
    person = "Test Author <author@example.invalid>"
    text = (
        f"tree {tree}\nparent {parent}\nauthor {person} {stamp}\ncommitter {person} {stamp}\n"
        f"gpgsig -----BEGIN {armor}-----\n \n {body}\n -----END {armor}-----\n\nadd the configuration\n"
    )
    return _git(repo.path, "hash-object", "-t", "commit", "-w", "--stdin", input_text=text).strip()


def _full_repository(path: Path, signature: str) -> None:
    """Two commits (the second signed, adding a secret), a staged secret, an untracked file, and a tracked file
    whose stat data no longer matches the index (so that ``git status`` would read it through a filter)."""
    repo = Repo(path)
    base = repo.commit("base", {"app.py": "x = 1\n", "notes.txt": "v1\n"})
    repo.write("notes.txt", "v2\n")
    repo.write("config.py", secret_line("hostile-history"))
    repo.git("add", "-A")
    repo.git("update-ref", "refs/heads/main", _signed_commit(repo, base, signature))
    _work_in_progress(path)


def _work_in_progress(path: Path) -> None:
    (path / "staged.py").write_text(secret_line("hostile-staged"))
    _git(path, "add", "staged.py")
    (path / "untracked.txt").write_text("scratch\n")
    app = path / "app.py"
    later = app.stat().st_mtime_ns + 5 * 10**9
    os.utime(app, ns=(later, later))


def _partial_clone(path: Path, server: Path) -> None:
    """A blob-less clone: the first version of notes.txt is not here, so a diff or a history would fetch it."""
    origin = Repo(server)
    origin.commit("base", {"app.py": "x = 1\n", "notes.txt": "v1\n"})
    origin.commit("leak", {"notes.txt": "v2\n", "config.py": secret_line("hostile-history")})
    origin.git("config", "uploadpack.allowFilter", "true")
    _git(server.parent, "clone", "-q", "--filter=blob:none", f"file://{server}", str(path))
    _work_in_progress(path)


class _AskForPassword(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="hostile"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """An HTTP remote that asks for credentials (so that a fetch would call the credential helper and askpass)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AskForPassword)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/repo.git"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def hostile_repos(
    tmp_path_factory: pytest.TempPathFactory, server_url: str
) -> Callable[[Setting, pytest.MonkeyPatch], Hostile]:
    """Builds each setting's repository once, for every command (scans never change a repository)."""
    built: dict[str, Hostile] = {}

    def get(setting: Setting, monkeypatch: pytest.MonkeyPatch) -> Hostile:
        if setting.name not in built:
            built[setting.name] = _build(setting, tmp_path_factory.mktemp("hostile"), server_url)
        hostile = built[setting.name]
        if setting.scope == "global":
            monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(hostile.global_config))
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # the local server only (were a fetch ever let through)
        return hostile

    return get


def _build(setting: Setting, here: Path, server_url: str) -> Hostile:
    path = here / "repo"
    marker = here / "ran"
    program = here / "hostile.sh"
    program.write_text(PROGRAM.format(marker=shlex.quote(str(marker))))
    program.chmod(0o755)
    hooks = here / "hooks"
    hooks.mkdir()
    (here / "allowed_signers").write_text("")
    if setting.partial is None:
        _full_repository(path, setting.signature)
    else:
        _partial_clone(path, here / "server")
    # The hostile parts go in last: building the repository must not run them.
    names = {"program": str(program), "hooks": str(hooks), "here": str(here), "server": server_url}
    if setting.partial not in (None, "file"):
        _git(path, "config", "remote.origin.url", setting.partial.format(**names))
    config_file = here / "global.gitconfig" if setting.scope == "global" else path / ".git" / "config"
    for key, value in setting.config.items():
        _git(path, "config", "--file", str(config_file), key, value.format(**names))
    # The secrets' files are marked binary too, so that reading what git calls binary runs in every setting.
    (path / ".git" / "info").mkdir(exist_ok=True)
    (path / ".git" / "info" / "attributes").write_text(f"{setting.attributes}\nconfig.py -diff\nstaged.py -diff\n")
    if setting.hooks:
        for folder in (path / ".git" / "hooks", hooks):
            folder.mkdir(exist_ok=True)
            for name in HOOKS:
                (folder / name).write_text(f"#!/bin/sh\nexec {shlex.quote(str(program))} hook {name}\n")
                (folder / name).chmod(0o755)
    return Hostile(setting, path, marker, here / "baseline.json", here / "global.gitconfig")


def _commands(hostile: Hostile) -> dict[str, list[tuple[list[str], int]]]:
    """Each command as the runs it takes, with the exit code each must give in a complete repository (the
    baseline file lies outside the repository; ``update`` finds one that accepts nothing)."""
    baseline = ["--baseline", str(hostile.baseline)]
    return {
        "scan --staged": [(["scan", "--staged"], 1)],
        "scan --diff": [(["scan", "--diff", "HEAD~1"], 1)],
        "scan --history": [(["scan", "--history"], 1)],
        "scan --history --all": [(["scan", "--history", "--all"], 1)],
        "baseline create --history": [(["baseline", "create", "--history", "--force", *baseline], 0)],
        "baseline update --history": [(["baseline", "update", "--history", *baseline], 0)],
        "audit": [(["audit", "--format", "json"], 1)],
    }


COMMANDS = list(_commands(Hostile(SETTINGS[0], Path(), Path(), Path(), Path())))


class Hang(BaseException):
    """A run outlived its deadline (a BaseException, so that the CLI's error boundary does not catch it)."""


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Interrupt the run after ``seconds``: the git process it waits for is killed on the way out
    (``subprocess.run`` and ``Git.stream`` kill their child when interrupted), so a hang fails, never hangs."""

    def expire(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _arm_check(hostile: Hostile) -> None:
    """Run the setting's plain git command, which must run the program: the repository really is hostile."""
    command = ["git", *hostile.setting.armed_by]
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}  # a status cut short leaves no index.lock behind
    with contextlib.ExitStack() as stack:
        output: int = subprocess.DEVNULL
        if hostile.setting.terminal:  # git starts a pager only on a terminal
            import pty

            try:
                leader, output = pty.openpty()
            except OSError:
                pytest.skip("no pseudo-terminal here to show that a pager would run")
            for descriptor in (leader, output):
                stack.callback(os.close, descriptor)
        with contextlib.suppress(subprocess.TimeoutExpired):  # a filter process that hangs: it did start
            subprocess.run(command, cwd=hostile.path, env=env, stdout=output, stderr=output, timeout=3, check=False)
    assert hostile.ran() != "", f"git {' '.join(command[1:])} did not run the program: the test repository is not armed"


@pytest.mark.parametrize("setting", SETTINGS, ids=[setting.name for setting in SETTINGS])
def test_each_hostile_repository_is_armed(
    setting: Setting, hostile_repos: Callable[[Setting, pytest.MonkeyPatch], Hostile], monkeypatch: pytest.MonkeyPatch
) -> None:
    _arm_check(hostile_repos(setting, monkeypatch))


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="the deadline needs SIGALRM")
@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("setting", SETTINGS, ids=[setting.name for setting in SETTINGS])
def test_no_program_named_by_git_configuration_ever_runs(
    setting: Setting,
    command: str,
    hostile_repos: Callable[[Setting, pytest.MonkeyPatch], Hostile],
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hostile = hostile_repos(setting, monkeypatch)
    hostile.baseline.write_text(json.dumps({"version": 1, "generated_by": "cavra-safety", "entries": []}))
    for argv, expected in _commands(hostile)[command]:
        try:
            with deadline(DEADLINE_SECONDS):
                code, _, err = cli(hostile.path, *argv)
        except Hang:
            pytest.fail(f"{' '.join(argv)} hung (git waits for a program?); it ran: {hostile.ran()!r}")
        assert hostile.ran() == "", f"{' '.join(argv)} let git run a program the configuration names"
        assert "Traceback" not in err
        if setting.partial is not None and argv[:2] != ["scan", "--staged"]:
            # The objects a diff or a history needs are not here, and cavra-safety never fetches.
            assert code == 2, err
            assert err.count("\n") == 1 and "partial clone and cavra-safety never fetches" in err
        else:
            assert code == expected, err


# --- Nothing hides a change: .gitattributes, diff drivers, git configuration ---------------------------------


@dataclass(frozen=True)
class Disguise:
    """How a change marks its own files so that git calls them binary (or hides them otherwise)."""

    name: str
    attributes: str = ""  # committed as .gitattributes by the change itself
    config: dict[str, str] = field(default_factory=dict)
    info_attributes: str = ""  # .git/info/attributes


DISGUISES = [
    Disguise("-diff", "*.py -diff\n*.env -diff\n"),
    Disguise("binary", "*.py binary\n*.env binary\n"),
    Disguise("diff=foo (no such driver)", "* diff=foo\n"),
    Disguise("diff=foo with foo.binary", "* diff=foo\n", {"diff.foo.binary": "true"}),
    Disguise("info/attributes", info_attributes="* -diff\n"),
    Disguise("core.bigFileThreshold", config={"core.bigFileThreshold": "1"}),
]


def _disguised_leak(repo: Repo, cli: Cli, disguise: Disguise) -> dict[str, str]:
    """base, then a change that adds the disguise beside three live keys (one in a file it renames and edits),
    staged (and scanned so) before it is committed, then one that removes them again (so only history holds
    them)."""
    lines = [f"line{i} = {i}\n" for i in range(12)]
    commits = {"base": repo.commit("base", {"app.py": "x = 1\n", "old_name.py": "".join(lines)})}
    for key, value in disguise.config.items():
        repo.git("config", key, value)
    if disguise.info_attributes:
        (repo.path / ".git" / "info").mkdir(exist_ok=True)
        (repo.path / ".git" / "info" / "attributes").write_text(disguise.info_attributes)
    edited = [*lines[:5], secret_line("renamed"), *lines[5:]]
    files: dict[str, str | None] = {
        "app.py": "x = 1\n" + secret_line("disguised"),
        "prod.env": "STRIPE_KEY=" + secret_line("env").split('"')[1] + "\n",
        "old_name.py": None,
        "new_name.py": "".join(edited),
    }
    if disguise.attributes:
        files[".gitattributes"] = disguise.attributes
    for name, text in files.items():
        if text is None:
            (repo.path / name).unlink()
        else:
            repo.write(name, text)
    repo.git("add", "-A")
    staged = cli.findings(repo.path, "scan", "--staged")
    assert places(staged) == EXPECTED_LEAKS
    commits["leak"] = repo.commit("leak")
    commits["clean"] = repo.commit("clean", {"app.py": "x = 1\n", "prod.env": None, "new_name.py": "".join(lines)})
    return commits


EXPECTED_LEAKS = [("app.py", 2, STRIPE_RULE), ("new_name.py", 6, STRIPE_RULE), ("prod.env", 1, STRIPE_RULE)]


@pytest.mark.parametrize("disguise", DISGUISES, ids=[disguise.name for disguise in DISGUISES])
def test_a_change_cannot_hide_behind_attributes_or_configuration(repo: Repo, cli: Cli, disguise: Disguise) -> None:
    commits = _disguised_leak(repo, cli, disguise)
    diff = cli.findings(repo.path, "scan", "--diff", f"{commits['base']}..{commits['leak']}")
    assert places(diff) == EXPECTED_LEAKS
    history = cli.findings(repo.path, "scan", "--history")
    assert places(history) == EXPECTED_LEAKS
    assert {finding["commit"] for finding in history} == {commits["leak"]}
    code, out, err = cli(repo.path, "audit", "--format", "json", "--quiet")
    assert code == 1, err
    document = json.loads(out)
    assert sorted((f["path"], f["line"], f["location"]) for f in document["findings"]) == [
        (path, line, "history") for path, line, _ in EXPECTED_LEAKS
    ]


def test_replace_refs_and_grafts_cannot_hide_commits(repo: Repo, cli: Cli) -> None:
    base = repo.commit("base", {"app.py": "x = 1\n"})
    leak = repo.commit("leak", {"app.py": "x = 1\n" + secret_line("replaced")})
    decoy = repo.commit("decoy", {"app.py": "x = 1\n"})
    repo.commit("tip", {"app.py": "x = 2\n"})
    repo.git("replace", leak, base)  # the leak shows as the harmless base
    expected = [("app.py", 2, STRIPE_RULE)]
    assert places(cli.findings(repo.path, "scan", "--history")) == expected
    assert places(cli.findings(repo.path, "scan", "--diff", f"{base}..{leak}")) == expected
    repo.git("replace", "-d", leak)
    (repo.path / ".git" / "info" / "grafts").write_text(f"{decoy}\n")  # history "starts" after the leak
    assert places(cli.findings(repo.path, "scan", "--history")) == expected


def test_a_root_commit_always_shows_its_patch(repo: Repo, cli: Cli) -> None:
    repo.commit("root", {"app.py": secret_line("root")})
    repo.commit("next", {"app.py": "x = 1\n"})
    repo.git("config", "log.showRoot", "false")
    assert places(cli.findings(repo.path, "scan", "--history")) == [("app.py", 1, STRIPE_RULE)]


def test_a_scan_from_a_subfolder_covers_the_repository_whatever_diff_relative_says(repo: Repo, cli: Cli) -> None:
    base = repo.commit("base", {"sub/a.py": "x = 1\n"})
    repo.commit("leak", {"top.py": secret_line("relative")})
    repo.git("config", "diff.relative", "true")
    expected = [("top.py", 1, STRIPE_RULE)]
    assert places(cli.findings(repo.path / "sub", "scan", "--diff", base)) == expected
    assert places(cli.findings(repo.path / "sub", "scan", "--history")) == expected
