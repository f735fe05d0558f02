"""Every kind of bad input, end to end through the CLI: a clear message or a skip reason, never a crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cavra_safety.cli import main

TENANT = "acme-" + "prod-" + "7731"


def scan_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, object], str]:
    code = main(["scan", *argv, "--format", "json"])
    captured = capsys.readouterr()
    return code, json.loads(captured.out) if captured.out else {}, captured.err


def test_odd_files_are_scanned_or_skipped_with_reasons(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    line = f'tenant_id = "{TENANT}"\n'
    (root / "utf16.py").write_bytes(line.encode("utf-16"))
    (root / "latin.py").write_bytes(b"# caf\xe9 \xff\n" + line.encode())
    (root / "empty.py").write_bytes(b"")
    (root / "binary.dat").write_bytes(b"\x00\x01\x02" + line.encode())
    (root / "huge.txt").write_text("x" * (3 * 1024 * 1024))
    os.symlink(root, root / "loop")
    with open(os.fsencode(root) + b"/r\xe9sum\xe9.py", "wb") as handle:
        handle.write(line.encode())
    code, report, err = scan_json(capsys, str(root))
    assert code == 1
    findings = report["findings"]
    assert isinstance(findings, list)
    assert sorted((f["path"], f["line"]) for f in findings) == [
        ("latin.py", 2),
        ("r\\xe9sum\\xe9.py", 1),
        ("utf16.py", 1),
    ]
    assert report["skipped"] == [
        {"path": "binary.dat", "reason": "binary (NUL bytes)"},
        {"path": "huge.txt", "reason": "larger than max-file-size (2097152 bytes)"},
        {"path": "loop", "reason": "symbolic link (not followed)"},
    ]
    assert "Traceback" not in err


def test_unreadable_file_is_reported_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # /proc/self/mem is a regular file that fails to read (EIO) even for root, unlike a chmod 000 file.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ok.py").write_text("x = 1\n")
    code, report, err = scan_json(capsys, "ok.py", "/proc/self/mem")
    assert code == 0
    skipped = report["skipped"]
    assert isinstance(skipped, list) and len(skipped) == 1
    assert skipped[0]["reason"] == "unreadable: Input/output error"
    assert "1 files scanned, 1 skipped (1 unreadable)" in err


def test_huge_single_line_under_the_limit_is_scanned(tmp_path: Path) -> None:
    # A 1.5 MB line of near-secret material: run in a subprocess with a generous timeout as a hang guard.
    line = ("tenant_id=" + "a1b2c3d4e5" * 15) * 1000 + f' tenant_id = "{TENANT}"\n'
    (tmp_path / "one-line.txt").write_text(line)
    done = subprocess.run(
        [sys.executable, "-m", "cavra_safety", "scan", str(tmp_path), "--format", "json", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["files_scanned"] == 1


def test_catastrophic_regex_in_a_policy_pack_does_not_hang(tmp_path: Path) -> None:
    pack = tmp_path / "evil.toml"
    pack.write_text(
        '[pack]\nname = "evil"\nversion = "1"\n\n[[rules]]\nid = "evil"\ncategory = "tenant-id"\nseverity = "low"\n'
        'title = "t"\nmessage = "m"\nkeywords = ["a"]\npatterns = ["(a+)+$"]\nexamples = ["a"]\n'
        'negative-examples = ["b"]\n'
    )
    (tmp_path / "input.txt").write_text("a" * 50_000 + "!\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cavra_safety",
            "scan",
            str(tmp_path / "input.txt"),
            "--policy",
            str(pack),
            "--no-default-policy",
            "--format",
            "json",
            "-q",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["findings"] == []


def test_unsupported_regex_feature_is_a_load_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "backref.toml"
    pack.write_text(
        '[pack]\nname = "backref"\nversion = "1"\n\n[[rules]]\nid = "twice"\ncategory = "tenant-id"\nseverity = "low"\n'
        'title = "t"\nmessage = "m"\nkeywords = ["a"]\npatterns = [\'(a)\\1\']\nexamples = ["aa"]\n'
        'negative-examples = ["b"]\n'
    )
    code = main(["scan", str(tmp_path), "--policy", str(pack)])
    err = capsys.readouterr().err
    assert code == 2
    assert "backref.toml" in err and "twice" in err and "patterns[0]" in err
