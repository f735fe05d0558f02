"""The command line through ``main(argv)``: exit codes, stdout/stderr, and that secrets never leak."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cavra_safety import __version__
from cavra_safety.cli import main
from cavra_safety.commands.output import Progress
from cavra_safety.pipeline import scan as tree_scan

# Built at run time so that this file passes the repository's own scan.
TENANT = "acme-" + "prod-" + "7731"
LEAKY_LINE = f'tenant_id = "{TENANT}"\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "app.py").write_text("import os\n\nTENANT_ID_FIELD = 'tenant_id'\n")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_clean_scan_exits_0_with_a_summary_on_stderr(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "scan", ".")
    assert code == 0
    assert err.startswith("cavra-safety: 2 files scanned, 0 findings, ")


def test_findings_exit_1_and_the_secret_never_appears(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "settings.py").write_text(LEAKY_LINE)
    for fmt in ("text", "json", "sarif", "github"):
        code, out, err = run(capsys, "scan", ".", "--format", fmt)
        assert code == 1
        assert TENANT not in out + err
        assert "settings.py" in out
    code, out, _ = run(capsys, "scan", ".", "--format", "json", "--quiet")
    (finding,) = json.loads(out)["findings"]
    assert (finding["path"], finding["line"], finding["rule_id"], finding["category"]) == (
        "settings.py",
        1,
        "python/tenant-id-binding",
        "tenant-id",
    )


def test_fail_on_and_category_filters(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "settings.py").write_text(LEAKY_LINE)
    assert run(capsys, "scan", ".", "--fail-on", "critical", "-q")[0] == 0
    assert run(capsys, "scan", ".", "--exclude-category", "tenant-id", "-q")[0] == 0
    assert run(capsys, "scan", ".", "--category", "tenant-id", "-q")[0] == 1
    assert run(capsys, "scan", ".", "--exclude", "settings.py", "-q")[0] == 0


def test_explicit_files_as_pre_commit_passes_them(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "settings.py").write_text(LEAKY_LINE)
    code, out, _ = run(capsys, "scan", "app.py", "settings.py", "--format", "json", "-q")
    assert code == 1
    assert [f["path"] for f in json.loads(out)["findings"]] == ["settings.py"]


def test_output_file(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "settings.py").write_text(LEAKY_LINE)
    code, out, _ = run(capsys, "scan", ".", "--format", "sarif", "-o", "report.sarif", "-q")
    assert code == 1 and out == ""
    report = json.loads((project / "report.sarif").read_text())
    assert report["runs"][0]["results"][0]["ruleId"] == "python/tenant-id-binding"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["scan", "--format", "xml"], "Invalid value for '-f' / '--format'"),
        (["scan", "--fail-on", "severe"], "unknown severity 'severe'"),
        (["scan", "--category", "tenant"], "unknown category 'tenant'"),
        (["scan", "--max-file-size", "huge"], "expected a size from 1 byte to 1 GiB"),
        (["scan", "no-such-dir"], "path does not exist: no-such-dir"),
        (["scan", "--policy", "missing.toml"], "missing.toml"),
        (["scan", "-o", "no/such/folder/out.json"], "cannot write no/such/folder/out.json"),
        (["scna"], "No such command 'scna'"),
    ],
)
def test_user_errors_exit_2_with_one_clear_line(
    project: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("cavra-safety: error: ")
    assert message in err
    assert "Traceback" not in err


def test_bad_config_lists_every_problem(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text("[tool.cavra-safety]\nfail-on = 3\nexclud = []\n")
    code, _, err = run(capsys, "scan", ".")
    assert code == 2
    assert "fail-on: expected a severity name" in err and "exclud: unknown key" in err


def test_broken_policy_pack_names_file_rule_and_field(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "bad.toml").write_text(
        '[pack]\nname = "bad"\nversion = "1"\n\n[[rules]]\nid = "broken"\ncategory = "tenant-id"\nseverity = "high"\n'
        'title = "t"\nmessage = "m"\nkeywords = ["x"]\npatterns = ["(unclosed"]\nexamples = ["x"]\n'
        'negative-examples = ["y"]\n'
    )
    code, _, err = run(capsys, "scan", ".", "--policy", "bad.toml")
    assert code == 2
    assert "bad.toml" in err and "broken" in err and "patterns" in err
    assert "Traceback" not in err


def test_internal_error_exits_3_with_a_traceback(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(tree_scan, "scan", explode)
    code, _, err = run(capsys, "scan", ".")
    assert code == 3
    assert "Traceback" in err and "internal error" in err


def test_interrupt_exits_130(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(tree_scan, "scan", interrupt)
    assert run(capsys, "scan", ".")[0] == 130


def test_version_and_module_entry_point(project: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cavra_safety", "--version"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0
    assert done.stdout.strip() == f"cavra-safety, version {__version__}"


def test_summary_line_counts_skips_by_reason(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "blob.bin").write_bytes(b"\x00\x01")
    (project / "logo.png").write_bytes(b"png")
    (project / "notes.txt").write_bytes(b"\x00x")
    _, _, err = run(capsys, "scan", ".")
    assert "3 skipped (3 binary)" in err


def test_progress_bar_only_when_enabled_and_only_once_the_scan_is_long(capsys: pytest.CaptureFixture[str]) -> None:
    quiet = Progress("Scanning", enabled=False)
    quiet.started -= 60
    quiet(1, 10)
    fresh = Progress("Scanning", enabled=True)
    fresh(1, 10)  # a scan that has just started shows nothing yet
    assert fresh.bar is None
    assert capsys.readouterr().err == ""
    slow = Progress("Scanning", enabled=True)
    slow.started -= 60
    slow(5, 10)
    slow(10, 10)
    assert slow.bar is not None and slow.shown == 10
    slow.close()
    assert "Scanning" in capsys.readouterr().err


def test_notebook_cells_and_outputs_are_scanned_without_flagging_images(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    image = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg"
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "source": ["import os\n", LEAKY_LINE],
                "outputs": [
                    {"output_type": "display_data", "data": {"image/png": image * 40, "text/plain": ["<Figure>"]}},
                ],
            },
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (project / "analysis.ipynb").write_text(json.dumps(notebook, indent=1))
    code, out, _ = run(capsys, "scan", ".", "--format", "json", "-q")
    assert code == 1
    findings = json.loads(out)["findings"]
    assert [(f["path"], f["rule_id"]) for f in findings] == [("analysis.ipynb", "policy/tenant-id-value")]


@pytest.mark.parametrize(
    ("files", "expected"), [(0, "0 files scanned, 0 findings"), (1, "1 file scanned, 0 findings"), (2, "2 files")]
)
def test_summary_line_says_one_file_in_the_singular(
    project: Path, capsys: pytest.CaptureFixture[str], files: int, expected: str
) -> None:
    for path in project.iterdir():
        if path.is_file():
            path.unlink()
    for index in range(files):
        (project / f"m{index}.py").write_text("x = 1\n")
    _, _, err = run(capsys, "scan", ".")
    assert expected in err


@pytest.mark.parametrize("group", [[], ["policy"], ["baseline"], ["contract"], ["audit", "--help"]])
def test_a_group_without_a_command_prints_its_help_whole(capsys: pytest.CaptureFixture[str], group: list[str]) -> None:
    code, out, err = run(capsys, *group)
    assert (code, err) == (0, "")
    assert out.startswith("Usage: cavra-safety") and "Commands:" in out
    listed = out.split("Commands:", 1)[1].splitlines()
    assert not [line for line in listed if line.endswith("...")]  # each first sentence whole, wrapped, not cut
