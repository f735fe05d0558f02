"""The quoted copy of config values that the secrets detector scans beside a file (as detect-secrets' YAML and
INI transformers quote them), and which files get one."""

from __future__ import annotations

import pytest

from cavra_safety.detectors.secrets.text import config_like, quoted_config_values, quoted_copy


@pytest.mark.parametrize(
    ("line", "quoted"),
    [
        ("API_TOKEN=abc123", 'API_TOKEN="abc123"'),
        ("export API_TOKEN=abc123", 'export API_TOKEN="abc123"'),
        ("  auth_token: abc123", '  auth_token: "abc123"'),
        ("      - API_TOKEN=abc123", '      - API_TOKEN="abc123"'),
        ("password = abc 123  ", 'password = "abc 123"  '),
        ("login(user, password=abc)", 'login(user, password="abc)"'),
        ('key = a"b', 'key = "a\\"b"'),
        ("KEY=abc\r", 'KEY="abc"\r'),
    ],
)
def test_unquoted_values_are_quoted_in_place(line: str, quoted: str) -> None:
    result = quoted_config_values(f"first\n{line}\nlast\n".encode())
    assert result is not None and result.decode().split("\n") == ["first", quoted, "last", ""]


@pytest.mark.parametrize(
    "line",
    [
        'API_TOKEN="abc123"',  # quoted already
        "API_TOKEN='abc123'",
        "run: |",  # YAML block scalar
        "run: >-",
        "anchor: &default",
        "alias: *default",
        "list: [a, b]",
        "map: {a: b}",
        "tag: !secret x",
        "empty:",
        "# comment = value",
        "plain prose without a separator",
    ],
)
def test_quoted_values_blocks_and_prose_are_left_alone(line: str) -> None:
    assert quoted_config_values(f"{line}\n".encode()) is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (".env", True),
        ("config/.env.local", True),
        ("home/.aws/credentials", True),
        ("values.yaml", True),
        ("app.ini", True),
        ("docs/guide.md", True),
        ("deploy.sh", True),
        ("settings.py", False),
        ("web/src/config.ts", False),
        ("main.go", False),
        ("App.java", False),
    ],
)
def test_only_files_that_are_not_code_get_a_quoted_copy(path: str, expected: bool) -> None:
    assert config_like(path) is expected


# A history source of a JSON file: its hunks at their line numbers, blank elsewhere. Indented lines read as INI
# continuation lines, so the hunk text alone would pass for INI where the whole document (it starts with "{")
# never does.
JSON_HUNKS = b'\n\n\n    "resolved": "https://registry.npmjs.org/a/-/a-1.0.0.tgz",\n    debug = true\n'


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("package-lock.json", False),
        ("src/lang/de-DE.json", False),
        ("notebooks/explore.ipynb", False),
        ("settings.txt", True),  # not JSON: judged by its text, which here reads as INI
    ],
)
def test_json_documents_never_get_a_quoted_copy_even_from_their_hunks(path: str, expected: bool) -> None:
    assert (quoted_copy(path, JSON_HUNKS) is not None) is expected
