"""The baseline: create / update / list, subtraction by scan, and precise errors for a broken file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cavra_safety.cli import main

BASELINE = ".cavra-safety-baseline.json"
RULE = "policy/stripe-live-secret-key"


def key(seed: str) -> str:
    return "sk_" + "live_" + (seed * 24)[:12] + "Q7x9Lm2Kp4Zr"


def line(seed: str) -> str:
    return f'STRIPE_KEY = "{key(seed)}"\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    (tmp_path / "settings.py").write_text("import os\n" + line("a"))
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_create_accepts_findings_without_storing_the_secret(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "scan", ".", "-q")[0] == 1
    code, _, err = run(capsys, "baseline", "create", "--reason", "rotated in 2023, kept as a fixture")
    assert code == 0 and "1 accepted findings" in err
    text = (project / BASELINE).read_text()
    assert key("a") not in text and key("a")[:8] not in text
    (entry,) = json.loads(text)["entries"]
    assert list(entry) == ["path", "rule_id", "category", "fingerprint", "reason"]
    assert (entry["path"], entry["rule_id"], entry["category"]) == ("settings.py", RULE, "billing-secret")
    code, _, err = run(capsys, "scan", ".")
    assert code == 0 and "1 in baseline" in err
    # Explicit files (the pre-commit hook) honour it too; --no-baseline shows everything.
    assert run(capsys, "scan", "settings.py", "-q")[0] == 0
    assert run(capsys, "scan", ".", "--no-baseline", "-q")[0] == 1
    # create refuses to overwrite.
    code, _, err = run(capsys, "baseline", "create")
    assert code == 2 and "already exists" in err


@pytest.mark.parametrize(
    ("new_text", "reported"),
    [
        ("# a comment\n\nimport os\n" + line("a"), []),  # moved: still accepted
        ("import os\n" + line("b"), [4]),  # a different secret where the accepted one was
        ("import os\n" + line("a") + line("c"), [3]),  # a new secret beside the accepted one
    ],
)
def test_moving_keeps_an_entry_a_different_secret_is_reported(
    project: Path, capsys: pytest.CaptureFixture[str], new_text: str, reported: list[int]
) -> None:
    run(capsys, "baseline", "create")
    (project / "settings.py").write_text(new_text)
    code, out, _ = run(capsys, "scan", ".", "--format", "json", "-q")
    lines = [finding["line"] for finding in json.loads(out)["findings"]]
    assert lines == ([2] if reported == [4] else reported)
    assert code == (1 if reported else 0)


def test_update_keeps_reasons_adds_new_and_drops_stale(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "baseline", "create", "--reason", "old fixture")
    (project / "other.py").write_text(line("n"))
    (project / "settings.py").write_text("import os\n")
    code, out, err = run(capsys, "baseline", "list")
    assert code == 0 and out.startswith("stale  settings.py") and "1 stale" in err
    assert run(capsys, "baseline", "list", "--stale")[0] == 1
    code, _, err = run(capsys, "baseline", "update", "--reason", "new fixture")
    assert code == 0 and "1 added, 1 stale removed, 1 entries" in err
    (entry,) = json.loads((project / BASELINE).read_text())["entries"]
    assert (entry["path"], entry["reason"]) == ("other.py", "new fixture")
    code, out, _ = run(capsys, "baseline", "list")
    assert out.startswith("ok     other.py")


def test_the_baseline_file_is_never_scanned_and_is_configurable(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.cavra-safety]\nbaseline = "security/accepted.json"\n')
    (project / "security").mkdir()
    assert run(capsys, "baseline", "create")[0] == 0
    assert (project / "security/accepted.json").is_file()
    # Scanning from a subfolder still finds the baseline and matches its folder-relative paths.
    assert run(capsys, "scan", ".", "-q")[0] == 0
    assert run(capsys, "scan", "--baseline", "missing.json", ".", "-q")[0] == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"version": 1, "entries": [\n  {"path": "a"\n', f"{BASELINE}:3: invalid baseline: not valid JSON"),
        ('{\n  "version": 3,\n  "entries": []\n}\n', 'line 2: "version" must be 1 or 2, got 3'),
        ('{\n  "version": 1,\n  "entries": {}\n}\n', 'line 3: "entries" must be a list'),
        ('{\n  "version": 1,\n  "entries": [],\n  "extra": 1\n}\n', "line 4: unknown key 'extra'"),
    ],
)
def test_a_corrupt_baseline_is_exit_2_with_the_line(
    project: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    (project / BASELINE).write_text(content)
    code, out, err = run(capsys, "scan", ".")
    assert (code, out) == (2, "")
    assert message in err and "Traceback" not in err


def test_a_hand_edited_entry_names_every_faulty_line(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "baseline", "create")
    document = json.loads((project / BASELINE).read_text())
    good = document["entries"][0]
    document["entries"] = [
        good,
        {**good, "category": "tenant"},
        {**good, "fingerprint": key("a")},  # someone pasted the secret: refused, and never echoed
        {key: value for key, value in good.items() if key != "reason"},
        dict(good),
    ]
    (project / BASELINE).write_text(json.dumps(document, indent=2) + "\n")
    code, _, err = run(capsys, "scan", ".")
    assert code == 2
    # Line 3 holds the fingerprint salt: entry 2's category is on line 16.
    assert "line 16: entry 2: category 'tenant' is not a category id" in err
    assert "line 24: entry 3: fingerprint must be 64 lowercase hex digits" in err
    assert "line 27: entry 4: missing 'reason'" in err
    assert "line 33: entry 5 repeats entry 1" in err
    assert key("a") not in err


def test_the_baseline_file_is_never_scanned_itself_even_with_no_baseline(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "baseline", "create", "--reason", "fixture")[0] == 0
    for extra in ((), ("--no-baseline",)):
        _, out, _ = run(capsys, "scan", ".", "--format", "json", "-q", *extra)
        document = json.loads(out)
        assert document["summary"]["files_scanned"] == 2, extra  # pyproject.toml and settings.py
        assert all(finding["path"] != BASELINE for finding in document["findings"])


def test_render_writes_what_json_dumps_would() -> None:
    from cavra_safety import TOOL_NAME
    from cavra_safety.baseline import BASELINE_VERSION, Baseline, BaselineEntry
    from cavra_safety.findings import Category

    entries = (
        BaselineEntry('src/ü "quoted".py', "policy/a", "0" * 64, Category.TENANT_ID, 'why\nnot \\ \u2028 \x01 "x"'),
        BaselineEntry("a.py", "secret/b", "1" * 64, Category.LICENSE_KEY, "fixture"),
    )
    for chosen in ((), entries):
        for salt in (None, "0f" * 16):
            document: dict[str, object] = {"version": BASELINE_VERSION, "generated_by": TOOL_NAME}
            if salt is not None:
                document["fingerprint_salt"] = salt
            document["entries"] = [entry.as_json() for entry in sorted(chosen)]
            rendered = Baseline(Path("."), chosen, salt).render()
            assert rendered == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_a_large_baseline_names_the_line_of_a_problem_far_down(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Line numbers come from one index of the newlines (loading used to count from the top for every entry).
    entries = [
        {"path": f"f{i}.py", "rule_id": RULE, "category": "billing-secret", "fingerprint": f"{i:064x}", "reason": "r"}
        for i in range(3000)
    ]
    entries[2500]["category"] = "tenant"
    (project / BASELINE).write_text(json.dumps({"version": 1, "entries": entries}, indent=2) + "\n")
    code, _, err = run(capsys, "scan", ".")
    assert code == 2
    # Entry n (from 0) opens on line 4 + 7 n; its category is three lines further.
    assert "line 17507: entry 2501: category 'tenant' is not a category id" in err


@pytest.mark.parametrize("version", ["true", '"1"', "1.0"])
def test_the_version_must_be_the_number_1_or_2(project: Path, capsys: pytest.CaptureFixture[str], version: str) -> None:
    (project / BASELINE).write_text(f'{{\n  "version": {version},\n  "entries": []\n}}\n')
    code, _, err = run(capsys, "scan", ".")
    assert code == 2 and 'line 2: "version" must be 1 or 2' in err


def test_a_special_file_is_never_written_as_the_baseline(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os

    os.mkfifo(project / "fifo.json")
    code, _, err = run(capsys, "baseline", "create", "--baseline", "fifo.json", "--force")
    assert code == 2 and "cannot write baseline fifo.json: not a regular file" in err
