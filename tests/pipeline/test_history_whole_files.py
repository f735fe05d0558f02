"""History scans read whole the files whose rules need more than the hunks (``sources.whole``,
``pipeline.whole_files``): what a commit makes true beyond its hunks' context is reported at that commit, what
it inherited is not reported again; ``scan --history``, ``audit`` and ``baseline create --history`` alike."""

from __future__ import annotations

import json
import random
import string
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from git_repo import Cli, Repo
from view_scan import token

from cavra_safety.config import Config
from cavra_safety.pipeline.whole_files import ContextNeed
from cavra_safety.policy import load_policy
from cavra_safety.sources.patch import FilePatch

RECORD_RULE = "policy/tenant-record"
HEADER = "tenant_id,owner_email,plan\n"
B64 = string.ascii_letters + string.digits + "+/"
FILLER = "".join(f"value_{n} = compute({n})\n" for n in range(12))


def rows(first: int, count: int) -> str:
    return "".join(f"initech-prod-{n},bill{n}@initech.io,business\n" for n in range(first, first + count))


def record_object(extra: str) -> str:
    """A JSON object whose tenant id lies far above its last keys."""
    fields = "".join(f'    "region_{n}": "eu-{n}",\n' for n in range(8))
    return '{\n  "tenant_id": "' + "globex-" + 'eu-0042",\n' + fields + extra + '    "active": true\n}\n'


def _csv_header_added(repo: Repo) -> tuple[str, set[tuple[str, int]]]:
    repo.commit("rows without a header: not records yet", {"data/tenants.csv": rows(10, 7)})
    made = repo.commit("add the header", {"data/tenants.csv": HEADER + rows(10, 7)})
    repo.commit("drop the file", {"data/tenants.csv": None})
    return made, {("data/tenants.csv", line) for line in range(2, 9)}


def _companion_added_far_below(repo: Repo) -> tuple[str, set[tuple[str, int]]]:
    repo.commit("an object with a tenant id", {"config/tenant.json": record_object("")})
    made = repo.commit("add an owner", {"config/tenant.json": record_object('    "owner_email": "ops@globex.io",\n')})
    return made, {("config/tenant.json", 2)}


def _pack_moved_into_a_private_folder(repo: Repo) -> tuple[str, set[tuple[str, int]]]:
    repo.commit("a pack", {"rules/tenants.toml": '[pack]\nname = "acme-tenants"\n'})
    (repo.path / "policies" / "private").mkdir(parents=True)
    repo.git("mv", "rules/tenants.toml", "policies/private/tenants.toml")
    return repo.commit("move it"), {("policies/private/tenants.toml", 1)}


def _import_far_below_its_statement(repo: Repo) -> tuple[str, set[tuple[str, int]]]:
    names = "".join(f"    helper_{n},\n" for n in range(8))
    repo.commit("imports", {"app/views.py": "import os\nfrom cavra import (\n" + names + ")\n" + FILLER})
    made = repo.commit(
        "import provisioning",
        {"app/views.py": "import os\nfrom cavra import (\n" + names + "    provisioning,\n)\n" + FILLER},
    )
    return made, {("app/views.py", 11)}


def _merge_combines_a_header_and_rows(repo: Repo) -> tuple[str, set[tuple[str, int]]]:
    """A clean merge: the header from one side, rows from the other; no line differs from every parent, so the
    combined diff shows nothing, yet the merge makes the new rows records."""
    repo.commit("rows", {"data/tenants.csv": rows(10, 8)})
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("more rows", {"data/tenants.csv": rows(10, 11)})
    repo.git("checkout", "-q", "main")
    repo.commit("header", {"data/tenants.csv": HEADER + rows(10, 8)})
    repo.git("merge", "-q", "--no-ff", "-m", "merge side", "side")
    return repo.head(), {("data/tenants.csv", line) for line in (10, 11, 12)}


def _key_added_far_below_its_section(repo: Repo) -> tuple[str, set[tuple[str, int]]]:
    """The ``[billing]`` header lies beyond the hunk's context: the section view needs the whole file."""
    settings = "".join(f"region_{n} = eu-{n}\n" for n in range(8))
    repo.commit("billing settings", {"config/app.ini": "[billing]\n" + settings})
    value = token()
    made = repo.commit("the key", {"config/app.ini": "[billing]\n" + settings + "secret_key = " + value + "\n"})
    return made, {("config/app.ini", 10)}


def _key_added_far_below_its_parent(repo: Repo) -> tuple[str, set[tuple[str, int]]]:
    """The ``stripe:`` parent lies beyond the hunk's context: the nesting view needs the whole file."""
    settings = "".join(f"  region_{n}: eu-{n}\n" for n in range(8))
    repo.commit("values", {"deploy/values.yaml": "stripe:\n" + settings})
    value = token() + "7"  # a digit: what makes a nested value worth reading the file whole for (``_token_like``)
    made = repo.commit("the key", {"deploy/values.yaml": "stripe:\n" + settings + "  secret_key: " + value + "\n"})
    return made, {("deploy/values.yaml", 10)}


def _statement_head_added_far_above_its_tenant_test(repo: Repo) -> tuple[str, set[tuple[str, int]]]:
    """A row-level security policy: the hunk adds its first line, the tenant test below lies beyond the context."""
    test = "  USING (tenant" + "_id = current_setting('app.org'));\n"  # built here: the repository scans itself
    body = "".join(f"  -- step {n}\n" for n in range(5)) + test
    migration = 'op.execute("""\n{}""")\n'
    repo.commit("a migration", {"migrations/0009_rls.py": migration.format("ALTER TABLE invoices\n" + body)})
    head = "CREATE POLICY rows_of_org ON invoices\n"
    made = repo.commit("make it a policy", {"migrations/0009_rls.py": migration.format(head + body)})
    return made, {("migrations/0009_rls.py", 2)}


CASES: dict[str, Callable[[Repo], tuple[str, set[tuple[str, int]]]]] = {
    "a CSV header added above old rows": _csv_header_added,
    "a record companion added far below the tenant id": _companion_added_far_below,
    "a pack moved into a private folder": _pack_moved_into_a_private_folder,
    "an import continued far below its statement": _import_far_below_its_statement,
    "a clean merge combining a header and rows": _merge_combines_a_header_and_rows,
    "a key added far below its config section": _key_added_far_below_its_section,
    "a key added far below its YAML parent": _key_added_far_below_its_parent,
    "a SQL statement's head added far above its tenant test": _statement_head_added_far_above_its_tenant_test,
}
RULES = {
    "a CSV header added above old rows": RECORD_RULE,
    "a record companion added far below the tenant id": RECORD_RULE,
    "a pack moved into a private folder": "policy/private-pack-path",
    "an import continued far below its statement": "python/saas-backend-source-import",
    "a clean merge combining a header and rows": RECORD_RULE,
    "a key added far below its config section": "policy/billing-secret-assignment",
    "a key added far below its YAML parent": "policy/billing-secret-assignment",
    "a SQL statement's head added far above its tenant test": "policy/tenant-isolation-sql",
}


def _history_findings(cli: Cli, repo: Repo, command: str, tmp_path: Path) -> list[dict[str, Any]]:
    if command == "scan":
        return cli.findings(repo.path, "scan", "--history")
    if command == "audit":
        code, out, err = cli(repo.path, "audit", "--format", "json")
        assert code in (0, 1), err
        found: list[dict[str, Any]] = json.loads(out)["findings"]
        return found
    baseline = tmp_path / "baseline.json"
    code, _, err = cli(repo.path, "baseline", "create", "--history", "--baseline", str(baseline))
    assert code == 0, err
    code, out, err = cli(repo.path, "scan", "--history", "--baseline", str(baseline), "--format", "json")
    assert (code, json.loads(out)["findings"]) == (0, []), err  # the baseline holds every history finding
    return cli.findings(repo.path, "scan", "--history")  # and the scan it took them from is the same engine


# Every case through ``scan --history``; one whole-file case of each kind through the audit and the baseline.
RUNS = [(case, "scan") for case in sorted(CASES)] + [
    (case, command)
    for command in ("audit", "baseline")
    for case in ("a CSV header added above old rows", "a pack moved into a private folder")
]


@pytest.mark.parametrize(("case", "command"), RUNS)
def test_what_a_commit_makes_true_beyond_its_hunks_is_reported_there(
    case: str, command: str, repo: Repo, cli: Cli, tmp_path: Path
) -> None:
    made, places = CASES[case](repo)
    found = [f for f in _history_findings(cli, repo, command, tmp_path) if f["rule_id"] == RULES[case]]
    reported = {(f["path"], f["line"]): f["commit"] for f in found}
    assert {place: reported.get(place) for place in places} == dict.fromkeys(places, made)


def test_what_a_commit_inherits_is_not_reported_again(repo: Repo, cli: Cli) -> None:
    """A row added far below the header: only the new row is new; the old rows stay at the commit that made them."""
    first = repo.commit("records", {"data/tenants.csv": HEADER + rows(10, 7)})
    later = repo.commit("one more row", {"data/tenants.csv": HEADER + rows(10, 8)})
    found = [f for f in cli.findings(repo.path, "scan", "--history") if f["rule_id"] == RECORD_RULE]
    assert sorted((f["line"], f["commit"]) for f in found) == [*((line, first) for line in range(2, 9)), (9, later)]


@pytest.mark.parametrize(
    "case",
    [
        "a CSV header added above old rows",
        "a pack moved into a private folder",
        "a clean merge combining a header and rows",
    ],
)
def test_diff_reports_what_its_change_makes_true_beyond_its_added_lines(case: str, repo: Repo, cli: Cli) -> None:
    made, places = CASES[case](repo)
    if case == "a CSV header added above old rows":
        repo.git("reset", "-q", "--hard", made)  # the file's deletion comes after
    base = repo.git("rev-parse", f"{made}^1").strip()
    found = [f for f in cli.findings(repo.path, "scan", "--diff", base) if f["rule_id"] == RULES[case]]
    assert places <= {(f["path"], f["line"]) for f in found}


@pytest.mark.parametrize("header", [True, False])
def test_staged_reports_what_the_staged_change_makes_true(header: bool, repo: Repo, cli: Cli) -> None:
    repo.commit("rows", {"data/tenants.csv": rows(10, 7)})
    repo.write("data/tenants.csv", (HEADER if header else "") + rows(10, 8))
    repo.git("add", "data/tenants.csv")
    found = [f for f in cli.findings(repo.path, "scan", "--staged") if f["rule_id"] == RECORD_RULE]
    assert sorted(f["line"] for f in found) == (list(range(2, 10)) if header else [])


def test_a_key_edited_in_the_middle_of_its_body_is_another_key_at_that_commit(repo: Repo, cli: Cli) -> None:
    """A private key is its body: a line changed in the middle of a long key, beyond the hunk's context from
    either armour line, makes another key, which a tree scan of that commit reports at the header."""
    rng = random.Random(14)
    body = ["".join(rng.choice(B64) for _ in range(64)) for _ in range(20)]
    armour = ("-----BEGIN " + "RSA PRIVATE KEY-----", "-----END " + "RSA PRIVATE KEY-----")

    def key(lines: list[str]) -> str:
        return "\n".join([armour[0], *lines, armour[1]]) + "\n"

    first = repo.commit("a test key", {"test/fixtures/key.pem": key(body)})
    edited = [*body[:10], "".join(rng.choice(B64) for _ in range(64)), *body[11:]]
    made = repo.commit("regenerate part of it", {"test/fixtures/key.pem": key(edited)})
    assert len(cli.findings(repo.path, "scan", ".")) == 1  # the tree holds the edited key, at its header
    found = cli.findings(repo.path, "scan", "--history")
    assert sorted((f["path"], f["line"], f["rule_id"], f["commit"]) for f in found) == sorted(
        ("test/fixtures/key.pem", 1, "secret/private-key", commit) for commit in (first, made)
    )


# 14 characters of a token's alphabet with digits, built here: the repository scans itself.
TOKEN_LIKE = "Kd83hfQ0" + "pLm2xZ"


@pytest.mark.parametrize(
    ("line", "whole"),
    [
        (f'    "apiKey": "{TOKEN_LIKE}",\n'.encode(), True),
        (f"  secret_key: {TOKEN_LIKE}\n".encode(), True),
        (b'    "Update Password": "Aktualizovat heslo",\n', False),  # a translation: words, no digit
        (b'    "apiKey": "short7",\n', False),  # shorter than any value the name-keyed rules report
        (b'    "region": "eu-west-1-abcdef",\n', False),  # not named like a credential
    ],
)
def test_a_json_or_yaml_file_is_read_whole_for_a_token_like_credential_value(line: bytes, whole: bool) -> None:
    """What the nesting view needs beyond the hunk (a far parent key), and only then: translation files, whose keys
    say "Password" on every line, are not read whole at every commit."""
    need = ContextNeed(load_policy(Config(root=Path("."))))
    patch = FilePatch(old_path="config/app.json", new_path="config/app.json", added={3})
    assert need(patch, b'{\n  "app": {\n' + line) is whole
