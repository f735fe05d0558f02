"""Files a machine writes: lockfiles and built bundles, scanned cheaply without being skipped.

They are a large share of what a repository's history changes (uptime-kuma: `package-lock.json` alone is 44 MB
of the 81 MB its history adds), and nearly all of it is checksums, versions and public registry URLs. Skipping
them would go blind where credentials do turn up: a registry URL with a token (`https://user:<token>@npm.corp/`,
`?access_token=`), a private git dependency (`git+https://ghp_...@github.com/...`), a key pasted into a bundle.
So every specific rule still reads them; what is left out is what cannot find anything there but costs the most:

- the generic entropy and keyword plugins (a lockfile's integrity values are high-entropy by design; the
  secrets detector files them under its ``generated-file`` filter);
- the quoted copy of configuration values, which only those plugins need;
- in lockfiles, decoding base64 values (every `sha512-...` integrity value is base64 of a hash).
"""

from __future__ import annotations

import functools
import re

# Lockfiles by name: the package managers' own (npm, Yarn, pnpm, Bun's text lock, Composer, Bundler, CocoaPods,
# Cargo, Poetry, Pipenv, uv, PDM, Go, Gradle, NuGet, Terraform, Dart/Flutter, Mix, SwiftPM) and any `*.lock`.
# Matched against the last part of a path only.
_LOCKFILE = re.compile(
    r"package-lock\.json|npm-shrinkwrap\.json|pnpm-lock\.ya?ml|bun\.lock|.*\.lock|.*-lock\.(?:json|ya?ml)"
    r"|.*\.sum|gradle\.lockfile|packages\.lock\.json|\.terraform\.lock\.hcl|pubspec\.lock|package\.resolved",
    re.IGNORECASE | re.DOTALL,
)
# Built output: minified scripts and styles and their source maps.
_BUNDLE = re.compile(r".*(?:\.min\.(?:js|mjs|cjs|css)|\.map)", re.IGNORECASE | re.DOTALL)
# A history scan asks about the same paths in thousands of commits.
PATHS_REMEMBERED = 4096


@functools.lru_cache(maxsize=PATHS_REMEMBERED)
def is_lockfile(path: str) -> bool:
    return _LOCKFILE.fullmatch(path.rpartition("/")[2]) is not None


@functools.lru_cache(maxsize=PATHS_REMEMBERED)
def is_generated(path: str) -> bool:
    """A lockfile or a built bundle (see the module's docstring for what that changes)."""
    return is_lockfile(path) or _BUNDLE.fullmatch(path.rpartition("/")[2]) is not None
