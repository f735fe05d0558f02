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
  files; no command run here does (the audit compares them itself: ``audit.worktree``);
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
import os
import re
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
    # git keeps up to 96 MiB of delta bases to rebuild objects from a pack; a history scan reads every object
    # once, in order, and 8 MiB serves it nearly as fast (measured on uptime-kuma's history, pack windows bounded
    # as below: git's peak memory 49 MB at 16 MiB, 36 MB at 8 MiB for 5% more of git's time; 4 MiB costs 17% more;
    # 96 MiB took git to 170 MB).
    "-c",
    "core.deltaBaseCacheLimit=8m",
    # git maps its pack files in windows (1 GiB each, up to 8 GiB mapped, on 64-bit systems), and every page a
    # history scan reads stays resident while mapped: 1 MiB windows, at most 8 MiB mapped, keep git's memory
    # flat at no cost in time (measured on uptime-kuma's history: the same CPU, git's peak 71 MB -> 49 MB with a
    # 16 MiB delta base cache at most 16 MiB mapped, and 38 MB -> 34 MB from 16 to 8 MiB mapped).
    "-c",
    "core.packedGitWindowSize=1m",
    "-c",
    "core.packedGitLimit=8m",
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
    output = git.run(
        "cat-file", "--batch-check", input_bytes="".join(f"{n}\n" for n in unique).encode("utf-8", "surrogateescape")
    )
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
    output = git.run(
        "cat-file", "--batch", input_bytes="".join(f"{name}\n" for name in unique).encode("utf-8", "surrogateescape")
    )
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


class BlobReader:
    """One ``git cat-file --batch`` kept open for many reads (a history scan reads blobs for most groups of
    commits): one git process for a whole scan instead of one per group, which saves the start of a git process
    each time (and, in a pool worker, the fork of a large process). Started on the first read; ``close`` ends it.

    Requests go in pieces of at most ``REQUEST_BYTES``, each answered in full before the next is written: a
    piece fits in a pipe's buffer, so neither pipe can fill while the other waits, and no thread is needed. A
    blob over the size limit is read past in pieces, never held, so memory stays bounded."""

    REQUEST_BYTES = 4096  # a pipe holds at least one page, even under a tight pipe-user-pages limit

    def __init__(self, git: Git) -> None:
        self.git = git
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _started(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            try:
                self._process = subprocess.Popen(
                    self.git.command(["cat-file", "--batch"]),
                    cwd=self.git.cwd,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env=git_environment(),
                )
            except (FileNotFoundError, NotADirectoryError):
                raise self.git._not_started() from None
        return self._process

    def read_small(self, object_names: Sequence[str], max_size: int) -> dict[str, bytes]:
        """The contents of the blobs of at most ``max_size`` bytes, by object name (larger ones left out)."""
        unique = list(dict.fromkeys(object_names))
        blobs: dict[str, bytes] = {}
        start = 0
        while start < len(unique):
            end, size = start + 1, len(unique[start]) + 1
            while end < len(unique) and size + len(unique[end]) + 1 <= self.REQUEST_BYTES:
                size += len(unique[end]) + 1
                end += 1
            try:
                self._read_piece(unique[start:end], max_size, blobs)
            except BaseException:
                self.close()  # a half-read answer would misalign every later read
                raise
            start = end
        return blobs

    def _read_piece(self, names: Sequence[str], max_size: int, blobs: dict[str, bytes]) -> None:
        process = self._started()
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write("".join(f"{name}\n" for name in names).encode("utf-8", "surrogateescape"))
            process.stdin.flush()
        except BrokenPipeError:
            pass  # git has gone: the reads below find no answer
        for name in names:
            header = process.stdout.readline().split()
            if len(header) < 3 or header[1] == b"missing":
                raise UserError(f"git object {name[:12]} is missing; {_SHALLOW_HINT}")
            left = int(header[2])
            if left <= max_size:
                blobs[name] = process.stdout.read(left)
            else:
                while left > 0 and (piece := process.stdout.read(min(left, 1 << 20))):
                    left -= len(piece)
            process.stdout.read(1)  # the newline after the content

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None and process.stdout is not None
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()  # end of input: git exits
        process.stdout.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def read_small_blobs(git: Git | BlobReader, object_names: Sequence[str], max_size: int) -> dict[str, bytes]:
    """The contents of the blobs of at most ``max_size`` bytes, by object name (``BlobReader.read_small``),
    through ``git``'s open reader, or through one started for this call."""
    if isinstance(git, BlobReader):
        return git.read_small(object_names, max_size)
    if not object_names:
        return {}
    with BlobReader(git) as reader:
        return reader.read_small(object_names, max_size)
