"""Which files a machine writes (lockfiles, built bundles): named by path, the same in every scan."""

from __future__ import annotations

import pytest

from cavra_safety.sources.generated import is_generated, is_lockfile

LOCKFILES = [
    "package-lock.json",
    "web/npm-shrinkwrap.json",
    "yarn.lock",
    "apps/site/pnpm-lock.yaml",
    "bun.lock",
    "composer.lock",
    "Gemfile.lock",
    "Cargo.lock",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "go.sum",
    "gradle.lockfile",
    "src/App/packages.lock.json",
    "infra/.terraform.lock.hcl",
    "pubspec.lock",
    "Package.resolved",
]
BUNDLES = ["static/app.min.js", "dist/site.min.css", "dist/app.js.map", "vendor/chart.min.mjs"]
NEITHER = [
    "package.json",
    "src/lock.py",
    "docs/locking.md",
    ".npmrc",
    "static/app.js",
    "lockfile.md",
    "yarn.lock.md",
    "src/maps/route.ts",
]


@pytest.mark.parametrize("path", LOCKFILES)
def test_lockfiles_are_lockfiles_and_generated(path: str) -> None:
    assert is_lockfile(path) and is_generated(path)


@pytest.mark.parametrize("path", BUNDLES)
def test_bundles_are_generated_but_not_lockfiles(path: str) -> None:
    assert is_generated(path) and not is_lockfile(path)


@pytest.mark.parametrize("path", NEITHER)
def test_sources_and_their_configuration_are_neither(path: str) -> None:
    assert not is_generated(path) and not is_lockfile(path)
