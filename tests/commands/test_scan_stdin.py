"""``scan -``: standard input as one file, in a real subprocess with a real pipe, in every format; the inline
allows and the baseline apply by ``--stdin-name``; '-' beside a git flag or another path is refused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from git_repo import STRIPE_RULE, secret_line, stripe_key

REPO_ROOT = Path(__file__).resolve().parents[2]
ALLOW = "cavra" + ": allow"  # built at run time: this file holds no allow comment of its own


def scan_stdin(cwd: Path, data: bytes, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "cavra_safety", "scan", *argv],
        cwd=cwd,
        env=env,
        input=data,
        capture_output=True,
        check=False,
    )
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode(), done.stderr.decode())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    return tmp_path


@pytest.mark.parametrize(
    ("argv", "path"),
    [
        (("-",), "(stdin)"),
        (("-", "--stdin-name", "src/settings.py"), "src/settings.py"),
        (("-", "--stdin-name", "./src/settings.py"), "src/settings.py"),
        (("--stdin-name", "config.env", "-"), "config.env"),
    ],
)
def test_a_key_on_standard_input_is_reported_at_the_stdin_name(folder: Path, argv: tuple[str, ...], path: str) -> None:
    done = scan_stdin(folder, secret_line("stdin").encode(), *argv, "-f", "json")
    assert done.returncode == 1, done.stderr
    (finding,) = json.loads(done.stdout)["findings"]
    assert (finding["path"], finding["line"], finding["rule_id"]) == (path, 1, STRIPE_RULE)
    assert stripe_key("stdin") not in done.stdout + done.stderr
    assert done.stderr.startswith("cavra-safety: 1 file scanned, 1 finding (billing-secret 1), ")


def _clean_report(output_format: str, out: str) -> bool:
    if output_format == "json":
        return json.loads(out)["findings"] == []
    if output_format == "sarif":
        return json.loads(out)["runs"][0]["results"] == []
    return out == "" if output_format == "github" else out.startswith("no findings")


@pytest.mark.parametrize(
    ("output_format", "shown"),
    [("text", "app.py\n"), ("json", '"path": "app.py"'), ("sarif", '"uri": "app.py"'), ("github", "file=app.py,")],
)
def test_every_format_reports_standard_input_at_its_name(folder: Path, output_format: str, shown: str) -> None:
    done = scan_stdin(folder, secret_line("formats").encode(), "-", "--stdin-name", "app.py", "-f", output_format)
    assert done.returncode == 1, done.stderr
    assert shown in done.stdout and STRIPE_RULE in done.stdout
    assert stripe_key("formats") not in done.stdout
    assert not _clean_report(output_format, done.stdout)


@pytest.mark.parametrize("output_format", ["text", "json", "sarif", "github"])
def test_clean_standard_input_exits_0_in_every_format(folder: Path, output_format: str) -> None:
    done = scan_stdin(folder, b"import os\nKEY = os.environ['STRIPE_KEY']\n", "-", "-f", output_format, "-q")
    assert (done.returncode, done.stderr) == (0, "")
    assert _clean_report(output_format, done.stdout)


@pytest.mark.parametrize(("allowed", "code"), [(True, 0), (False, 1)])
def test_an_inline_allow_on_standard_input_applies(folder: Path, allowed: bool, code: int) -> None:
    line = secret_line("allowed").rstrip("\n")
    if allowed:
        line += f"  # {ALLOW} {STRIPE_RULE} -- fixture"
    done = scan_stdin(folder, (line + "\n").encode(), "-", "-f", "json", "-q")
    assert done.returncode == code, done.stderr
    document = json.loads(done.stdout)
    assert [s["kind"] for s in document["suppressed"]] == (["inline"] if allowed else [])


@pytest.mark.parametrize(("scanned_as", "code"), [("fixtures/accepted.py", 0), ("elsewhere.py", 1)])
def test_the_baseline_applies_by_the_stdin_name(folder: Path, scanned_as: str, code: int) -> None:
    """The baseline accepts the value at fixtures/accepted.py (created from a tree scan): the same bytes piped
    in under that name are accepted; under another name they are a finding (the baseline is keyed by path)."""
    (folder / "fixtures").mkdir()
    (folder / "fixtures" / "accepted.py").write_text(secret_line("accepted"))
    created = subprocess.run(
        [sys.executable, "-m", "cavra_safety", "baseline", "create", "--reason", "revoked"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    done = scan_stdin(folder, secret_line("accepted").encode(), "-", "--stdin-name", scanned_as, "-f", "json", "-q")
    assert done.returncode == code, done.stderr
    document = json.loads(done.stdout)
    assert len(document["suppressed"]) == (1 if code == 0 else 0)
    assert len(document["findings"]) == code


def test_configured_excludes_apply_to_the_stdin_name(folder: Path) -> None:
    (folder / "pyproject.toml").write_text("[project]\nname = 'demo'\n[tool.cavra-safety]\nexclude = ['vendor/']\n")
    excluded = scan_stdin(folder, secret_line("x").encode(), "-", "--stdin-name", "vendor/lib.py")
    kept = scan_stdin(folder, secret_line("x").encode(), "-", "--stdin-name", "src/lib.py")
    assert (excluded.returncode, kept.returncode) == (0, 1)
    assert excluded.stderr.startswith("cavra-safety: 0 files scanned, 0 findings, ")


@pytest.mark.parametrize(
    ("data", "argv", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ("--stdin-name", "logo.png"), "binary (.png)"),
        (b"abc\x00\x01\x02\x03def", (), "binary (NUL bytes)"),
        (b"x = 1\n" * 100, ("--max-file-size", "64"), "larger than max-file-size (64 bytes)"),
    ],
)
def test_standard_input_that_is_not_text_is_skipped_with_its_reason(
    folder: Path, data: bytes, argv: tuple[str, ...], reason: str
) -> None:
    done = scan_stdin(folder, data, "-", *argv, "-f", "json")
    assert done.returncode == 0, done.stderr
    assert [s["reason"] for s in json.loads(done.stdout)["skipped"]] == [reason]


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (("-", "--staged"), "'-' (standard input) cannot be combined with --staged"),
        (("-", "--diff", "main"), "'-' (standard input) cannot be combined with --diff"),
        (("-", "--history"), "'-' (standard input) cannot be combined with --history"),
        (("-", "app.py"), "'-' (standard input) cannot be combined with other paths"),
        (("app.py", "-"), "'-' (standard input) cannot be combined with other paths"),
        (("app.py", "--stdin-name", "x.py"), "--stdin-name only applies to '-' (standard input)"),
    ],
)
def test_standard_input_with_a_git_flag_or_other_paths_is_refused(
    folder: Path, argv: tuple[str, ...], line: str
) -> None:
    (folder / "app.py").write_text("import os\n")
    done = scan_stdin(folder, secret_line("refused").encode(), *argv)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"cavra-safety: error: {line}\n")
