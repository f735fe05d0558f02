"""The text-only second gate of the binding checks: it may let through files with nothing to report (they are
only parsed), but it must never hold back one the syntax-tree check would report."""

from __future__ import annotations

import pytest
from python_fixtures import detect

from cavra_safety.detectors.python.checks import CHECKS
from cavra_safety.detectors.python.checks.bindings import _BindingCheck
from cavra_safety.detectors.python.prefilter import may_bind_a_secret

# Built at run time so that this file passes the repository's own scan.
KEY = "".join(["sk-", "proj-", "7hG2kLm9", "Qw3eRt5y"])


@pytest.mark.parametrize(
    "code",
    [
        f'api_key = "{KEY}"\n',
        f'password, user = "{KEY}", "admin"\n',
        f'user, password = "admin", "{KEY}"\n',
        f'api_key = (\n    "{KEY[:5]}"  # first part\n    "{KEY[5:]}"\n)\n',
        f'api_key = "{KEY[:5]}" + "{KEY[5:]}"\n',
        f'api_key = f"{KEY}{{suffix}}"\n',
        f'api_key = """{KEY}"""\n',
        f'os.environ[ "API_KEY" ] = "{KEY}"\n',
        f'value = os.getenv("API_KEY", default="{KEY}")\n',
        f'headers = {{"X-Api-Key": b"{KEY}"}}\n',
        f'def connect(password: Optional[str] = "{KEY}"):\n    pass\n',
        f'class S(BaseSettings):\n    api_key: SecretStr = Field(\n        "{KEY}",\n    )\n',
        f'password: str = dataclasses.field(init=False, default="{KEY}")\n',
        f'while (token := "{KEY}"):\n    break\n',
    ],
    ids=[
        "assignment",
        "unpacking-first",
        "unpacking-last",
        "implicit-concatenation",
        "plus",
        "f-string",
        "triple-quoted",
        "environ",
        "lookup-default-keyword",
        "bytes-in-dict",
        "annotated-default",
        "pydantic-field-positional",
        "dataclass-field-default",
        "walrus",
    ],
)
def test_reportable_bindings_pass_the_gate(code: str) -> None:
    assert may_bind_a_secret(code)
    assert detect(code)[0], "the syntax-tree check reports it too"


@pytest.mark.parametrize(
    "code",
    [
        "password = None\ntoken = get_token()\n",
        'TOKEN_FIELD = "token"\nPASSWORD = "password"\n',
        'client.login(username="admin", password="password1")\n',
        'f(password, "some text")\ntoken = "%HOMEPATH%\\\\" + token[2:]\n',
        'message = "token: invalid value"\nhelp = {"password": "Enter a password " "twice"}\n',
        'login(password, hasher="default")\n',
    ],
    ids=["names-and-calls", "field-names", "dummy-password", "positional-and-computed", "prose", "call-arguments"],
)
def test_files_with_nothing_reportable_are_not_parsed(code: str) -> None:
    assert not may_bind_a_secret(code)


@pytest.mark.parametrize(
    ("check", "example"),
    [(check, example) for check in CHECKS if issubclass(check, _BindingCheck) for example in check.INVALID],
)
def test_every_invalid_binding_example_passes_the_gate(check: type, example: object) -> None:
    code = example.code.replace("▶", "")  # type: ignore[attr-defined]
    assert may_bind_a_secret(code)
