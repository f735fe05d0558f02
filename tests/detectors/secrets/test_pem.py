"""A private key is its key material: ``pem.key_body`` reads it in the forms a repository keeps keys in, the
finding's identity comes from it (two keys under one header are two values; one key moved between files and
formats is one), and a header with no key after it is no finding. Key-shaped text is built at run time from a
seeded generator (random base64, no real key), so this file passes its own scan."""

from __future__ import annotations

import random
import string
from pathlib import Path
from typing import Any

import pytest
from git_repo import Cli, Repo

from cavra_safety.config import Config
from cavra_safety.detectors.secrets import pem
from cavra_safety.detectors.secrets.adapter import build_secrets_detector
from cavra_safety.findings import Finding
from cavra_safety.policy import Policy
from cavra_safety.sources import Source

B64 = string.ascii_letters + string.digits + "+/"
LABEL = "RSA " + "PRIVATE KEY"
HEADER = "-----BEGIN " + LABEL + "-----"
FOOTER = "-----END " + LABEL + "-----"


def key_lines(seed: int, count: int = 5) -> list[str]:
    rng = random.Random(seed)
    lines = ["".join(rng.choice(B64) for _ in range(64)) for _ in range(count - 1)]
    return [*lines, "".join(rng.choice(B64) for _ in range(20)) + "=="]


def body(seed: int) -> str:
    return "".join(key_lines(seed))


def pem_file(seed: int) -> str:
    return "\n".join([HEADER, *key_lines(seed), FOOTER]) + "\n"


def escaped(seed: int) -> str:
    """The key as one string with escaped line breaks (JSON, a YAML double-quoted scalar)."""
    return "\\n".join([HEADER, *key_lines(seed), FOOTER]) + "\\n"


def after_header(text: str) -> str:
    return text[text.index(LABEL) + len(LABEL) :]


FORMS = {
    "a PEM file": pem_file(1),
    "CRLF line ends": pem_file(1).replace("\n", "\r\n"),
    "a JSON service-account key": '{"type": "service_account", "private_key": "' + escaped(1) + '"}\n',
    "a Python string joined over lines": "KEY = (\n"
    + "".join(f'    "{line}\\n"\n' for line in [HEADER, *key_lines(1), FOOTER])
    + ")\n",
    "a JavaScript concatenation": "const key =\n"
    + "".join(f'  "{line}\\n" +\n' for line in [HEADER, *key_lines(1)])
    + f'  "{FOOTER}";\n',
    "a YAML block scalar": "tls:\n  key: |\n" + "".join(f"    {line}\n" for line in [HEADER, *key_lines(1), FOOTER]),
    "an encrypted PEM with armour headers": "\n".join(
        [HEADER, "Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-128-CBC,0123456789ABCDEF", "", *key_lines(1), FOOTER]
    ),
    "a shell heredoc in Markdown": "```sh\ncat > id_rsa <<'EOF'\n" + pem_file(1) + "EOF\n```\n",
}


@pytest.mark.parametrize("form", FORMS)
def test_the_key_body_is_read_from_every_form(form: str) -> None:
    assert pem.key_body(after_header(FORMS[form])) == body(1)


@pytest.mark.parametrize(
    "after",
    [
        "-----`, then the base64 lines.",  # a mention in prose
        "-----\nMIIEpAIBAAKCAQEA...\n" + FOOTER,  # an elided key
        "-----\n<paste your key here>\n" + FOOTER,
        "-----\n" + "A" * 64 + "\n" + FOOTER,  # filler
        "-----\n" + FOOTER,  # armour with nothing inside
        "-----\n" + key_lines(3)[0][:40] + "\n" + FOOTER,  # too short for any key
    ],
)
def test_a_header_without_key_material_has_no_body(after: str) -> None:
    assert pem.key_body(after) is None


def test_the_body_ends_at_the_footer_or_at_the_first_line_that_is_not_key_material() -> None:
    assert pem.key_body(after_header(pem_file(1) + "\n".join(key_lines(2)))) == body(1)
    unterminated = after_header(HEADER + "\n" + "\n".join(key_lines(1)) + "\nprint('done')\n" + "\n".join(key_lines(2)))
    assert pem.key_body(unterminated) == body(1)


@pytest.fixture(scope="module")
def detector() -> Any:
    return build_secrets_detector(Config(root=Path(".")), Policy())


def keys(detector: Any, path: str, text: str) -> list[Finding]:
    return [f for f in detector.detect(Source(path=path, text=text)) if isinstance(f, Finding)]


def test_two_keys_under_one_header_are_two_values_and_one_key_in_two_forms_is_one(detector: Any) -> None:
    (first,) = keys(detector, "deploy/id_rsa", pem_file(1))
    (second,) = keys(detector, "deploy/other_rsa", pem_file(2))
    (same,) = keys(detector, "deploy/sa.json", FORMS["a JSON service-account key"])
    assert first.rule_id == second.rule_id == same.rule_id == "secret/private-key"
    assert first.value_key != second.value_key
    assert first.value_key == same.value_key
    # The report points at the header and shows no key material.
    assert (first.line, first.column) == (1, 6)
    assert all(line not in str(first) for line in key_lines(1))


def test_a_header_alone_is_no_finding_and_the_filter_says_why(detector: Any) -> None:
    text = "# TLS\n\nThe file starts with `" + HEADER + "`.\n"
    assert keys(detector, "docs/tls.md", text) == []
    assert [item.filter for item in detector.explain(Source(path="docs/tls.md", text=text))] == ["pem-without-key"]


def test_history_keeps_two_keys_under_one_header_apart_and_a_moved_key_as_one(repo: Repo, cli: Cli) -> None:
    # The case from uptime-kuma: a stub header first, then a real key of the same header in another file.
    repo.commit("docs", {"docs/tls.md": "Keys start with `" + HEADER + "`.\n"})
    first = repo.commit("test key", {"test/fixtures/key.pem": pem_file(1)})
    second = repo.commit("another key", {"test/fixtures/other.pem": pem_file(2)})
    moved = FORMS["a JSON service-account key"]
    repo.commit("move into the service account", {"test/fixtures/key.pem": None, "deploy/sa.json": moved})
    findings = cli.findings(repo.path, "scan", "--history")
    assert sorted((f["path"], f["commit"], f["occurrences"]) for f in findings) == [
        ("test/fixtures/key.pem", first, 2),
        ("test/fixtures/other.pem", second, 1),
    ]
