"""The working tree: the walk that finds the files of a scan, honouring .gitignore layers and excludes.

Files that are not scanned are recorded with a reason (unreadable, symbolic link, not a regular file), never
silently dropped and never fatal; reading and decoding happen in ``text``, in the process that scans them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from cavra_safety.config import Config
from cavra_safety.display import display_path
from cavra_safety.findings import Skipped
from cavra_safety.sources import FileRef

if TYPE_CHECKING:
    import pathspec


class PathFilter:
    """The configured excludes (and the baseline file, never scanned), applied to root-relative POSIX paths:
    the one exclude filter of the tree walk and of every git scan."""

    def __init__(self, config: Config, root: Path | str) -> None:
        self._baseline: str | None = None  # compared as a path, not read as a pattern: a name may hold '*' or '['
        if config.baseline is not None:
            baseline = os.path.relpath(os.path.abspath(config.baseline), os.path.abspath(root))
            if not baseline.startswith(".."):
                self._baseline = baseline.replace(os.sep, "/")
        # None, the usual case: no pattern to match for each of a tree's thousands of paths, nor pathspec to import
        self.spec = _gitignore_spec(config.exclude) if config.exclude else None

    def excluded(self, path: str, is_dir: bool = False) -> bool:
        baseline = self._baseline
        if baseline is not None and (path == baseline or path.startswith(baseline + "/")):
            return True
        if self.spec is None:
            return False
        shown = display_path(path)  # pattern matchers want encodable text, not undecodable file-name bytes
        return self.spec.match_file(shown + "/" if is_dir else shown)


# An ignore file is the scanned repository's content, not the user's input: a FIFO or a device there must not
# block the walk, a huge one must not fill memory, and a line that is no valid pattern is skipped (as git does:
# it never matches) rather than stopping the scan.
MAX_IGNORE_FILE_BYTES = 4 * 1024 * 1024


def _gitignore_spec(lines: Iterable[str]) -> pathspec.GitIgnoreSpec:
    import pathspec  # only where there are patterns: a hook run on files named on its command line has none

    return pathspec.GitIgnoreSpec.from_lines(lines)


def ignore_spec(path: str) -> pathspec.GitIgnoreSpec | None:
    """The patterns of the ignore file at ``path``, or None when there is no regular file to read."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):  # as git, never through a symbolic link
            return None
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read(MAX_IGNORE_FILE_BYTES).splitlines()
    except OSError:
        return None
    try:
        return _gitignore_spec(lines)
    except Exception:  # pathspec raises re.error, ValueError or TypeError on a broken pattern
        return _gitignore_spec(line for line in lines if _valid_pattern(line))


def _valid_pattern(line: str) -> bool:
    try:
        _gitignore_spec([line])
    except Exception:
        return False
    return True


class _IgnoreRules:
    """The .gitignore files met on the way down, each applied to paths relative to its own folder."""

    def __init__(self, layers: tuple[tuple[str, pathspec.GitIgnoreSpec], ...] = ()) -> None:
        self.layers = layers

    def descend(self, folder_rel: str, folder_abs: str) -> _IgnoreRules:
        spec = ignore_spec(os.path.join(folder_abs, ".gitignore"))
        if spec is None:
            return self
        return _IgnoreRules((*self.layers, (display_path(folder_rel), spec)))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        """Git's rule: the deepest .gitignore with a matching pattern decides, its last match winning."""
        if not self.layers:
            return False
        rel = display_path(rel)
        for base, spec in reversed(self.layers):
            inner = rel[len(base) + 1 :] if base else rel
            result = spec.check_file(inner + "/" if is_dir else inner)
            if result.include is not None:
                return bool(result.include)
        return False


def _repository_excludes(root: str) -> _IgnoreRules:
    spec = ignore_spec(os.path.join(root, ".git", "info", "exclude"))
    return _IgnoreRules((("", spec),)) if spec is not None else _IgnoreRules()


class FileWalk:
    """Finds the files of a scan: explicit files as given, folders walked honouring .gitignore and excludes.

    Symbolic links are never followed (a link can point out of the scan root or into a loop); they are
    recorded as skipped. ``.git`` folders are never entered.
    """

    def __init__(self, config: Config) -> None:
        self.config = config
        self.root = os.path.abspath(config.root)
        self.excludes = PathFilter(config, self.root)
        self.skipped: list[Skipped] = []

    def _relative(self, absolute: str) -> str:
        rel = os.path.relpath(absolute, self.root)
        return rel.replace(os.sep, "/") if os.sep != "/" else rel

    def files(self) -> Iterator[FileRef]:
        targets = self.config.paths or (Path(self.config.root),)
        for target in targets:
            absolute = os.path.abspath(target)
            rel = self._relative(absolute)
            try:
                info = os.lstat(absolute)
            except OSError as error:
                self.skipped.append(Skipped(display_path(rel), f"unreadable: {error.strerror or error}"))
                continue
            if stat.S_ISDIR(info.st_mode):
                yield from self._walk(absolute, "" if rel == "." else rel, self._ignore_rules_for(absolute))
            elif not self.excludes.excluded(rel, is_dir=False):
                ref = self._file(absolute, rel, info)
                if ref is not None:
                    yield ref

    def _ignore_rules_for(self, folder: str) -> _IgnoreRules:
        """The .gitignore layers from the scan root down to ``folder`` (for a folder argument below the root)."""
        rules = _repository_excludes(self.root)
        if not self.config.respect_gitignore:
            return _IgnoreRules()
        rules = rules.descend("", self.root)
        rel = self._relative(folder)
        if rel in (".", "") or rel.startswith(".."):
            return rules
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            sub = "/".join(parts[:depth])
            rules = rules.descend(sub, os.path.join(self.root, sub))
        return rules

    def _file(self, absolute: str, rel: str, info: os.stat_result) -> FileRef | None:
        shown = display_path(rel)
        if stat.S_ISLNK(info.st_mode):
            self.skipped.append(Skipped(shown, "symbolic link (not followed)"))
            return None
        if not stat.S_ISREG(info.st_mode):
            self.skipped.append(Skipped(shown, "not a regular file"))
            return None
        return FileRef(path=shown, fspath=absolute, size=info.st_size)

    def _walk(self, folder: str, rel: str, rules: _IgnoreRules) -> Iterator[FileRef]:
        try:
            with os.scandir(folder) as entries:
                children = sorted(entries, key=lambda entry: entry.name)
        except OSError as error:
            self.skipped.append(Skipped(display_path(rel or "."), f"unreadable folder: {error.strerror or error}"))
            return
        # The folder's listing says whether it has an ignore file: most folders are not asked for one.
        if self.config.respect_gitignore and rel and any(entry.name == ".gitignore" for entry in children):
            rules = rules.descend(rel, folder)
        for entry in children:
            child_rel = f"{rel}/{entry.name}" if rel else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                info = None if is_dir else entry.stat(follow_symlinks=False)  # a folder's own stat is not used
            except OSError as error:
                self.skipped.append(Skipped(display_path(child_rel), f"unreadable: {error.strerror or error}"))
                continue
            if is_dir and entry.name == ".git":
                continue
            ignored = self.config.respect_gitignore and rules.ignored(child_rel, is_dir)
            if ignored or self.excludes.excluded(child_rel, is_dir):
                continue
            if info is None:
                yield from self._walk(entry.path, child_rel, rules)
            else:
                ref = self._file(entry.path, child_rel, info)
                if ref is not None:
                    yield ref
