"""The Python detector as the scanner runs it: gates, notes for files it cannot read, positions, and how its
findings meet the text detectors' in the pipeline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from python_fixtures import default_section, detect

from cavra_safety.config import Config
from cavra_safety.detectors.python.checks import CHECKS
from cavra_safety.detectors.python.detector import PythonDetector, build_python_detector
from cavra_safety.detectors.python.fix import structure_problem
from cavra_safety.detectors.python.positions import Positions
from cavra_safety.detectors.python.runner import MAX_PARSE_CHARS
from cavra_safety.findings import Category, Finding, Note
from cavra_safety.pipeline.scan import scan
from cavra_safety.policy import Policy
from cavra_safety.sources import Source

# Built at run time so that this file passes the repository's own scan.
TENANT = "acme-" + "prod-" + "7731"
API_KEY = "".join(["sk-", "proj-", "7hG2kLm9", "Qw3eRt5y"])


def _scan(tmp_path: Path, files: dict[str, str], **overrides: object) -> object:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = Config(root=tmp_path, paths=(tmp_path,), jobs=1).with_overrides(**overrides)
    return scan(config)


def test_a_file_with_a_syntax_error_still_gets_the_text_detectors_and_a_note(tmp_path: Path) -> None:
    broken = f'def broken(:\n    pass\n\ntenant_id = "{TENANT}"\n'
    result = _scan(tmp_path, {"app/broken.py": broken})
    assert [(f.path, f.line, f.category) for f in result.findings] == [("app/broken.py", 4, Category.TENANT_ID)]
    assert [(n.path, n.line) for n in result.notes] == [("app/broken.py", 1)]
    assert "does not parse as Python" in result.notes[0].message


def test_the_python_finding_wins_over_the_text_rule_on_the_same_literal(tmp_path: Path) -> None:
    result = _scan(tmp_path, {"app/settings.py": f'tenant_id = "{TENANT}"\n'})
    assert [(f.rule_id, f.line, f.column, f.end_column) for f in result.findings] == [
        ("python/tenant-id-binding", 1, 13, 13 + len(TENANT) + 2)
    ]
    assert TENANT not in result.findings[0].message
    assert TENANT not in result.findings[0].redacted


def test_category_filters_select_python_rules_by_their_category(tmp_path: Path) -> None:
    code = f'tenant_id = "{TENANT}"\nclient = Client(api_key="{API_KEY}")\n'
    only_tenant = _scan(tmp_path, {"a.py": code}, categories=frozenset({Category.TENANT_ID}))
    assert [f.rule_id for f in only_tenant.findings] == ["python/tenant-id-binding"]
    without = _scan(tmp_path, {"a.py": code}, exclude_categories=frozenset({Category.TENANT_ID}))
    assert "python/tenant-id-binding" not in {f.rule_id for f in without.findings}
    assert "python/connector-credential-binding" in {f.rule_id for f in without.findings}


@pytest.mark.parametrize(
    ("path", "expected"),
    [("app/settings.py", 1), ("app/stubs.pyi", 1), ("app/settings.txt", 0), ("app/settings.py.orig", 0)],
)
def test_only_python_files_are_checked(path: str, expected: int) -> None:
    findings, _ = detect(f'tenant_id = "{TENANT}"\n', path)
    assert len(findings) == expected


def test_files_the_gate_rejects_are_not_parsed() -> None:
    # Broken syntax without any keyword a check looks for, or binding nothing reportable: no parse, no note.
    assert detect("def broken(:\n    return 1 +\n") == ([], [])
    assert detect('def broken(:\n    password = "password1"\n    token = None\n') == ([], [])
    # The same file with a keyword is parsed, and the syntax error is noted.
    _, notes = detect(f'def broken(:\n    password = "{API_KEY}"\n')
    assert [n.line for n in notes] == [1]


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (f"password = '{API_KEY}'\nx = " + "(" * 2000 + "1" + ")" * 2000 + "\n", "does not parse"),
        (f"password = '{API_KEY}'\nx = 1" + " + 1" * 20_000 + "\n", "nested too deeply"),
        (f"password = '{API_KEY}'\nx = a" + ".b" * 20_000 + "\n", "nested too deeply"),
        (f"password = '{API_KEY}'\nx = " + "not " * 100_000 + "1\n", "nested too deeply"),
        (f"password = '{API_KEY}'\nx = f" + "(a)" * 100_000 + "\n", "nested too deeply"),
        (f"password = '{API_KEY}'\n" + "# padding\n" * (MAX_PARSE_CHARS // 10), "larger than"),
    ],
    ids=["parentheses", "sum", "attributes", "not-chain", "call-chain", "huge"],
)
def test_pathological_files_become_notes_not_crashes(code: str, reason: str) -> None:
    findings, notes = detect(code)
    assert findings == []
    assert len(notes) == 1 and reason in notes[0].message


@pytest.mark.parametrize(
    "code",
    [
        f"password = '{API_KEY}'\nx = " + "[" * 60 + "]" * 60 + "\n",
        f"password = '{API_KEY}'\nx = (\n" + "    'abc'\n" * 3000 + ")\n",
        f"password = '{API_KEY}'\ntable = [" + ", ".join(["-1"] * 50_000) + "]\n",
    ],
    ids=["nested-lists", "implicit-concatenation", "long-table"],
)
def test_deep_but_valid_files_are_checked(code: str) -> None:
    findings, notes = detect(code)
    assert notes == []
    assert [(f.rule_id, f.line) for f in findings] == [("python/connector-credential-binding", 1)]


@pytest.mark.parametrize(
    "code",
    [
        "x = {'a': [1, 2, (3, 4)]}  # ((((((((((\n",
        "s = '((((((((((((((((((((((((((((((((((((((((((((((((((((((((((('\n",
        'doc = """' + "- " * 2000 + '"""\n',
        "table = [" + ", ".join(["-1"] * 5000) + "]\n",
    ],
    ids=["comment", "string", "docstring-dashes", "flat-negative-table"],
)
def test_brackets_and_operators_in_strings_comments_and_flat_tables_do_not_count(code: str) -> None:
    assert structure_problem(code) is None


def test_the_rules_are_one_per_category_under_python() -> None:
    detector = build_python_detector(Config(root=Path(".")), Policy())
    ids = {rule.rule_id for rule in detector.rules}
    assert "python/tenant-id-binding" in ids and "python/connector-credential-binding" in ids
    full = PythonDetector(default_section(), CHECKS)
    full_ids = {rule.rule_id: rule.category for rule in full.rules}
    assert full_ids["python/saas-backend-source-import"] is Category.SAAS_BACKEND_SOURCE
    assert full_ids["python/enterprise-implementation-definition"] is Category.ENTERPRISE_IMPLEMENTATION
    assert full_ids["python/enterprise-marker"] is Category.ENTERPRISE_IMPLEMENTATION
    assert all(rule_id.startswith("python/") for rule_id in full_ids)


LAZY_PROBE = """
import sys
from pathlib import Path
from cavra_safety.config import Config
from cavra_safety.detectors import DETECTORS
from cavra_safety.policy import Policy
from cavra_safety.sources import Source
detector = DETECTORS["python"](Config(root=Path(".")), Policy())
list(detector.detect(Source(path="a.py", text=sys.argv[1])))
print("cavra_safety.detectors.python.checks" in sys.modules, "libcst" in sys.modules)
"""


@pytest.mark.parametrize(
    ("code", "imported"),
    [
        ("import os\npassword = os.environ['PASSWORD']\n", "False False"),
        (f"password = '{API_KEY}'\n", "True False"),
    ],
    ids=["nothing-to-parse", "parsed"],
)
def test_the_checks_are_imported_only_when_a_file_is_parsed_and_libcst_never(code: str, imported: str) -> None:
    run = subprocess.run([sys.executable, "-c", LAZY_PROBE, code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == imported


def test_history_sources_keep_their_commit() -> None:
    detector = PythonDetector(default_section(), CHECKS)
    source = Source(path="a.py", text=f'tenant_id = "{TENANT}"\n', commit="abc123")
    [finding] = list(detector.detect(source))
    assert finding.commit == "abc123"


def test_a_multi_line_value_spans_its_lines() -> None:
    code = f'password = (\n    "{API_KEY[:6]}"\n    "{API_KEY[6:]}"\n)\n'
    [finding], _ = detect(code)
    assert (finding.line, finding.column, finding.end_line) == (2, 5, 3)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (f'note = "{API_KEY}"\npassword = "{API_KEY}"\n', [(2, 12, 2, 14 + len(API_KEY))]),
        (
            f'password = "{API_KEY}"\ntoken = "{API_KEY}"\n',
            [(1, 12, 1, 14 + len(API_KEY)), (2, 9, 2, 11 + len(API_KEY))],
        ),
    ],
    ids=["literal-also-elsewhere", "same-literal-twice"],
)
def test_positions_are_exact_when_the_literal_occurs_more_than_once(
    code: str, expected: list[tuple[int, int, int, int]]
) -> None:
    findings, _ = detect(code)
    assert sorted((f.line, f.column, f.end_line, f.end_column) for f in findings) == expected


def _partial(lines: dict[int, str]) -> Source:
    """A diff / history source: the given lines at their numbers, blank lines elsewhere."""
    text = "\n".join(lines.get(number, "") for number in range(1, max(lines) + 1)) + "\n"
    return Source(path="app/client.py", text=text, added_lines=frozenset(lines))


def _detect_source(source: Source) -> tuple[list[Finding], list[Note]]:
    items = list(PythonDetector(default_section(), CHECKS).detect(source))
    return [i for i in items if isinstance(i, Finding)], [i for i in items if isinstance(i, Note)]


def test_a_hunk_inside_a_function_is_checked_alone_at_its_real_position() -> None:
    # Lines 40-42 of a file: a method body, which does not parse as a module.
    source = _partial({40: "        else:", 41: f'            self.token = "{API_KEY}"', 42: "        return self"})
    findings, notes = _detect_source(source)
    assert notes == []
    assert [(f.rule_id, f.line, f.column, f.end_column) for f in findings] == [
        ("python/connector-credential-binding", 41, 26, 26 + len(API_KEY) + 2)
    ]


def test_fragments_that_do_not_parse_alone_are_left_to_the_text_detectors_without_a_note() -> None:
    source = _partial({7: '        "a": 1,', 8: "    }", 20: "def broken(:"})
    assert _detect_source(source) == ([], [])


def test_module_level_checks_only_run_on_fragments_that_can_be_module_level() -> None:
    # cavra: allow policy/enterprise-confidential-banner -- test data
    banner = '"""CONFIDENTIAL - CAVRA SaaS tenant router."""'
    edition = "__edition__ = 'enter' 'prise'"
    # A string opening a fragment in the middle of a file is not the module docstring; an indented
    # __edition__ is not at module level.
    middle = _partial({30: "if True:", 31: "    pass", 33: banner, 35: "    " + edition, 36: "    x = 1"})
    assert _detect_source(middle) == ([], [])
    top = _partial({1: banner, 3: edition, 5: "def broken(:"})
    findings, notes = _detect_source(top)
    assert notes == []
    assert sorted((f.rule_id, f.line) for f in findings) == [
        ("python/enterprise-marker", 1),
        ("python/enterprise-marker", 3),
    ]


def test_a_fragment_is_split_into_statements_and_bodies_until_pieces_parse() -> None:
    source = _partial(
        {
            10: "    def close(self):",
            11: "        pass",
            12: "    else:",  # breaks the whole run; its body and the statements around it still parse
            13: f'        password = "{API_KEY}"',
            14: "    api_key = (",  # an unclosed statement never parses, and costs nothing else
            15: f'    tenant_id = "{TENANT}"',
        }
    )
    findings, notes = _detect_source(source)
    assert notes == []
    assert sorted((f.rule_id, f.line, f.column) for f in findings) == [
        ("python/connector-credential-binding", 13, 20),
        ("python/tenant-id-binding", 15, 17),
    ]


def test_splitting_fragments_parses_at_most_a_few_times_the_change(monkeypatch: pytest.MonkeyPatch) -> None:
    from cavra_safety.detectors.python import detector as python_ast
    from cavra_safety.detectors.python import runner

    # A staircase of nested blocks that fails at the bottom: each level would re-parse everything below it.
    lines: dict[int, str] = {}
    for depth in range(90):
        for _ in range(50):
            lines[len(lines) + 1] = " " * depth + f"x{depth} = {depth}"
        lines[len(lines) + 1] = " " * depth + "if x:"
    lines[len(lines) + 1] = " " * 90 + "def broken(:"
    lines[len(lines) + 1] = " " * 90 + f'password = "{API_KEY}"'
    source = _partial(lines)
    parsed: list[int] = []
    real_parse = runner.parse

    def counting_parse(positions: Positions) -> object:
        parsed.append(len(positions.text))
        return real_parse(positions)

    monkeypatch.setattr(runner, "parse", counting_parse)
    findings, notes = _detect_source(source)
    budget = python_ast.FRAGMENT_BUDGET_FACTOR * len(source.text) + python_ast.FRAGMENT_BUDGET_MIN
    assert sum(parsed) <= budget  # the first parse, of the whole text, included
    assert findings == []
    assert [note.message.split(":")[0] for note in notes] == ["the Python checks stopped here"]
