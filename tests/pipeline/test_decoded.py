"""Decoded values through the engine and the CLI: findings at the encoded text, one per place, redacted."""

from __future__ import annotations

import base64
import json
import secrets
import urllib.parse
from pathlib import Path

import pytest
from encoded_samples import b64, certificate_pem, github_token, password, pkcs8_der, rsa_pem
from git_repo import Cli

from cavra_safety.config import Config, load_config
from cavra_safety.findings import Finding
from cavra_safety.pipeline.decoded import describe
from cavra_safety.pipeline.engine import Engine
from cavra_safety.policy import load_policy
from cavra_safety.sources import Source
from cavra_safety.sources.encoded import Encoding


def engine(tmp_path: Path, **changes: object) -> Engine:
    config = Config(root=tmp_path).with_overrides(**changes)
    return Engine(config, load_policy(config))


def scan(tmp_path: Path, path: str, text: str, **source: object) -> list[Finding]:
    return engine(tmp_path).scan_source(Source(path, text, **source)).findings  # type: ignore[arg-type]


def k8s_secret(values: dict[str, str]) -> str:
    data = "".join(f"  {name}: {value}\n" for name, value in values.items())
    return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: api\ntype: Opaque\ndata:\n" + data


def test_a_kubernetes_secret_is_read_decoded_and_reported_at_the_encoded_values(tmp_path: Path) -> None:
    token, pw = b64(github_token()), b64(password())
    findings = scan(tmp_path, "deploy/secret.yaml", k8s_secret({"password": pw, "github-token": token}))
    assert [(f.line, f.column, f.end_column) for f in findings] == [
        (7, 13, 13 + len(pw)),
        (8, 17, 17 + len(token)),
    ]
    assert findings[1].rule_id == "secret/github-token"
    assert all(f.category == "connector-credential" for f in findings)
    assert all(f.message.startswith("Found after base64-decoding the value here. ") for f in findings)


def test_a_base64_private_key_in_helm_values_is_a_private_key(tmp_path: Path) -> None:
    encoded = b64(rsa_pem())
    (finding,) = scan(tmp_path, "charts/api/values.yaml", "image: api\ntls:\n  key: " + encoded + "\n")
    assert (finding.rule_id, finding.line, finding.column) == ("secret/private-key", 3, 8)
    assert finding.end_column == 8 + len(encoded)


def test_a_base64_der_key_without_armour_is_a_private_key(tmp_path: Path) -> None:
    line = "jwt.signing-key=" + base64.b64encode(pkcs8_der()).decode()
    (finding,) = scan(tmp_path, "src/main/resources/application.properties", line + "\n")
    assert (finding.rule_id, finding.column) == ("secret/private-key", len("jwt.signing-key=") + 1)


def test_a_url_encoded_credential_in_a_url(tmp_path: Path) -> None:
    inner = urllib.parse.quote("https://deploy:" + password() + "@registry.acme-corp.io/v2/", safe="")
    prefix = "Open https://login.acme-corp.io/callback?next="
    (finding,) = scan(tmp_path, "docs/login.md", "# Login\n\n" + prefix + inner + "&step=2\n")
    assert (finding.line, finding.column, finding.end_column) == (3, len(prefix) + 1, len(prefix) + 1 + len(inner))
    assert finding.category == "provider-url"
    assert finding.message.startswith("Found after URL-decoding the value here. ")


def test_base64_inside_base64(tmp_path: Path) -> None:
    (finding,) = scan(tmp_path, "ci/values.yaml", "bootstrap: " + b64(b64("GH_TOKEN=" + github_token())) + "\n")
    assert finding.rule_id == "secret/github-token"
    assert "base64-decoding twice" in finding.message


@pytest.mark.parametrize(
    ("path", "text"),
    [
        pytest.param(
            "package-lock.json", lambda: '"integrity": "sha512-' + b64(secrets.token_bytes(64)) + '"', id="lock"
        ),
        pytest.param(
            "web/logo.html", lambda: '<img src="data:image/png;base64,' + b64(b"\x89PNG" + bytes(60)) + '">', id="png"
        ),
        pytest.param("charts/api/values.yaml", lambda: "  caBundle: " + b64(certificate_pem()), id="ca-certificate"),
        pytest.param("data.yaml", lambda: "blob: " + b64(secrets.token_bytes(96)), id="binary"),
        pytest.param("notes.yaml", lambda: "summary: " + b64("ship the release notes on friday morning"), id="words"),
    ],
)
def test_what_decodes_to_no_secret_adds_no_finding(tmp_path: Path, path: str, text) -> None:
    assert scan(tmp_path, path, "kind: Secret\n" + text() + "\n") == []


def test_one_finding_per_place_the_decoded_one(tmp_path: Path) -> None:
    """The raw text's finding on the encoded string (a keyword or entropy rule) gives way to the decoded one."""
    source = Source("x.yaml", "privateKey: " + b64(rsa_pem()) + "\n")
    plain = engine(tmp_path, decode=False).scan_source(source).findings
    assert plain and all((f.line, f.column) == (1, 13) and f.rule_id != "secret/private-key" for f in plain)
    decoded = engine(tmp_path).scan_source(source).findings
    assert [(f.rule_id, f.line, f.column) for f in decoded] == [("secret/private-key", 1, 13)]


def test_the_fingerprint_is_the_decoded_values(tmp_path: Path) -> None:
    token = github_token()
    (decoded,) = scan(tmp_path, "a.yaml", "token: " + b64(token) + "\n")
    (clear,) = scan(tmp_path, "b.sh", "export GH_TOKEN=" + token + "\n")
    assert decoded.rule_id == clear.rule_id and decoded.value_key == clear.value_key


def test_an_inline_allow_on_the_encoded_line_covers_the_decoded_finding(tmp_path: Path) -> None:
    line = "token: " + b64(github_token()) + "  # cavra: allow secret/github-token -- rotated test token\n"
    outcome = engine(tmp_path).scan_source(Source("a.yaml", line))
    assert outcome.findings == [] and [s.finding.rule_id for s in outcome.suppressed] == ["secret/github-token"]


@pytest.mark.parametrize(("added", "reported"), [(frozenset({2}), True), (frozenset({1}), False)])
def test_a_diff_counts_a_decoded_finding_on_an_added_encoded_line(tmp_path: Path, added, reported) -> None:
    text = "name: api\ntoken: " + b64(github_token()) + "\n"
    assert bool(scan(tmp_path, "a.yaml", text, added_lines=added)) == reported


def test_decoding_can_be_switched_off(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.cavra-safety]\ndecode = false\n")
    config = load_config(tmp_path)
    assert config.decode is False
    found = Engine(config, load_policy(config)).scan_source(Source("a.yaml", "x: " + b64(github_token()) + "\n"))
    assert found.findings == []


@pytest.mark.parametrize(
    ("encodings", "said"),
    [
        ((Encoding.BASE64,), "base64-decoding"),
        ((Encoding.URL, Encoding.BASE64), "URL-decoding, then base64-decoding"),
        ((Encoding.BASE64, Encoding.BASE64), "base64-decoding twice"),
    ],
)
def test_the_message_names_the_decoding(encodings, said) -> None:
    assert describe(encodings) == said


@pytest.mark.parametrize("output", ["json", "text", "sarif"])
def test_no_decoded_secret_appears_in_any_output(tmp_path: Path, cli: Cli, output: str) -> None:
    token, pw, key = github_token(), password(), rsa_pem()
    (tmp_path / "secret.yaml").write_text(k8s_secret({"password": b64(pw), "token": b64(token)}))
    (tmp_path / "values.yaml").write_text("tls:\n  key: " + b64(key) + "\n")
    code, out, err = cli(tmp_path, "scan", ".", "--no-baseline", "--format", output)
    assert code == 1
    for secret in (token, pw, *key.splitlines()[1:-1], token[:8], pw[:8]):
        assert secret not in out and secret not in err
    if output == "json":
        evidence = sorted(f["redacted"] for f in json.loads(out)["findings"])
        expected = [b64(value)[:4] + f"…({len(b64(value))} chars)" for value in (pw, token, key)]
        assert evidence == sorted(expected)
