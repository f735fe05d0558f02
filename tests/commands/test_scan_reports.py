"""``scan --sarif FILE``: one scan writes its report (any ``--format``) and a SARIF file, so that CI reads the
diff's annotations and uploads code scanning's file from the same scan (the GitHub Action does)."""

from __future__ import annotations

from pathlib import Path

import pytest
from git_repo import STRIPE_RULE, Cli, Repo, secret_line, tenant_line

FORMATS = ("text", "json", "sarif", "github")


def tree(tmp_path: Path, leak: bool) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "app.py").write_text("import os\nKEY = os.environ['KEY']\n")
    if leak:
        (root / "settings.py").write_text(secret_line("reports"))
        allowed = secret_line("allowed").rstrip("\n") + f"  # cavra: allow {STRIPE_RULE} -- test value\n"
        (root / "allowed.py").write_text(allowed)  # a suppressed result in the SARIF too
    return root


@pytest.mark.parametrize(
    "output_format, leak", [*((output_format, True) for output_format in FORMATS), ("github", False), ("text", False)]
)
def test_the_sarif_file_is_the_sarif_report_and_the_main_report_is_unchanged(
    cli: Cli, tmp_path: Path, output_format: str, leak: bool
) -> None:
    root = tree(tmp_path, leak)
    alone_code, alone_out, _ = cli(root, "scan", ".", "--format", output_format, "-q")
    sarif_code, _, _ = cli(root, "scan", ".", "--format", "sarif", "-o", str(tmp_path / "alone.sarif"), "-q")
    both_code, both_out, _ = cli(
        root, "scan", ".", "--format", output_format, "--sarif", str(tmp_path / "both.sarif"), "-q"
    )
    assert alone_code == sarif_code == both_code == (1 if leak else 0)
    assert both_out == alone_out  # the main report, on stdout, as without --sarif
    assert (tmp_path / "both.sarif").read_bytes() == (tmp_path / "alone.sarif").read_bytes()


@pytest.mark.parametrize(
    "line, fail_on, expected",
    [
        (tenant_line(), None, 1),  # high
        (tenant_line(), "critical", 0),
        (secret_line("critical"), "critical", 1),
    ],
)
def test_exit_codes_follow_fail_on_as_without_sarif(
    cli: Cli, tmp_path: Path, line: str, fail_on: str | None, expected: int
) -> None:
    root = tmp_path / "project"
    root.mkdir()
    (root / "settings.py").write_text(line)
    extra = ["--fail-on", fail_on] if fail_on else []
    code, _, _ = cli(root, "scan", ".", "--format", "github", "--sarif", str(tmp_path / "r.sarif"), "-q", *extra)
    assert code == expected == cli(root, "scan", ".", "--format", "github", "-q", *extra)[0]
    assert (tmp_path / "r.sarif").is_file()


def test_a_diff_scan_writes_the_annotations_and_the_sarif_of_the_added_lines(
    cli: Cli, repo: Repo, tmp_path: Path
) -> None:
    base = repo.commit("base", {"old.py": secret_line("old")})
    repo.commit("feature", {"new.py": "import os\n" + secret_line("new")})
    code, out, _ = cli(repo.path, "scan", "--diff", f"{base}...HEAD", "--format", "github", "--sarif", "d.sarif", "-q")
    assert code == 1
    assert out.startswith("::error file=new.py,line=2,") and "old.py" not in out
    cli(repo.path, "scan", "--diff", f"{base}...HEAD", "--format", "sarif", "-o", str(tmp_path / "alone.sarif"), "-q")
    assert (repo.path / "d.sarif").read_bytes() == (tmp_path / "alone.sarif").read_bytes()


def test_an_unwritable_sarif_file_is_a_user_error(cli: Cli, tmp_path: Path) -> None:
    root = tree(tmp_path, leak=False)
    code, _, err = cli(root, "scan", ".", "--sarif", str(tmp_path / "missing" / "r.sarif"), "-q")
    assert code == 2
    assert err.strip().splitlines() == [
        f"cavra-safety: error: cannot write {tmp_path / 'missing' / 'r.sarif'}: No such file or directory"
    ]
