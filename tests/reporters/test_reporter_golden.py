"""Every format, byte for byte, against the golden files in ``tests/reporters/golden/``.

To regenerate them after a deliberate change of a format, run

    CAVRA_UPDATE_GOLDEN=1 /work/venv/bin/pytest tests/reporters/test_reporter_golden.py

and review the diff of the golden files like any other change: it is the change users will see.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from reporter_samples import OPTIONS, empty_result, sample_result, sample_secrets

from cavra_safety.findings import ScanResult
from cavra_safety.reporters import REPORTERS, RenderOptions

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("CAVRA_UPDATE_GOLDEN") == "1"
SUFFIXES = {"text": "txt", "json": "json", "sarif": "sarif", "github": "github.txt"}
SAMPLES: dict[str, Callable[[], ScanResult]] = {"report": sample_result, "empty": empty_result}


def test_registry_has_every_format() -> None:
    assert list(REPORTERS) == ["text", "json", "sarif", "github"]


@pytest.mark.parametrize("sample", sorted(SAMPLES))
@pytest.mark.parametrize("fmt", list(SUFFIXES))
def test_output_matches_golden_file(fmt: str, sample: str) -> None:
    rendered = REPORTERS[fmt](SAMPLES[sample](), OPTIONS).encode("utf-8")
    golden = GOLDEN / f"{sample}.{SUFFIXES[fmt]}"
    if UPDATE:
        golden.write_bytes(rendered)
    assert golden.exists(), f"missing {golden}: run with CAVRA_UPDATE_GOLDEN=1"
    assert rendered == golden.read_bytes()


def test_text_with_show_suppressed_matches_golden_file() -> None:
    """``scan --show-suppressed``: the same report, with what was waved through listed after the findings."""
    rendered = REPORTERS["text"](sample_result(), replace(OPTIONS, show_suppressed=True)).encode("utf-8")
    golden = GOLDEN / "report.show-suppressed.txt"
    if UPDATE:
        golden.write_bytes(rendered)
    assert golden.exists(), f"missing {golden}: run with CAVRA_UPDATE_GOLDEN=1"
    assert rendered == golden.read_bytes()


@pytest.mark.parametrize("fmt", list(SUFFIXES))
def test_output_is_deterministic_and_independent_of_input_order(fmt: str) -> None:
    result = sample_result()
    shuffled = ScanResult(
        findings=tuple(reversed(result.findings)),
        rules=tuple(reversed(result.rules)),
        skipped=tuple(reversed(result.skipped)),
        notes=tuple(reversed(result.notes)),
        files_scanned=result.files_scanned,
        bytes_scanned=result.bytes_scanned,
        suppressed=tuple(reversed(result.suppressed)),
        seconds=99.5,  # a slower run must not change a byte
    )
    assert REPORTERS[fmt](shuffled, OPTIONS) == REPORTERS[fmt](result, OPTIONS)


@pytest.mark.parametrize("show_suppressed", [False, True])
@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("fmt", list(SUFFIXES))
def test_no_report_contains_a_full_secret(fmt: str, color: bool, show_suppressed: bool) -> None:
    options = RenderOptions(color=color, tool_version="1.0.0", show_suppressed=show_suppressed)
    rendered = REPORTERS[fmt](sample_result(), options)
    for rule_id, secret in sample_secrets().items():
        assert secret not in rendered, rule_id
        # Nor a piece of what follows the (at most four character) redacted preview.
        for start in range(4, len(secret) - 8):
            assert secret[start : start + 8] not in rendered, rule_id


@pytest.mark.parametrize("fmt", list(SUFFIXES))
def test_reports_end_with_a_single_newline(fmt: str) -> None:
    rendered = REPORTERS[fmt](sample_result(), OPTIONS)
    assert rendered.endswith("\n")
    assert not rendered.endswith("\n\n")
