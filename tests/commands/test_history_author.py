"""History findings name the author of the commit that introduced the value: in JSON (``author``) and SARIF
(``properties.author``) always, in the text report only with ``--show-author``; never the e-mail address."""

from __future__ import annotations

import json

import pytest
from git_repo import STRIPE_RULE, Cli, Repo, secret_line

AUTHOR = "Zoë Example-Author"
EMAIL = "zoe.private@example.invalid"


def _planted(repo: Repo) -> str:
    """A first commit by the repository's default author, then the key added by ``AUTHOR``."""
    repo.commit("init", {"app.py": "import os\n"})
    repo.git("config", "user.name", AUTHOR)
    repo.git("config", "user.email", EMAIL)
    return repo.commit("add the key", {"settings.py": secret_line("author")})


def test_json_names_the_author_of_the_introducing_commit(repo: Repo, cli: Cli) -> None:
    added = _planted(repo)
    repo.git("config", "user.name", "Someone Else")
    repo.commit("copy it", {"copy.py": secret_line("author")})  # the same value again: reported at its first
    (finding,) = cli.findings(repo.path, "scan", "--history")
    assert (finding["rule_id"], finding["commit"], finding["author"]) == (STRIPE_RULE, added, AUTHOR)
    assert finding["occurrences"] == 2


@pytest.mark.parametrize("mode", [[], ["--staged"], ["--diff", "HEAD~1"]])
def test_scans_without_history_have_no_author(repo: Repo, cli: Cli, mode: list[str]) -> None:
    _planted(repo)
    repo.write("staged.py", secret_line("staged"))
    repo.git("add", "staged.py")
    findings = cli.findings(repo.path, "scan", *mode)
    assert findings and {finding["author"] for finding in findings} == {None}


def test_sarif_carries_the_author_as_a_property(repo: Repo, cli: Cli) -> None:
    _planted(repo)
    code, out, _ = cli(repo.path, "scan", "--history", "-f", "sarif", "-q")
    assert code == 1
    (result,) = json.loads(out)["runs"][0]["results"]
    assert result["properties"]["author"] == AUTHOR
    assert "author" not in result["partialFingerprints"]  # who wrote it is not what the finding is


@pytest.mark.parametrize(("flags", "shown"), [((), False), (("--show-author",), True)])
def test_the_text_report_names_the_author_only_when_asked(
    repo: Repo, cli: Cli, flags: tuple[str, ...], shown: bool
) -> None:
    added = _planted(repo)
    code, out, _ = cli(repo.path, "scan", "--history", "-q", *flags)
    assert code == 1
    (evidence,) = [line for line in out.splitlines() if "evidence" in line]
    assert (f"in commit {added[:12]} (by {AUTHOR}, authored " in evidence) is shown
    assert (AUTHOR in out) is shown


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github"])
def test_the_e_mail_address_is_never_reported(repo: Repo, cli: Cli, output_format: str) -> None:
    _planted(repo)
    code, out, err = cli(repo.path, "scan", "--history", "--show-author", "-f", output_format)
    assert code == 1
    assert EMAIL not in out + err and "zoe.private" not in out + err
