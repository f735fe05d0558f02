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
    assert "1 file scanned, 1 skipped (1 unreadable)" in err


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


# --- Bad input is exit 2 with one clear line, never exit 3 (issue 12, point 7) -------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_clear_line(code: int, err: str, *expected: str) -> None:
    assert code == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("cavra-safety: error: "), err
    for text in expected:
        assert text in lines[0], err


WRONG_TYPES = {"int": "5", "list": "[1]", "table": "{ a = 1 }", "bool": "true", "string": '"x"'}
# Each [tool.cavra-safety] key and the kinds of value it accepts (config._fields): every other kind is wrong.
KEY_ACCEPTS = {
    "exclude": set(),
    "respect-gitignore": {"bool"},
    "max-file-size": {"int"},
    "default-policy": {"bool"},
    "policies": set(),
    "categories": set(),
    "exclude-categories": set(),
    "disable-rules": set(),
    "fail-on": set(),  # "x" is no severity
    "jobs": {"int"},
    "baseline": {"string"},
    "decode": {"bool"},
}
EXTRA_WRONG = [
    ("max-file-size", "0"),
    ("max-file-size", '"9999999999999999999999 GiB"'),
    ("max-file-size", '"2 GiB"'),
    ("max-file-size", '"1 TB"'),
    ("jobs", "-1"),
    ("jobs", "9223372036854775807"),
    ("exclude", '["[z-a]"]'),
    ("categories", '["tenant"]'),
    ("fail-on", '"severe"'),
    ("baseline", '""'),
]


def test_every_config_key_is_listed() -> None:
    from cavra_safety.config import _fields

    assert set(_fields(Path("."))) == set(KEY_ACCEPTS)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        pytest.param(key, text, id=f"{key}={kind}")
        for key, accepted in KEY_ACCEPTS.items()
        for kind, text in WRONG_TYPES.items()
        if kind not in accepted
    ]
    + [pytest.param(key, text, id=f"{key}={text}") for key, text in EXTRA_WRONG],
)
def test_a_config_key_of_the_wrong_type_is_exit_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], key: str, value: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(f"[tool.cavra-safety]\n{key} = {value}\n")
    (tmp_path / "app.py").write_text("x = 1\n")
    code, out, err = run_cli(capsys, "scan", ".")
    assert out == ""
    assert_one_clear_line(code, err, "pyproject.toml: invalid configuration: [tool.cavra-safety] " + key + ":")


@pytest.mark.parametrize("command", [["scan", "."], ["baseline", "list"], ["policy", "list"], ["fix", "."], ["audit"]])
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("tool = 5\n", "tool must be a table ([tool]), got int"),
        ("tool = [1]\n", "tool must be a table ([tool]), got list"),
        ("[tool]\ncavra-safety = 5\n", "[tool.cavra-safety] must be a table, got int"),
        ("a = " + "[" * 100_000 + "]" * 100_000 + "\n", "invalid TOML: arrays or tables nested too deep"),
        (b"[tool.cavra-safety]\nexclude = ['caf\xe9']\n", "not UTF-8 text (byte 35); TOML files are UTF-8"),
    ],
    ids=["tool-int", "tool-list", "table-int", "deep", "not-utf8"],
)
def test_a_broken_pyproject_is_exit_2_for_every_command(
    repo: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    content: str | bytes,
    message: str,
) -> None:
    root = tmp_path / "repo"  # the ``repo`` fixture's git repository: audit needs one
    data = content if isinstance(content, bytes) else content.encode()
    (root / "pyproject.toml").write_bytes(data)
    (root / "app.py").write_text("x = 1\n")
    monkeypatch.chdir(root)
    code, _, err = run_cli(capsys, *command)
    assert_one_clear_line(code, err, "pyproject.toml: " + message)


def test_a_bad_exclude_flag_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text("x = 1\n")
    code, _, err = run_cli(capsys, "scan", ".", "--exclude", "[z-a]")
    assert_one_clear_line(code, err, "--exclude: invalid pattern '[z-a]': bad character range z-a")


@pytest.mark.parametrize("size", ["9999999999999999999999 GiB", "9" * 5000, "2 GiB", "0"])
def test_an_absurd_max_file_size_flag_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], size: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, "scan", ".", "--max-file-size", size)
    assert_one_clear_line(code, err, "--max-file-size", "expected a size from 1 byte to 1 GiB")


def test_a_glob_pack_field_that_is_no_pattern_is_a_load_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.toml").write_text(
        '[pack]\nname = "p"\nversion = "1"\n\n[[rules]]\nid = "r"\ncategory = "tenant-id"\nseverity = "low"\n'
        'title = "t"\nmessage = "m"\nkeywords = ["a"]\npatterns = ["a+"]\nexamples = ["a"]\n'
        'negative-examples = ["b"]\npaths = { include = ["[z-a]"] }\n'
    )
    code, _, err = run_cli(capsys, "scan", ".", "--policy", "p.toml", "--no-default-policy")
    assert_one_clear_line(code, err, 'p.toml: rule "r": paths: invalid glob')


def test_a_baseline_nested_too_deep_is_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    code, _, err = run_cli(capsys, "scan", ".", "--baseline", "deep.json")
    assert_one_clear_line(code, err, "deep.json: invalid baseline: arrays or objects nested too deep")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "fifo"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "folder"])
@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (["scan", ".", "--baseline", "{}"], "baseline {} is not a regular file"),
        (["scan", ".", "--config", "{}"], "config {} is not a regular file"),
        (["scan", ".", "--policy", "{}"], "policy pack {} is not a regular file"),
        (["baseline", "list", "--baseline", "{}"], "baseline {} is not a regular file"),
    ],
    ids=["baseline", "config", "policy", "baseline-list"],
)
def test_special_files_are_refused_as_inputs(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fifo: Path,
    special: str,
    argv: list[str],
    what: str,
) -> None:
    # A FIFO would block the open, /dev/zero would be read until memory runs out: both refused at once.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "folder").mkdir()
    (tmp_path / "app.py").write_text("x = 1\n")
    code, _, err = run_cli(capsys, *(part.format(special) for part in argv))
    clicks_own = special == "folder" and not what.startswith("policy")  # click refuses a folder for these
    assert_one_clear_line(code, err, "File 'folder' is a directory" if clicks_own else what.format(special))


def test_policy_check_refuses_special_files(
    fifo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(fifo.parent)
    for special in ("/dev/zero", "fifo"):
        code, out, _ = run_cli(capsys, "policy", "check", special)
        assert code == 2
        assert f"policy pack {special} is not a regular file" in out


def test_an_oversized_baseline_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cavra_safety import baseline

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(baseline, "MAX_BASELINE_BYTES", 1024 * 1024)
    (tmp_path / "big.json").write_text(" " * (1024 * 1024 + 1))
    code, _, err = run_cli(capsys, "scan", ".", "--baseline", "big.json")
    assert_one_clear_line(code, err, "baseline big.json is larger than 1 MiB: refused")


def _leaky_project(tmp_path: Path) -> Path:
    (tmp_path / "settings.py").write_text(f'TENANT_ID = "{TENANT}"\n' * 200)
    return tmp_path


def _run_with_stdout(argv: list[str], cwd: Path, stdout: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cavra_safety", *argv],
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("argv", [["scan", ".", "-q"], ["fix", "."]], ids=["scan", "fix"])
def test_a_full_disk_on_stdout_is_one_clear_line(tmp_path: Path, argv: list[str]) -> None:
    with open("/dev/full", "w") as full:
        done = _run_with_stdout(argv, _leaky_project(tmp_path), full.fileno())
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == ["cavra-safety: error: cannot write to standard output: No space left on device"]


@pytest.mark.parametrize(
    ("argv", "verdict", "stderr"),
    [
        (["scan", ".", "-q"], 1, []),
        (
            ["fix", "."],
            1,
            ["cavra-safety: 200 literal value(s) in 1 file(s) would be replaced; run with --write to apply"],
        ),
        (["policy", "list"], 0, []),
    ],
    ids=["scan", "fix", "policy-list"],
)
def test_a_closed_pipe_ends_the_output_quietly_with_the_verdict(
    tmp_path: Path, argv: list[str], verdict: int, stderr: list[str]
) -> None:
    # ``scan . | head -0``: the reader is gone before the first write; the command still reaches its verdict.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = _run_with_stdout(argv, _leaky_project(tmp_path), write_end)
    finally:
        os.close(write_end)
    assert done.returncode == verdict, done.stderr
    assert done.stderr.splitlines() == stderr


def test_a_full_disk_under_a_command_printing_on_its_own_is_one_clear_line(tmp_path: Path) -> None:
    # ``baseline list`` prints with click directly: cli.main still tells a failed print from a bug.
    project = _leaky_project(tmp_path)
    assert _run_with_stdout(["baseline", "create"], project, subprocess.DEVNULL).returncode == 0
    with open("/dev/full", "w") as full:
        done = _run_with_stdout(["baseline", "list"], project, full.fileno())
    assert done.returncode == 2, done.stderr
    assert (
        done.stderr.splitlines()[-1] == "cavra-safety: error: cannot write to standard output: No space left on device"
    )
    assert "Traceback" not in done.stderr
