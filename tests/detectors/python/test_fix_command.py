"""``cavra-safety fix`` on real multi-line files: the exact diff, the written result, and a clean rescan."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from cavra_safety.cli import main
from cavra_safety.config import Config
from cavra_safety.pipeline.scan import scan
from cavra_safety.redaction import redact

# Built at run time so that this file passes the repository's own scan.
TENANT = "acme-" + "prod-" + "7731"
API_KEY = "".join(["sk-", "proj-", "7hG2kLm9", "Qw3eRt5y"])
PASSWORD = "".join(["Tr0ub4", "dor&3"])

SETTINGS = f'''"""Settings for the jobs service."""

from __future__ import annotations

# Standard library
import logging

LOG = logging.getLogger(__name__)
TENANT_ID_FIELD = "tenant_id"
TENANT_ID = "{TENANT}"
API_KEY: str = (
    "{API_KEY[:8]}"
    "{API_KEY[8:]}"
)


class Client:
    def __init__(self, host: str, password: str = '{PASSWORD}') -> None:
        self.host = host
        self.token = None


def connect() -> Client:
    return Client(
        "db.local",
        password="{PASSWORD}",
    )
'''

# The diff shows each replaced value redacted, as findings show it (the rest of a split value as "…").
# Blank context lines of a diff hold one space: written `_` here, so the file has no trailing whitespace.
EXPECTED_DIFF = re.sub(
    r"(?m)^_$",
    " ",
    f'''--- a/settings.py
+++ b/settings.py
@@ -3,19 +3,17 @@
 from __future__ import annotations
_
 # Standard library
+import os
 import logging
_
 LOG = logging.getLogger(__name__)
 TENANT_ID_FIELD = "tenant_id"
-TENANT_ID = "{redact(TENANT)}"
-API_KEY: str = (
-    "{redact(API_KEY)}"
-    "…"
-)
+TENANT_ID = os.environ["TENANT_ID"]
+API_KEY: str = os.environ["API_KEY"]
_
_
 class Client:
-    def __init__(self, host: str, password: str = '{redact(PASSWORD)}') -> None:
+    def __init__(self, host: str, password: str = os.environ['PASSWORD']) -> None:
         self.host = host
         self.token = None
_
@@ -23,5 +21,5 @@
 def connect() -> Client:
     return Client(
         "db.local",
-        password="{redact(PASSWORD)}",
+        password=os.environ["PASSWORD"],
     )
''',
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "settings.py").write_text(SETTINGS, encoding="utf-8")
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_without_write_it_prints_exactly_the_intended_diff_and_exits_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "fix", "settings.py")
    assert code == 1
    assert out == EXPECTED_DIFF
    for secret in (TENANT, API_KEY, API_KEY[8:], PASSWORD):
        assert secret not in out
    assert "4 literal value(s) in 1 file(s) would be replaced" in err
    assert (project / "settings.py").read_text(encoding="utf-8") == SETTINGS  # untouched


def test_write_edits_in_place_lists_the_changes_and_asks_for_rotation(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "fix", "settings.py", "--write")
    assert code == 0
    fixed = (project / "settings.py").read_text(encoding="utf-8")
    ast.parse(fixed)
    assert fixed.count("import os\n") == 1
    assert 'TENANT_ID = os.environ["TENANT_ID"]\n' in fixed
    for secret in (TENANT, API_KEY[8:], PASSWORD):
        assert secret not in fixed and secret not in out
    assert "settings.py:10:13: python/tenant-id-binding" in out
    assert "rotate them" in out
    # The scanner afterwards reports nothing for the fixed lines (nor anywhere else in the file).
    result = scan(Config(root=project, paths=(project,), jobs=1))
    assert [(f.path, f.line, f.rule_id) for f in result.findings] == []
    # Running fix again finds nothing left to do.
    assert run(capsys, "fix", "settings.py") == (0, "", "cavra-safety: nothing to fix\n")


def test_a_file_that_does_not_parse_is_never_touched(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = f'password = "{PASSWORD}"\ndef broken(:\n    pass\n'
    (project / "broken.py").write_text(broken, encoding="utf-8")
    code, _, err = run(capsys, "fix", "broken.py", "--write")
    assert code == 0
    assert (project / "broken.py").read_text(encoding="utf-8") == broken
    assert "broken.py:2: does not parse as Python" in err and "not changed" in err


def test_a_file_libcst_must_not_parse_is_reported_and_not_touched(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # CPython parses it (so scan reports the secret), but brackets this deep could crash libcst's parser.
    nested = f'TOKEN = "{API_KEY}"\nTABLE = ' + "[" * 80 + "]" * 80 + "\n"
    (project / "nested.py").write_text(nested, encoding="utf-8")
    code, _, err = run(capsys, "fix", "nested.py", "--write")
    assert code == 0
    assert (project / "nested.py").read_text(encoding="utf-8") == nested
    assert "nested.py:2: not rewritten: brackets nested more than 50 deep" in err and "not changed" in err


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (f'import os\n\nTOKEN = "{API_KEY}"\n', 'import os\n\nTOKEN = os.environ["TOKEN"]\n'),
        (f'TOKEN = "{API_KEY}"\n', 'import os\n\nTOKEN = os.environ["TOKEN"]\n'),
        (f'"""Doc."""\nTOKEN = "{API_KEY}"\n', '"""Doc."""\nimport os\n\nTOKEN = os.environ["TOKEN"]\n'),
        (
            f'"""Doc."""\n\nimport sys\n\nTOKEN = "{API_KEY}"\n',
            '"""Doc."""\n\nimport os\nimport sys\n\nTOKEN = os.environ["TOKEN"]\n',
        ),
        (f'SECRET = b"{API_KEY}"\n', 'import os\n\nSECRET = os.environ["SECRET"].encode()\n'),
        (
            f"class C:\n    def __init__(self):\n        self.apiKey = '{API_KEY}'\n",
            "import os\n\nclass C:\n    def __init__(self):\n        self.apiKey = os.environ['API_KEY']\n",
        ),
        (f'import os\r\n\r\nTOKEN = "{API_KEY}"\r\n', 'import os\r\n\r\nTOKEN = os.environ["TOKEN"]\r\n'),
        (f'import os\rNOTE = "x"\rTOKEN = "{API_KEY}"\n', 'import os\rNOTE = "x"\rTOKEN = os.environ["TOKEN"]\n'),
        (
            f'import os\nLABEL = "größe 😀"; TOKEN = "{API_KEY}"\n',
            'import os\nLABEL = "größe 😀"; TOKEN = os.environ["TOKEN"]\n',
        ),
        (f'import os\nif True:\n\tTOKEN = "{API_KEY}"\n', 'import os\nif True:\n\tTOKEN = os.environ["TOKEN"]\n'),
        (f'import os\nTOKEN = ("{API_KEY}")\n', 'import os\nTOKEN = os.environ["TOKEN"]\n'),  # parentheses go too
        (
            f'import os\nif (token := "{API_KEY}"):\n    pass\n',
            'import os\nif (token := os.environ["TOKEN"]):\n    pass\n',
        ),
    ],
    ids=[
        "has-import-os",
        "adds-import-os",
        "after-docstring",
        "before-first-import",
        "bytes",
        "attribute",
        "crlf",
        "lone-cr",
        "non-ascii-before",
        "tab",
        "parenthesized",
        "walrus",
    ],
)
def test_write_changes_only_the_literal_and_the_import(
    project: Path, capsys: pytest.CaptureFixture[str], before: str, after: str
) -> None:
    (project / "settings.py").write_bytes(before.encode("utf-8"))
    assert run(capsys, "fix", "settings.py", "--write")[0] == 0
    assert (project / "settings.py").read_bytes() == after.encode("utf-8")


@pytest.mark.parametrize(
    "code",
    [
        f'TOKEN = "{API_KEY}"  # cavra: allow python/connector-credential-binding -- documented sample\n',
        f'# cavra: allow python/connector-credential-binding -- documented sample\nTOKEN = "{API_KEY}"\n',
        f'TOKEN = "{API_KEY}"  # pragma: allowlist secret\n',
        f'headers = {{"api_key": "{API_KEY}"}}\nos.environ.setdefault("TOKEN", "{API_KEY}")\n',
        f'TOKEN = f"{API_KEY}{{suffix}}"\n',
        'TOKEN = os.environ["TOKEN"]\nTENANT_ID_FIELD = "tenant_id"\n',
        f'class Settings(BaseSettings):\n    api_key: str = Field("{API_KEY}")\n',
    ],
    ids=[
        "allowed-same-line",
        "allowed-line-above",
        "pragma",
        "dict-and-lookup-not-fixable",
        "f-string-hole",
        "nothing",
        "field-default-reported-not-rewritten",
    ],
)
def test_nothing_to_fix_exits_0_and_leaves_the_file(
    project: Path, capsys: pytest.CaptureFixture[str], code: str
) -> None:
    (project / "settings.py").write_text(code, encoding="utf-8")
    assert run(capsys, "fix", "settings.py") == (0, "", "cavra-safety: nothing to fix\n")
    assert (project / "settings.py").read_text(encoding="utf-8") == code


def test_folders_are_walked_honouring_gitignore_and_a_bom_is_kept(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "settings.py").unlink()
    (project / "pkg").mkdir()
    (project / "pkg" / "a.py").write_bytes(b"\xef\xbb\xbf" + f'TOKEN = "{API_KEY}"\n'.encode())
    (project / "pkg" / "ignored.py").write_text(f'TOKEN = "{API_KEY}"\n')
    (project / "pkg" / "notes.txt").write_text(f'TOKEN = "{API_KEY}"\n')
    (project / ".gitignore").write_text("ignored.py\n")
    code, out, _ = run(capsys, "fix", ".", "--write")
    assert code == 0
    assert (project / "pkg" / "a.py").read_bytes() == b'\xef\xbb\xbfimport os\n\nTOKEN = os.environ["TOKEN"]\n'
    assert API_KEY in (project / "pkg" / "ignored.py").read_text()
    assert API_KEY in (project / "pkg" / "notes.txt").read_text()
    assert out.startswith("pkg/a.py:1:9: python/connector-credential-binding")


def test_a_missing_path_is_a_user_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "fix", "nowhere.py")
    assert code == 2
    assert "path does not exist: nowhere.py" in err


def test_the_diff_shows_no_secret_in_full_even_beside_the_change(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A dict entry is reported but not rewritten: it shows as context, redacted by its shape.
    stripe = "sk_" + "live_" + "Q7x9Lm2Kp4ZrAb8Cd0EfGh1J"
    (project / "settings.py").write_text(
        f'import os\n\nHEADERS = {{"api_key": "{stripe}"}}\nPASSWORD = "{PASSWORD}"  # {stripe}\n', encoding="utf-8"
    )
    code, out, _ = run(capsys, "fix", "settings.py")
    assert code == 1
    assert out.splitlines()[-3:] == [
        f' HEADERS = {{"api_key": "{redact(stripe)}"}}',
        f'-PASSWORD = "{redact(PASSWORD)}"  # {redact(stripe)}',
        f'+PASSWORD = os.environ["PASSWORD"]  # {redact(stripe)}',
    ]
