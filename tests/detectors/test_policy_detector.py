"""The policy detector on fixture packs: keyword gate, value extraction, filters, paths, positions, record
rules in JSON/YAML/CSV/SQL, long lines and a catastrophic pattern."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from policy.pack_fixtures import gizmo_rule, pack_text, widget_record_rule, write_pack

from cavra_safety.config import Config
from cavra_safety.detectors.policy import MAX_FINDINGS_PER_RULE, PolicyDetector, build_policy_detector
from cavra_safety.findings import Category, Finding, Note
from cavra_safety.pipeline.engine import Engine
from cavra_safety.policy import load_policy
from cavra_safety.redaction import redact
from cavra_safety.regex import KeywordGate
from cavra_safety.sources import Source

GIZMO = "GZ7q" + "2LmP9x"


def make_detector(tmp_path: Path, *rules: dict[str, Any], config: Config | None = None) -> PolicyDetector:
    path = write_pack(tmp_path, "fixture.toml", pack_text(rules=list(rules)))
    config = config or Config(root=tmp_path, default_policy=False, policy_files=(path,))
    return build_policy_detector(config, load_policy(config))


def scan(detector: PolicyDetector, text: str, path: str = "example.txt") -> list[Finding]:
    return [item for item in detector.detect(Source(path=path, text=text)) if isinstance(item, Finding)]


def places(findings: list[Finding]) -> list[tuple[int, int, int]]:
    return [(f.line, f.column, f.end_column) for f in findings]


@pytest.fixture
def gizmo(tmp_path: Path) -> PolicyDetector:
    return make_detector(tmp_path, gizmo_rule(patterns=[r'"(?P<secret>GZ[0-9A-Za-z]{8})"']))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f'gizmo_code = "{GIZMO}"', [(1, 15, 25)]),
        (f'GIZMO_CODE = "{GIZMO}"', [(1, 15, 25)]),  # keywords are case-insensitive
        (f'code = "{GIZMO}"', []),  # the pattern matches, but the line has no keyword
        (f'gizmo:\ncode = "{GIZMO}"', []),  # the keyword must be on the same line
        (f'# gizmo\nx = 1\ncode = "{GIZMO}"  # gizmo', [(3, 9, 19)]),
        (f'gizmo "{GIZMO}", "{GIZMO[::-1]}"', [(1, 8, 18)]),  # the second value is not GZ-prefixed...
        (f'gizmo "{GIZMO}", "GZ{GIZMO[2:][::-1]}"', [(1, 8, 18), (1, 22, 32)]),  # ...two values on one line
    ],
    ids=["value", "upper-case-keyword", "no-keyword", "keyword-on-other-line", "third-line", "one-value", "two-values"],
)
def test_keyword_gate_and_positions(gizmo: PolicyDetector, text: str, expected: list[tuple[int, int, int]]) -> None:
    assert places(scan(gizmo, text)) == expected


def test_finding_fields(gizmo: PolicyDetector) -> None:
    (finding,) = scan(gizmo, f'gizmo_code = "{GIZMO}"', path="src/app.py")
    assert finding.rule_id == "policy/gizmo-code" and finding.category is Category.LICENSE_KEY
    assert finding.path == "src/app.py" and finding.message == "A gizmo code was found; move it to the secret store."
    assert finding.redacted == redact(GIZMO) and GIZMO not in repr(finding)
    (with_commit,) = [
        f for f in gizmo.detect(Source(path="a", text=f'gizmo "{GIZMO}"', commit="abc123")) if isinstance(f, Finding)
    ]
    assert with_commit.commit == "abc123"
    assert gizmo.rules == (finding_rule_info(gizmo),)


def finding_rule_info(detector: PolicyDetector) -> Any:
    (info,) = detector.rules
    assert info.rule_id == "policy/gizmo-code"
    return info


@pytest.mark.parametrize(
    ("pattern", "text", "value"),
    [
        (r"gizmo=(?P<secret>\w+)", "gizmo=abc123", "abc123"),  # the named group
        (r"gizmo=(\w+);(?P<secret>\w+)", "gizmo=abc123;def456", "def456"),  # the named group, not group 1
        (r"gizmo=(\w+);(\w+)", "gizmo=abc123;def456", "abc123"),  # else group 1
        (r"gizmo=\w+", "gizmo=abc123", "gizmo=abc123"),  # else the whole match
        (r"gizmo(?:=(?P<secret>\w+)|:)", "gizmo: gizmo=abc123", "abc123"),  # a group that did not take part
    ],
)
def test_value_extraction(tmp_path: Path, pattern: str, text: str, value: str) -> None:
    detector = make_detector(tmp_path, gizmo_rule(patterns=[pattern], examples=["gizmo"]))
    (finding,) = scan(detector, text)
    assert finding.redacted == redact(value) and finding.column == text.rindex(value) + 1


@pytest.mark.parametrize(
    ("fields", "value", "reported"),
    [
        ({}, "<gizmo-code>", False),
        ({}, "${GIZMO_CODE}", False),
        ({}, "{{ gizmo }}", False),
        ({}, "your_gizmo_code", False),
        ({}, "xxxxxxxxxx", False),
        ({}, "os.environ[GIZMO]", False),
        ({}, GIZMO, True),
        ({"allow-patterns": ["^GZ7"]}, GIZMO, False),
        ({"allow-patterns": ["^GZ8"]}, GIZMO, True),
        ({"stop-words": ["LMP"]}, GIZMO, False),
        ({"stop-words": ["zzz"]}, GIZMO, True),
        ({"min-length": 11}, GIZMO, False),
        ({"min-length": 10}, GIZMO, True),
        ({"min-entropy": 3.0}, "GZGZGZGZGZ", False),
        ({"min-entropy": 3.0}, GIZMO, True),
    ],
)
def test_value_filters(tmp_path: Path, fields: dict[str, Any], value: str, reported: bool) -> None:
    detector = make_detector(tmp_path, gizmo_rule(**fields))
    assert bool(scan(detector, f'gizmo_code = "{value}"')) is reported


@pytest.mark.parametrize(
    ("path", "reported"),
    [("app.py", True), ("src/deep/app.py", True), ("docs/app.py", False), ("src/app.js", False), ("prod.env", True)],
)
def test_paths_globs(tmp_path: Path, path: str, reported: bool) -> None:
    rule = gizmo_rule(
        paths={"include": ["**/*.py", "*.env"], "exclude": ["docs/**"]},
        examples=[{"text": f'gizmo_code = "{GIZMO}"', "path": "a.py"}],
    )
    detector = make_detector(tmp_path, rule)
    assert bool(scan(detector, f'gizmo_code = "{GIZMO}"', path=path)) is reported


def test_crlf_text_positions(gizmo: PolicyDetector) -> None:
    text = f'first\r\n  gizmo = "{GIZMO}"\r\nlast gizmo "{GIZMO}"\r\n'
    findings = scan(gizmo, text)
    assert places(findings) == [(2, 12, 22), (3, 13, 23)]
    assert all(f.redacted == redact(GIZMO) for f in findings)


def test_one_megabyte_single_line(gizmo: PolicyDetector) -> None:
    filler = "gizmo " * (1_000_000 // 6)
    text = filler + f'"{GIZMO}"'
    (finding,) = scan(gizmo, text)
    assert (finding.line, finding.column) == (1, len(filler) + 2)


def test_non_ascii_text_keeps_character_columns(gizmo: PolicyDetector) -> None:
    text = f'ünïcødé İstanbul gizmo "{GIZMO}"'
    (finding,) = scan(gizmo, text)
    assert finding.column == text.index(GIZMO) + 1


def test_runaway_rule_is_capped_with_a_note(tmp_path: Path) -> None:
    detector = make_detector(tmp_path, gizmo_rule(patterns=[r"gizmo(?P<secret>\d+)"], examples=["gizmo1"]))
    # Values 1234, 1235...: none is one repeated digit, which the placeholder filter would drop.
    text = " ".join(f"gizmo{n}" for n in range(1234, 1234 + MAX_FINDINGS_PER_RULE + 5))
    items = list(detector.detect(Source(path="min.js", text=text)))
    findings = [item for item in items if isinstance(item, Finding)]
    notes = [item for item in items if isinstance(item, Note)]
    assert len(findings) == MAX_FINDINGS_PER_RULE
    limit = MAX_FINDINGS_PER_RULE
    assert [note.message for note in notes] == [
        f"policy/gizmo-code: 5 more findings in this file not reported (limit {limit} per rule and file)"
    ]


@pytest.mark.parametrize(
    "setting",
    [{"exclude_categories": frozenset({Category.LICENSE_KEY})}, {"disabled_rules": frozenset({"policy/gizmo-code"})}],
)
def test_unwanted_categories_and_disabled_rules_run_but_are_not_reported(tmp_path: Path, setting: Any) -> None:
    """They run, so that the value they see best is not handed to a less specific rule (``precedence``)."""
    path = write_pack(tmp_path, "fixture.toml", pack_text(rules=[gizmo_rule()]))
    config = Config(root=tmp_path, default_policy=False, policy_files=(path,), **setting)
    policy = load_policy(config)
    source = Source(path="f.py", text=f'gizmo_code = "{GIZMO}"')
    assert [f.rule_id for f in scan(build_policy_detector(config, policy), source.text)] == ["policy/gizmo-code"]
    engine = Engine(config, policy, {"policy": build_policy_detector})
    assert "policy/gizmo-code" not in {rule.rule_id for rule in engine.rules}
    assert engine.scan_source(source).findings == []


def test_catastrophic_inputs_cannot_hang_a_scan(tmp_path: Path) -> None:
    """``(a+)+$`` backtracks exponentially in Python's re; RE2 is linear. The record scanner and the
    placeholder filter use Python's re on fixed patterns that must stay linear on hostile lines too. A
    subprocess with a generous timeout guards the test run instead of a timed assertion."""
    path = write_pack(
        tmp_path,
        "evil.toml",
        pack_text(
            rules=[
                gizmo_rule(keywords=["a"], patterns=["(a+)+$"], examples=["aaaa"], **{"negative-examples": ["aaa!"]}),
                gizmo_rule(
                    id="greedy-value", keywords=["widget"], patterns=["widget(?P<secret>.*)"], examples=["widget1"]
                ),
                widget_record_rule(),
            ]
        ),
    )
    script = textwrap.dedent(f"""
        from pathlib import Path
        from cavra_safety.config import Config
        from cavra_safety.detectors.policy import build_policy_detector
        from cavra_safety.policy import load_policy
        from cavra_safety.sources import Source
        config = Config(root=Path("."), default_policy=False, policy_files=(Path({str(path)!r}),))
        detector = build_policy_detector(config, load_policy(config))
        hostile = [
            "a" * 100_000 + "!",
            "widget_id " + "a." * 100_000,
            "widget_id " + "a-" * 100_000,
            "widget_id=" + '"a=' * 100_000,
            "widget " + "<a " * 100_000,
            "widget " + "${{" * 100_000,
            "widget " + "{{a" * 100_000,
        ]
        for name in ("x.txt", "x.yaml", "x.csv", "x.sql"):
            for text in hostile:
                list(detector.detect(Source(path=name, text=text)))
        sql = "INSERT INTO widgets (widget_id, maker) VALUES " + "('w-1', 'Acme'), " * 20_000
        found = list(detector.detect(Source(path="seed.sql", text=sql)))
        print("records", sum(1 for f in found if getattr(f, "rule_id", "") == "policy/widget-record"))
        print("notes", [f.message.split(":")[0] for f in found if not hasattr(f, "rule_id")])
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    # 20,000 rows: the per-rule cap of findings, then a note.
    assert done.stdout.splitlines() == [f"records {MAX_FINDINGS_PER_RULE}", "notes ['policy/widget-record']"]


# Record rules: identifiers with literal values next to companion fields.

WIDGET_ID = "wdg-" + "4411"


def _json_record() -> str:
    return textwrap.dedent(f"""\
        [
          {{
            "widget_id": "{WIDGET_ID}",
            "maker": "Acme Works",
            "grade": "gold"
          }}
        ]
    """)


RECORD_CASES = [
    ("widgets.json", _json_record(), [(3, 19)]),
    ("one.json", f'[{{"widgetId": "{WIDGET_ID}", "maker": "Acme Works"}}]', [(1, 16)]),
    ("widgets.yaml", f"widgets:\n  - widget_id: {WIDGET_ID}\n    maker: Acme Works\n", [(2, 16)]),
    ("widgets.yml", f"- widget_id: '{WIDGET_ID}'\n  buyer_email: buyer@acme.test\n", [(1, 15)]),
    ("widgets.csv", f"widget_id,maker,grade\n{WIDGET_ID},Acme Works,gold\nwdg-77,Other,\n", [(2, 1), (3, 1)]),
    ("widgets.csv", "widget_id;maker\r\n" + WIDGET_ID + ";Acme\r\n", [(2, 1)]),
    ("widgets.tsv", f"maker\twidget_id\nAcme\t{WIDGET_ID}\n", [(2, 6)]),
    (
        "seed.sql",
        f"INSERT INTO widgets (widget_id, maker, grade)\nVALUES ('{WIDGET_ID}', 'Acme', 'gold'),\n"
        "       ('wdg-77', 'O''Brien', NULL);\n",
        [(2, 10), (3, 10)],
    ),
    ("seed.sql", f"insert into widgets (widget_id, grade) values ('{WIDGET_ID}', NULL);", []),  # no literal companion
    ("fixture.py", f'Widget(widget_id="{WIDGET_ID}", maker="Acme Works")', [(1, 19)]),
    ("attrs.py", f'w = Widget()\nw.widget_id = "{WIDGET_ID}"\nw.maker = "Acme Works"\n', [(2, 16)]),
    # Not records:
    ("schema.json", '{"properties": {"widget_id": {"type": "string"}, "maker": {"type": "string"}}}', []),
    ("openapi.yaml", "properties:\n  widget_id:\n    type: string\n  maker:\n    type: string\n", []),
    ("model.py", "widget_id: str\nmaker: str\n", []),
    ("code.py", "payload = {'widget_id': widget.id, 'maker': widget.maker}\n", []),
    ("code.ts", "const w = {widgetId: props.widgetId, maker: 'Acme'};\n", []),
    ("placeholder.json", '{"widget_id": "<widget-id>", "maker": "Acme Works"}', []),
    ("alone.json", f'{{"widget_id": "{WIDGET_ID}", "colour": "red"}}', []),
    ("header-only.csv", "widget_id,maker\n", []),
    ("far.yaml", f"widget_id: {WIDGET_ID}\n" + "x: 1\n" * 11 + "maker: Acme\n", []),  # companion outside the window
    ("near.yaml", f"widget_id: {WIDGET_ID}\n" + "x: 1\n" * 9 + "maker: Acme\n", [(1, 12)]),
]


@pytest.mark.parametrize(
    ("path", "text", "expected"), RECORD_CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(RECORD_CASES)]
)
def test_record_rule(tmp_path: Path, path: str, text: str, expected: list[tuple[int, int]]) -> None:
    detector = make_detector(tmp_path, widget_record_rule())
    findings = scan(detector, text, path=path)
    assert [(f.line, f.column) for f in findings] == expected
    assert all(f.rule_id == "policy/widget-record" and f.category is Category.TENANT_RECORD for f in findings)


def test_record_min_companions(tmp_path: Path) -> None:
    detector = make_detector(tmp_path, widget_record_rule(**{"min-companions": 2}))
    one = f'{{"widget_id": "{WIDGET_ID}", "maker": "Acme"}}'
    two = f'{{"widget_id": "{WIDGET_ID}", "maker": "Acme", "grade": "gold"}}'
    assert scan(detector, one, "a.json") == [] and len(scan(detector, two, "a.json")) == 1


def test_keyword_gate_agrees_with_substring_search() -> None:
    rng = random.Random(7)
    alphabet = "abcdeø_-$. \n"
    keywords = sorted({"".join(rng.choice(alphabet[:-2]) for _ in range(rng.randint(2, 9))) for _ in range(400)})
    gate = KeywordGate(keywords)
    for size in (0, 1, 100, 10_000, 300_000):
        text = "".join(rng.choice(alphabet) for _ in range(size))
        assert gate.present(text) == [keyword for keyword in keywords if keyword in text]
