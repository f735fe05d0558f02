"""Lockfiles and bundles are scanned cheaply, never skipped: a credential in a registry URL or a private git
dependency is found in the tree and in the history, while what cannot hold a secret there (integrity values,
decoded as base64) is left alone. Secret-shaped values are built at run time from a seeded generator."""

from __future__ import annotations

import base64
import random
import string

import pytest
from git_repo import Cli, Repo, places, stripe_key

ALNUM = string.ascii_letters + string.digits


def value(length: int, seed: int, alphabet: str = ALNUM) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(length))


def integrity(seed: int) -> str:
    return "sha512-" + base64.b64encode(random.Random(seed).randbytes(64)).decode()


def package_lock() -> str:
    github = "gh" + "p_" + value(36, 2)
    return (
        '{\n  "lockfileVersion": 3,\n  "packages": {\n'
        '    "node_modules/left-pad": {\n      "version": "1.3.0",\n'
        f'      "resolved": "https://ci-bot:{value(32, 1)}@npm.acme-corp.io/left-pad/-/left-pad-1.3.0.tgz",\n'
        f'      "integrity": "{integrity(1)}"\n    }},\n'
        '    "node_modules/internal": {\n'
        f'      "resolved": "git+https://{github}@github.com/acme-corp/internal.git#3f2a1c9",\n'
        f'      "integrity": "{integrity(2)}"\n    }}\n  }}\n}}\n'
    )


def yarn_lock() -> str:
    return (
        'left-pad@^1.3.0:\n  version "1.3.0"\n'
        f'  resolved "https://npm.acme-corp.io/left-pad/-/left-pad-1.3.0.tgz?access_token={value(32, 3)}"\n'
        f"  integrity {integrity(3)}\n"
    )


FILES = {
    "package-lock.json": package_lock(),
    "web/yarn.lock": yarn_lock(),
    ".npmrc": "//registry.npmjs.org/:_authToken=" + "np" + "m_" + value(36, 4) + "\n",
}
EXPECTED = [
    (".npmrc", 1, "policy/npm-access-token"),
    ("package-lock.json", 6, "policy/credentials-in-url"),
    ("package-lock.json", 10, "secret/github-token"),
    ("web/yarn.lock", 3, "policy/url-query-credential"),
]


def test_credentials_in_lockfiles_are_found_in_the_tree(repo: Repo, cli: Cli) -> None:
    repo.commit("lock", FILES)
    assert places(cli.findings(repo.path, "scan", ".")) == EXPECTED


def test_credentials_in_lockfiles_are_found_in_the_history(repo: Repo, cli: Cli) -> None:
    repo.commit("init", {"package.json": '{"name": "app"}\n'})
    added = repo.commit("lock", FILES)
    repo.commit("registry moved", {name: None for name in FILES})
    findings = cli.findings(repo.path, "scan", "--history")
    assert places(findings) == EXPECTED
    assert {finding["commit"] for finding in findings} == {added}


@pytest.mark.parametrize(("path", "found"), [("deploy/values.yaml", True), ("web/yarn.lock", False)])
def test_base64_values_are_decoded_everywhere_but_in_lockfiles(repo: Repo, cli: Cli, path: str, found: bool) -> None:
    # A lockfile's base64 values are integrity hashes by design: decoding them is all cost and no finding.
    encoded = base64.b64encode(('STRIPE_KEY="' + stripe_key("lock") + '"').encode()).decode()
    repo.commit("add", {path: "checksum: " + encoded + "\n"})
    rules = {finding["rule_id"] for finding in cli.findings(repo.path, "scan", ".")}
    assert ("policy/stripe-live-secret-key" in rules) is found
