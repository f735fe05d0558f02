"""The one way cavra-safety runs git: read-only, with user data kept out of option positions, and never a
program that the scanned repository (or any git configuration) names.

Every call goes through ``Git.run`` / ``Git.stream``, which

- pass refs and paths that come from the user or the repository only after ``--end-of-options`` or ``--``
  (so a branch named ``--output=x`` is a revision that does not resolve, never an option);
- run git with ``core.quotepath=off``, ``LC_ALL=C`` (stable, parseable messages), ``GIT_TERMINAL_PROMPT=0``
  (never wait for a password in CI), ``GIT_OPTIONAL_LOCKS=0`` (a read must not refresh and rewrite the
  index), no pager and no colour, and stdin closed;
- turn git's own refusals (not a repository, dubious ownership, an unknown or missing revision in a shallow
  clone) into a ``UserError`` with one clear line and a hint.

What a repository's configuration could make git run, and why it cannot here (``tests/test_hostile_repos.py``
builds a repository for each and runs every command that reads git in it):

- filters (``filter.<driver>.clean / smudge / process``): run only when git compares or converts work-tree
  files; no command run here does (``work_tree_changed`` compares them itself);
- text conversions and external diffs (``diff.<driver>.textconv / command``, ``diff.external``): every patch is
  asked with ``--no-textconv --no-ext-diff`` (``sources.patch.PATCH_OPTIONS``), and ``GIT_EXTERNAL_DIFF`` is
  dropped from the environment;
- signature programs (``log.showSignature`` with ``gpg.program``, ``gpg.ssh.program`` ...): ``-c
  log.showSignature=false``;
- fsmonitor (``core.fsmonitor``, a hook or a daemon, run when the index is read): ``-c core.fsmonitor=false``;
- hooks (none is run by a read command; ``core.hooksPath`` is pointed at nothing all the same), the pager
  (``--no-pager``), aliases (git's own commands always win over an alias);
- anything a fetch would run (``core.sshCommand``, ``core.askPass``, ``credential.helper``, remote helpers,
  ``remote.<name>.uploadpack``): a partial clone fetches missing objects on demand, so every transport is
  refused (``GIT_ALLOW_PROTOCOL`` set to no protocol, which outranks ``protocol.*.allow`` in any configuration).

The user's configuration is otherwise kept (``safe.directory`` in particular). What git shows is also made
independent of configuration that could hide history from a scan: replace refs and grafts are ignored (the
objects as they are), a root commit always shows its patch (``log.showRoot``), and a diff from a subfolder
still covers the whole repository (``diff.relative``).

Only read commands are ever run: the scanner never changes the repository's state.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cavra_safety.errors import UserError

if sys.platform == "linux":
    import fcntl

# The object name of the empty tree: the "parent" of a root commit and of an unborn branch's index.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_GLOBAL_OPTIONS = (
    "--no-pager",
    "--literal-pathspecs",
    "-c",
    "core.quotepath=off",
    "-c",
    "color.ui=never",
    "-c",
    "diff.noprefix=false",
    "-c",
    "diff.mnemonicPrefix=false",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "log.showSignature=false",
    "-c",
    f"core.hooksPath={os.devnull}",
    "-c",
    "log.showRoot=true",
    "-c",
    "diff.relative=false",
    "-c",
    "advice.graftFileDeprecated=false",  # GIT_GRAFT_FILE names an empty file: nothing to advise about
)
_SHALLOW_HINT = (
    "this is a shallow clone: fetch the history the scan needs (GitHub Actions: actions/checkout with "
    "fetch-depth: 0; GitLab CI: GIT_DEPTH: 0; by hand: git fetch --unshallow)"
)
_PARTIAL_HINT = (
    "this is a partial clone and cavra-safety never fetches: clone without --filter, or fetch the missing objects first"
)
_DUBIOUS = re.compile(r"dubious ownership in repository at '(?P<path>[^']*)'")
# The most ``Git.stream`` reads at once (a read returns what the pipe holds, without waiting for more).
STREAM_BLOCK = 1 << 20
# The pipe git writes a stream into: 1 MiB (Linux's default ceiling for an unprivileged process) instead of
# 64 KiB, so that git goes on producing while this process is busy (scanning, or waiting for pool workers)
# rather than stopping every 64 KiB (measured on two cores: about a tenth off a history scan's time and CPU).
PIPE_BYTES = 1 << 20


def _widen_pipe(descriptor: int) -> None:
    """Elsewhere than Linux, or over a lower limit (/proc/sys/fs/pipe-max-size), the pipe keeps its size:
    git only waits more often."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError):
            fcntl.fcntl(descriptor, fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def git_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "LC_ALL": "C",
            "LANGUAGE": "C",
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_PAGER": "cat",
            # No transport at all (an empty list: no protocol is allowed, whatever the configuration says),
            # so that a partial clone never fetches, and nothing a fetch runs ever runs.
            "GIT_ALLOW_PROTOCOL": "",
            "GIT_NO_LAZY_FETCH": "1",  # git 2.45 and later: a missing object fails at once
            # The objects as they are: replace refs and grafts could put other commits in a commit's place.
            "GIT_NO_REPLACE_OBJECTS": "1",
            "GIT_GRAFT_FILE": os.devnull,
        }
    )
    env.pop("GIT_EXTERNAL_DIFF", None)  # a diff program from the environment must not run, nor change the output
    return env


@dataclass(frozen=True)
class Git:
    """git, run in ``cwd``; ``purpose`` names the flag that needed git, for the error messages."""

    cwd: Path
    purpose: str = "this command"

    def command(self, args: Sequence[str]) -> list[str]:
        return ["git", *_GLOBAL_OPTIONS, *args]

    def run(self, *args: str, input_bytes: bytes | None = None, check: bool = True) -> bytes:
        """git's stdout; a failure becomes a ``UserError`` (unless ``check`` is false: then b"" )."""
        try:
            done = subprocess.run(
                self.command(args),
                cwd=self.cwd,
                input=input_bytes,
                stdin=subprocess.DEVNULL if input_bytes is None else None,
                capture_output=True,
                env=git_environment(),
                check=False,
            )
        except (FileNotFoundError, NotADirectoryError):
            raise self._not_started() from None
        if done.returncode != 0:
            if not check:
                return b""
            raise self.explain(args, done.stderr)
        return done.stdout

    def stream(self, *args: str) -> Iterator[bytes]:
        """git's stdout in blocks as they arrive (at most ``STREAM_BLOCK`` bytes each, cut anywhere, even
        inside a line), for outputs too large to hold (``git log -p``). Blocks, not lines: the caller cuts the
        output where it needs to with ``bytes.find``, instead of one Python step per line."""
        try:
            process = subprocess.Popen(
                self.command(args),
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=git_environment(),
                bufsize=0,
            )
        except (FileNotFoundError, NotADirectoryError):
            raise self._not_started() from None
        assert process.stdout is not None and process.stderr is not None
        _widen_pipe(process.stdout.fileno())
        finished = False
        try:
            while block := process.stdout.read(STREAM_BLOCK):
                yield block
            finished = True
        finally:
            if not finished:
                process.kill()
            process.stdout.close()
            stderr = process.stderr.read()
            process.stderr.close()
            code = process.wait()
        if finished and code != 0:
            raise self.explain(args, stderr)

    def _not_started(self) -> UserError:
        if not self.cwd.is_dir():
            return UserError(f"not a folder: {self.cwd}")
        return UserError(f"git is not installed or not on PATH ({self.purpose} needs it)")

    def explain(self, args: Sequence[str], stderr: bytes) -> UserError:
        """git's refusal as one clear line with a hint."""
        text = stderr.decode("utf-8", "replace")
        dubious = _DUBIOUS.search(text)
        if dubious:
            path = dubious.group("path")
            return UserError(
                f"git refuses to read {path}: the repository is owned by another user "
                f'("dubious ownership"). If you trust it, run: '
                f"git config --global --add safe.directory {path}"
            )
        if "not a git repository" in text.lower():
            hint = "; to scan plain files, leave out the git flags" if self.purpose.startswith("--") else ""
            return UserError(f"{self.cwd} is not inside a git repository ({self.purpose} needs one{hint})")
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        # git's own refusal, not the advice or warnings that may come before it
        lines = [line for line in lines if line.startswith(("fatal: ", "error: "))] or lines
        detail = lines[0] if lines else f"exit status, no message (git {args[0] if args else ''})"
        for prefix in ("fatal: ", "error: "):
            detail = detail.removeprefix(prefix)
        if "promisor remote" in text:
            return UserError(f"git {args[0] if args else ''} failed: {detail}; {_PARTIAL_HINT}")
        if self.is_shallow() and re.search(
            r"bad object|missing|could not read|unknown revision|bad revision", text, re.IGNORECASE
        ):
            return UserError(f"git {args[0] if args else ''} failed: {detail}; {_SHALLOW_HINT}")
        return UserError(f"git {args[0] if args else ''} failed: {detail}")

    def is_shallow(self) -> bool:
        return self.run("rev-parse", "--is-shallow-repository", check=False).strip() == b"true"

    def toplevel(self) -> Path:
        """The repository's work tree root; a bare repository or a ``.git`` folder is refused."""
        inside = self.run("rev-parse", "--is-inside-work-tree", check=False).strip()
        if inside != b"true":
            self.run("rev-parse", "--git-dir")  # raises the precise refusal: not a repository, dubious ...
            raise UserError(f"{self.cwd} is not inside a git work tree ({self.purpose} needs one)")
        top = self.run("rev-parse", "--show-toplevel").rstrip(b"\n")
        return Path(os.fsdecode(top))

    def resolve_commit(self, revision: str) -> str:
        """The full object name of the commit ``revision`` names; data, never an option."""
        if not revision or "\0" in revision:
            raise UserError(f"empty or invalid revision {revision!r}")
        found = self.run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}", check=False
        ).strip()
        if found:
            return found.decode("ascii")
        hint = (
            _SHALLOW_HINT
            if self.is_shallow()
            else ("fetch it first (e.g. git fetch origin <branch>), or check the spelling")
        )
        raise UserError(f"unknown revision {revision!r}: no such commit in this repository; {hint}")

    def head(self) -> str | None:
        """HEAD's commit, or None on an unborn branch (an empty repository)."""
        found = self.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False).strip()
        return found.decode("ascii") if found else None

    def merge_base(self, first: str, second: str) -> str:
        found = self.run("merge-base", "--end-of-options", first, second, check=False).strip()
        if not found:
            hint = _SHALLOW_HINT if self.is_shallow() else "the two histories share no commit"
            raise UserError(f"no merge base between {first[:12]} and {second[:12]}; {hint}")
        return found.decode("ascii")

    def version(self) -> tuple[int, ...]:
        words = self.run("version").split()
        numbers = re.findall(rb"\d+", words[2] if len(words) > 2 else b"")
        return tuple(int(number) for number in numbers[:3])


def blob_sizes(git: Git, object_names: Sequence[str]) -> dict[str, int]:
    """The sizes of objects by name, through one ``git cat-file --batch-check`` (nothing is read)."""
    unique = list(dict.fromkeys(object_names))
    if not unique:
        return {}
    output = git.run("cat-file", "--batch-check", input_bytes="".join(f"{n}\n" for n in unique).encode("ascii"))
    sizes: dict[str, int] = {}
    for name, line in zip(unique, output.splitlines(), strict=True):
        fields = line.split()
        if len(fields) < 3 or fields[1] == b"missing":
            raise UserError(f"git object {name[:12]} is missing; {_SHALLOW_HINT}")
        sizes[name] = int(fields[2])
    return sizes


def read_blobs(git: Git, object_names: Sequence[str]) -> dict[str, bytes]:
    """The contents of blobs by object name, through one ``git cat-file --batch``."""
    unique = list(dict.fromkeys(object_names))
    if not unique:
        return {}
    output = git.run("cat-file", "--batch", input_bytes="".join(f"{name}\n" for name in unique).encode("ascii"))
    blobs: dict[str, bytes] = {}
    position = 0
    for name in unique:
        header_end = output.index(b"\n", position)
        header = output[position:header_end].split()
        position = header_end + 1
        if len(header) < 3 or header[1] == b"missing":
            raise UserError(f"git object {name[:12]} is missing; {_SHALLOW_HINT}")
        size = int(header[2])
        blobs[name] = output[position : position + size]
        position += size + 1  # the content is followed by a newline
    return blobs


# ``ls-files --debug`` shows each index entry's cached stat data and its flags (git's in-memory entry flags).
_INDEX_ENTRY = re.compile(
    rb"(?P<mode>\d{6}) (?P<blob>[0-9a-f]+) (?P<stage>\d)\t(?P<path>[^\0]*)\0"
    rb"\s*ctime: (?P<ctime>\d+):(?P<ctime_ns>\d+)\n\s*mtime: (?P<mtime>\d+):(?P<mtime_ns>\d+)\n"
    rb"\s*dev: \d+\tino: (?P<ino>\d+)\n\s*uid: \d+\tgid: \d+\n\s*size: (?P<size>\d+)\tflags: (?P<flags>[0-9a-f]+)\n"
)
_ASSUME_UNCHANGED = 0x8000
_SKIP_WORKTREE = 1 << 30
_LOW_32 = 0xFFFFFFFF  # the index keeps times, sizes and inode numbers in 32 bits
_GITLINK, _SYMLINK = "160000", "120000"


def work_tree_changed(git: Git, root: Path, depth: int = 0) -> bool:
    """Whether ``git status`` would show anything (staged changes, changed or deleted tracked files, untracked
    files that are not ignored), found without running what status runs: it hands changed-looking files to the
    repository's clean filters, and asks fsmonitor. Here a file is unchanged when its stat data is the one the
    index recorded (git's own check), or else when its bytes hash to the index's blob. A file that a filter or
    an end-of-line conversion rewrites, touched since checkout, therefore counts as changed: the tree scan
    reads its bytes, and they are not the commit's. A submodule counts as changed when its HEAD is not the
    recorded commit or its own tree has changed."""
    top = Git(root, git.purpose)
    base = top.head() or EMPTY_TREE
    if top.run("diff-index", "--cached", "--name-only", "-z", "--end-of-options", base).strip(b"\0"):
        return True
    untracked = ("ls-files", "--others", "--exclude-standard", "--directory", "--no-empty-directory", "-z")
    if top.run(*untracked).strip(b"\0"):
        return True
    index_file = root / os.fsdecode(top.run("rev-parse", "--git-path", "index").rstrip(b"\n"))
    try:
        index_time = os.stat(index_file).st_mtime_ns
    except OSError:
        index_time = 0
    listing = top.run("ls-files", "--stage", "--debug", "-z")
    position, file_mode = 0, None
    while position < len(listing):
        entry = _INDEX_ENTRY.match(listing, position)
        if entry is None:  # an index listing this code does not understand: say "changed" rather than guess
            return True
        position = entry.end()
        if int(entry["flags"], 16) & (_ASSUME_UNCHANGED | _SKIP_WORKTREE):
            continue  # git itself does not look at these
        if entry["stage"] != b"0":
            return True  # an unresolved merge conflict
        state = _compare(top, root, entry, index_time, depth)
        if state == _MODE_ONLY and file_mode is None:
            file_mode = top.run("config", "--type=bool", "--get", "core.fileMode", check=False).strip() != b"false"
        if state == _CHANGED or (state == _MODE_ONLY and file_mode):
            return True
    return False


_SAME, _CHANGED, _MODE_ONLY = "same", "changed", "only the executable bit"


def _compare(git: Git, root: Path, entry: re.Match[bytes], index_time: int, depth: int) -> str:
    """An index entry against the work tree: ``_SAME``, ``_CHANGED`` or ``_MODE_ONLY`` (which
    ``core.fileMode=false`` ignores)."""
    path = root / os.fsdecode(entry["path"])
    mode, blob = entry["mode"].decode("ascii"), entry["blob"].decode("ascii")
    try:
        info = os.lstat(path)
    except OSError:
        return _CHANGED  # deleted (or unreadable)
    if mode == _GITLINK:
        if not os.path.lexists(path / ".git"):
            return _SAME  # a submodule that is not checked out: git status shows nothing either
        submodule = Git(path, git.purpose)
        changed = submodule.head() != blob or (depth < 8 and work_tree_changed(submodule, path, depth + 1))
        return _CHANGED if changed else _SAME
    if not (stat.S_ISLNK if mode == _SYMLINK else stat.S_ISREG)(info.st_mode):
        return _CHANGED  # a file became a link or a folder, or the other way round
    executable_differs = mode != _SYMLINK and (mode == "100755") != bool(info.st_mode & stat.S_IXUSR)
    same_stat = (
        info.st_size & _LOW_32 == int(entry["size"])
        and info.st_ino & _LOW_32 == int(entry["ino"])
        and _same_time(info.st_mtime_ns, entry["mtime"], entry["mtime_ns"])
        and _same_time(info.st_ctime_ns, entry["ctime"], entry["ctime_ns"])
    )
    # Trusted only when the file was not touched after the index was written (git's "racily clean" rule).
    if same_stat and not executable_differs and info.st_mtime_ns < index_time:
        return _SAME
    if _blob_name(path, info, len(blob)) != blob:
        return _CHANGED
    return _MODE_ONLY if executable_differs else _SAME


def _same_time(actual_ns: int, seconds: bytes, nanoseconds: bytes) -> bool:
    recorded_ns = int(nanoseconds)  # 0 when git was built without nanosecond times
    return actual_ns // 10**9 & _LOW_32 == int(seconds) and recorded_ns in (0, actual_ns % 10**9)


def _blob_name(path: Path, info: os.stat_result, length: int) -> str | None:
    """The object name of the file's bytes (a symbolic link's target) as a blob: SHA-1, or SHA-256 in a
    repository that uses it; None when it cannot be read."""
    hasher = hashlib.sha1(usedforsecurity=False) if length == 40 else hashlib.sha256()
    try:
        if stat.S_ISLNK(info.st_mode):
            data = os.fsencode(os.readlink(path))
            hasher.update(b"blob %d\0" % len(data) + data)
        else:
            with open(path, "rb") as handle:
                hasher.update(b"blob %d\0" % info.st_size)
                while block := handle.read(STREAM_BLOCK):
                    hasher.update(block)
    except OSError:
        return None
    return hasher.hexdigest()
