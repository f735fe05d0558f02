"""The audit as filed evidence (issue 18, point 6): every format says when it was made (UTC, ISO 8601) and of
which commit (full sha and ref); the digest covers the date; the clock is injected, never read in a test."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from audit_repo import Cli, Repo

from cavra_safety.audit import FORMATS, run_audit
from cavra_safety.audit.document import to_document
from cavra_safety.audit.run import iso_utc
from cavra_safety.audit.verify import verify_document
from cavra_safety.config import load_config
from cavra_safety.git import Git

EPOCH = 1796312000  # a fixed SOURCE_DATE_EPOCH


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (datetime(2026, 12, 3, 15, 33, 9, 987654, tzinfo=UTC), "2026-12-03T15:33:09Z"),
        (datetime(2026, 12, 3, 23, 30, 0, tzinfo=timezone(timedelta(hours=-5))), "2026-12-04T04:30:00Z"),
        (datetime(2027, 1, 1, 0, 59, 59, tzinfo=timezone(timedelta(hours=1))), "2026-12-31T23:59:59Z"),
    ],
)
def test_the_time_is_utc_iso_8601_to_the_second(moment: datetime, shown: str) -> None:
    assert iso_utc(moment) == shown


def made_at_a_fixed_time() -> datetime:
    return datetime(2026, 12, 3, 15, 33, 9, tzinfo=UTC)


def _report(repo: Repo, clock: Callable[[], datetime]) -> Any:
    git = Git(repo.path, purpose="audit")
    config = load_config(repo.path).with_overrides(root=repo.path, paths=(repo.path,))
    return run_audit(git, config, None, tool_version="9.9.9", clock=clock)


def _audit(repo: Repo, clock: Callable[[], datetime]) -> dict[str, object]:
    return to_document(_report(repo, clock))


def test_the_injected_clock_and_the_commit_are_in_the_report_and_its_digest(repo: Repo) -> None:
    repo.commit("first", {"app.py": "x = 1\n"})
    first = _audit(repo, lambda: datetime(2026, 12, 3, 15, 33, 9, tzinfo=UTC))
    later = _audit(repo, lambda: datetime(2026, 12, 4, 8, 0, 0, tzinfo=UTC))
    assert (first["generated_at"], later["generated_at"]) == ("2026-12-03T15:33:09Z", "2026-12-04T08:00:00Z")
    assert first["repository"]["head"]["commit"] == repo.head()  # type: ignore[index]
    assert first["repository"]["head"]["ref"] == "refs/heads/main"  # type: ignore[index]
    assert first["digest"] != later["digest"]  # the date is covered
    forged = dict(first, generated_at=later["generated_at"])
    assert not verify_document(forged).ok


@pytest.mark.parametrize(
    ("checkout", "ref"),
    [
        ((), "refs/heads/main"),
        (("-q", "-b", "release/2.x"), "refs/heads/release/2.x"),
        (("-q", "--detach", "v1.0.0"), "refs/tags/v1.0.0"),
        (("-q", "--detach", "HEAD~1"), None),
    ],
    ids=["branch", "other-branch", "detached-at-tag", "detached-untagged"],
)
def test_the_ref_is_the_branch_or_else_a_tag_at_head(
    repo: Repo, cli: Cli, monkeypatch: pytest.MonkeyPatch, checkout: tuple[str, ...], ref: str | None
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(EPOCH))
    repo.commit("first", {"app.py": "x = 1\n"})
    repo.commit("second", {"app.py": "x = 2\n"})
    repo.git("tag", "v1.0.0")
    if checkout:
        repo.git("checkout", *checkout)
    code, document = cli.report(repo.path)
    assert code == 0
    head = document["repository"]["head"]
    assert (head["commit"], head["ref"]) == (repo.head(), ref)
    assert document["generated_at"] == iso_utc(datetime.fromtimestamp(EPOCH, tz=UTC))


def test_every_format_says_when_and_of_which_commit(repo: Repo) -> None:
    repo.commit("first", {"app.py": "x = 1\n"})
    report = _report(repo, made_at_a_fixed_time)
    sha = repo.head()
    markdown = FORMATS["markdown"](report).splitlines()
    assert markdown[2] == f"Made 2026-12-03T15:33:09Z of commit `{sha}` (`refs/heads/main`)."
    html = FORMATS["html"](report)
    assert (
        '<p class="made">Made <time datetime="2026-12-03T15:33:09Z">2026-12-03T15:33:09Z</time> of commit '
        f"<code>{sha}</code> (<code>refs/heads/main</code>).</p>"
    ) in html
    header = html[html.index("<thead>") : html.index("</thead>")]  # printed on every page
    assert "made 2026-12-03T15:33:09Z" in header and to_document(report)["digest"] in header


def test_an_empty_repository_says_so(repo: Repo) -> None:
    report = _report(repo, made_at_a_fixed_time)
    assert FORMATS["markdown"](report).splitlines()[2] == (
        "Made 2026-12-03T15:33:09Z of an empty repository (no commit)."
    )
