"""Reading changed files whole in history scans: the blobs a patch names (``patch``), the files a merge's
combined diff leaves out (``combined_raw_files``), which files are read whole (``ContextNeed``), blob reading
that never holds an oversize blob (``git.read_small_blobs``), and what a whole file reports (``scan_whole``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from git_repo import Repo

from cavra_safety.config import Config
from cavra_safety.errors import UserError
from cavra_safety.git import Git, read_small_blobs
from cavra_safety.pipeline.engine import Engine
from cavra_safety.pipeline.whole_files import ContextNeed, scan_whole
from cavra_safety.policy import load_policy
from cavra_safety.sources import Origin, Source
from cavra_safety.sources.patch import FilePatch, combined_raw_files, parse_patch
from cavra_safety.sources.whole import WholeFile

A, B, C = "a" * 40, "b" * 40, "c" * 40
ZERO = "0" * 40


@pytest.mark.parametrize(
    ("index", "new", "old"),
    [
        (f"index {A}..{B} 100644", B, (A,)),
        (f"index {ZERO}..{B}", B, ()),  # a new file: nothing before
        (f"index {A},{B}..{C}", C, (A, B)),  # a merge: one per parent
        (f"index {A},{ZERO}..{C}", C, (A,)),  # a file one parent lacks
    ],
)
def test_the_index_line_names_the_new_blob_and_one_old_blob_per_parent(index: str, new: str, old: tuple[str]) -> None:
    (patch,) = parse_patch(f"diff --git a/x.py b/x.py\n{index}\n--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n".encode())
    assert (patch.new_blob, patch.old_blobs) == (new, old)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"::100644 100644 100644 {A} {B} {C} MM\tdata/t.csv", [("data/t.csv", C, (A, B), False)]),
        (f"::100644 100644 000000 {A} {B} {ZERO} DD\tgone.csv", [("gone.csv", ZERO, (A, B), True)]),
        (f":100644 100644 {A} {B} M\tplain.csv", []),  # not a merge's line
        (f'::100644 100644 100644 {A} {B} {C} MM\t"sp ace\\tx.csv"', [("sp ace\tx.csv", C, (A, B), False)]),
    ],
)
def test_combined_raw_files_reads_a_merges_file_list(
    raw: str, expected: list[tuple[str, str, tuple[str], bool]]
) -> None:
    patch = f"\n{raw}\n\ndiff --cc other.py\nindex {A},{B}..{C}\n".encode()
    found = [(p.path, p.new_blob, p.old_blobs, p.deleted) for p in combined_raw_files(patch)]
    assert found == expected


def _patch(path: str, old_path: str | None = None, added: bool = True) -> FilePatch:
    return FilePatch(old_path=old_path or path, new_path=path, added={3} if added else set())


@pytest.fixture(scope="module")
def need() -> ContextNeed:
    return ContextNeed(load_policy(Config(root=Path("/nowhere"))))


@pytest.mark.parametrize(
    ("patch", "hunks", "whole"),
    [
        (_patch("exports/tenants.csv"), b"initech-prod-19,bill@initech.io,business", True),
        (_patch("db/seed.sql"), b"('umbrella-ap-55', 'ops@umbrella.io');", True),
        (_patch("nb/a.ipynb"), b'  "x = 1"', True),
        (_patch("exports/tenants.csv", added=False), b"", True),  # a merge's file without hunks
        (_patch("app/views.py"), b"    provisioning,\n)", True),
        (_patch("app/views.py"), b"    api_key = settings.API_KEY", False),  # a binding: one statement
        (_patch("app/views.py"), b"x = compute(1)", False),
        (_patch("keys/deploy.txt"), b"-----BEGIN OPENSSH " + b"PRIVATE KEY-----", True),
        (_patch("keys/deploy.pem"), b"MIIEow" + b"Kx9Q" * 14 + b"Zr", True),  # a body line alone: 64 characters
        (_patch("deploy/values.yaml"), b'    "' + b"Kx9Q" * 17 + b'",', True),  # indented and quoted, 68
        (_patch("app/views.py"), b"digest = '" + b"Kx9Q" * 16 + b"'", False),  # base64 in code, not alone
        (_patch("keys/deploy.pem"), b"Kx9Q" * 10, False),  # too short for a wrapped body line
        (_patch("config/a.json"), b'      "owner_email": "ops@globex.io",', True),
        (_patch("config/a.yaml"), b"  plan: growth", True),
        (_patch("docs/a.md"), b"We plan to ship the owner's guide.", False),
        (_patch("docs/a.md"), b"Tenant onboarding", True),  # a record keyword
        (_patch("policies/private/a.toml", "rules/a.toml", added=False), b"", True),
        (_patch("docs/b.md", "docs/a.md", added=False), b"", False),
        (_patch("src/a.py", "src/a.txt", added=False), b"", True),  # another kind of file
        (_patch("docs/guide.rst", "docs/old.rst"), b"Some prose.", False),
    ],
)
def test_which_files_are_read_whole(need: ContextNeed, patch: FilePatch, hunks: bytes, whole: bool) -> None:
    assert need(patch, hunks) is whole


def test_read_small_blobs_reads_past_oversize_blobs_and_reports_missing_ones(repo: Repo) -> None:
    repo.commit("files", {"small.txt": "tiny\n", "big.txt": "x" * 5000 + "\n", "other.txt": "after\n"})
    git = Git(repo.path)
    names = [repo.git("rev-parse", f"HEAD:{name}").strip() for name in ("small.txt", "big.txt", "other.txt")]
    blobs = read_small_blobs(git, [*names, "HEAD:small.txt"], max_size=100)
    assert blobs == {names[0]: b"tiny\n", names[2]: b"after\n", "HEAD:small.txt": b"tiny\n"}
    with pytest.raises(UserError, match="missing"):
        read_small_blobs(git, ["HEAD:no-such-file"], max_size=100)


HEADER = "tenant_id,owner_email,plan\n"
ROWS = "".join(f"initech-prod-{n},bill{n}@initech.io,business\n" for n in range(10, 16))


@pytest.mark.parametrize(
    ("before", "added", "lines"),
    [
        ([ROWS], frozenset({1}), [2, 3, 4, 5, 6, 7]),  # the header made every row a record
        ([HEADER + ROWS[: ROWS.index("initech-prod-13")]], frozenset({5, 6, 7}), [5, 6, 7]),  # only new rows
        ([HEADER + ROWS], frozenset(), []),  # nothing new: all inherited
        ([ROWS, HEADER + ROWS], frozenset({1}), []),  # a merge: one parent had them all
        ([], frozenset({1}), [2, 3, 4, 5, 6, 7]),  # a new file
    ],
)
def test_scan_whole_keeps_added_lines_and_what_no_earlier_version_holds(
    before: list[str], added: frozenset[int], lines: list[int]
) -> None:
    config = Config(root=Path("/nowhere"))
    engine = Engine(config, load_policy(config))
    item = WholeFile(Source("data/t.csv", HEADER + ROWS, Origin.COMMIT, "c" * 40, added), (("data/t.csv", "x"),))
    earlier = [Source("data/t.csv", text, Origin.COMMIT, None, frozenset()) for text in before]
    outcome = scan_whole(engine, item, lambda _: earlier)
    assert sorted(f.line for f in outcome.findings if f.rule_id == "policy/tenant-record") == lines
