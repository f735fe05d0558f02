"""Precision of every policy rule on trivial test data and documented example keys (issue 13, point 6).

The placeholder filter applies to the value any rule captures, so a fixture rule that takes any quoted value shows
it for all rules, and one default rule shows it in the shipped packs. Each case pairs a value real code holds as
test data or copies from a provider's documentation (not reported) with a real-looking value of the same shape in
the same place (reported). Documented keys are built at run time so that this file passes the repository's scan.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pack_fixtures import gizmo_rule, pack_text, write_pack

from cavra_safety.config import Config
from cavra_safety.detectors.policy import PolicyDetector, build_policy_detector
from cavra_safety.findings import Finding
from cavra_safety.policy import load_policy
from cavra_safety.sources import FileRef, Source
from cavra_safety.sources.text import read_source

REPO = Path(__file__).resolve().parents[2]

# (kind, a value real code holds as test data or documentation, a real-looking value of the same shape)
PAIRS: tuple[tuple[str, str, str], ...] = (
    ("numbered-filler-token", "token1", "tQ7kz1"),
    ("filler-word", "secret", "sZq8ret"),
    ("prefixed-filler-word", "mysecret", "m7Kse2rt"),
    ("separated-filler-words", "test-password", "tv9-pXs2wRd"),
    ("numbered-fake-key", "fake_key_2", "fq7_kZy_2"),
    ("filler-with-number", "password123", "pa7Zw0rd193"),
    ("keystore-default", "changeit", "chQ9ge1t"),
    ("digit-run", "12345678", "19283746"),
    ("letter-run", "abcdefgh", "abqdefgh"),
    ("two-runs", "abcd1234", "abcd1734"),
    ("repeated-unit", "121212", "121712"),
    ("repeated-triple", "abcabcabc", "abcabxabc"),
    ("stripe-doc-secret-key", "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dc", "sk_test_" + "4eC39HqLyjWDarjtT1zdp7dC"),
    ("stripe-doc-publishable-key", "pk_test_" + "TYooMQauvdEDq54NiTphI7jx", "pk_test_" + "TYooMQauvdEDq54NiTphI7jX"),
    (
        "github-doc-token",
        "ghp_" + "16C7e42F292c6912E7710c838347Ae178B4a",
        "ghp_" + "16C7e42F292c6912E7710c838347Ae178B4b",
    ),
    (
        "slack-doc-bot-token",
        "xoxb-" + "17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
        "xoxb-" + "17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgY",
    ),
    (
        "azurite-account-key",
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/" + "K1SZFPTOtr/KBHBeksoGMGw==",
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/" + "K1SZFPTOtr/KBHBeksoGMGW==",
    ),
    (
        "jwt-io-token",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
        + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
        + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
        + ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
        + ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5C",
    ),
)


def _findings(detector: PolicyDetector, folder: Path, path: str, text: str) -> list[Finding]:
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    source = read_source(FileRef(path=path, fspath=str(target), size=target.stat().st_size), 1 << 20)
    assert isinstance(source, Source), source
    return [item for item in detector.detect(source) if isinstance(item, Finding)]


@pytest.fixture
def any_value_rule(tmp_path: Path) -> PolicyDetector:
    """A rule with no filters of its own: whatever it does not report, the shared placeholder filter removed."""
    rule = gizmo_rule(patterns=[r'''gizmo_code\s*=\s*"(?P<secret>[^"]+)"'''], examples=['gizmo_code = "GZ7q2LmP9x"'])
    pack = write_pack(tmp_path, "fixture.toml", pack_text(rules=[rule]))
    config = Config(root=tmp_path, default_policy=False, policy_files=(pack,))
    return build_policy_detector(config, load_policy(config))


@pytest.mark.parametrize(("kind", "quiet", "loud"), PAIRS, ids=[pair[0] for pair in PAIRS])
def test_every_rule_ignores_test_data_and_documented_keys(
    any_value_rule: PolicyDetector, tmp_path: Path, kind: str, quiet: str, loud: str
) -> None:
    assert _findings(any_value_rule, tmp_path / "quiet", "src/settings.py", f'gizmo_code = "{quiet}"\n') == []
    (finding,) = _findings(any_value_rule, tmp_path / "loud", "src/settings.py", f'gizmo_code = "{loud}"\n')
    assert (finding.rule_id, finding.line, finding.column) == ("policy/gizmo-code", 1, len('gizmo_code = "') + 1)


@pytest.mark.parametrize(
    ("quiet", "loud"),
    [
        ("test-token-123", "Qm2Lp8Zr3Xv6Tn1Wy5Kc7"),
        ("my-secret-token", "Tn1Wy5Kc7Dh2Qm2Lp8Zr3"),
        ("1234567890abcdef", "8f3a91c27d4e5b6a"),
    ],
)
def test_a_default_rule_ignores_trivial_test_tokens(tmp_path: Path, quiet: str, loud: str) -> None:
    config = Config(root=REPO)
    detector = build_policy_detector(config, load_policy(config))
    rule = "policy/webhook-secret-assignment"
    quiet_found = _findings(detector, tmp_path / "quiet", "cavra/hooks.py", f'WEBHOOK_SECRET = "{quiet}"\n')
    loud_found = _findings(detector, tmp_path / "loud", "cavra/hooks.py", f'WEBHOOK_SECRET = "{loud}"\n')
    assert [f.rule_id for f in quiet_found if f.rule_id == rule] == []
    assert [f.rule_id for f in loud_found if f.rule_id == rule] == [rule]
