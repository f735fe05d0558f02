"""The credential-contexts pack on real files: well-known credential files by name, framework configuration,
build-tool blocks and password hashes, scanned through the CLI with JSON output.

Each positive writes a small file under ``tmp_path`` in its real format, with a secret value drawn at run time
(so this module passes the repository's own scan), and asserts the exact rule, its line, and that the value
never appears in the JSON report (only its redacted form). Negatives are the same formats with placeholders,
environment look-ups, documentation syntax and sample files: nothing at all may be reported on them.
"""

from __future__ import annotations

import base64
import contextlib
import io
import json
import random
import string
from dataclasses import dataclass
from pathlib import Path

import pytest

from cavra_safety.cli import main

ALNUM = string.ascii_letters + string.digits
CRYPT = "./" + ALNUM


def _draw(alphabet: str, length: int, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(length))


def _password(seed: int) -> str:
    """A human-looking but strong password: letters, digits and one symbol."""
    return _draw(string.ascii_letters, 6, seed) + _draw(string.digits, 3, seed + 1) + "#" + _draw(ALNUM, 5, seed + 2)


@dataclass(frozen=True)
class Case:
    """``before`` + the line built from ``template`` and ``secret`` + ``after``, written to ``path``."""

    name: str
    path: str
    before: str
    template: str
    secret: str
    rule: str
    after: str = ""

    @property
    def line(self) -> int:
        return self.before.count("\n") + 1

    @property
    def text(self) -> str:
        return self.before + self.template.format(secret=self.secret) + "\n" + self.after


def _cases() -> list[Case]:
    aws_id = "AK" + "IA" + _draw(string.ascii_uppercase + string.digits, 16, 11)
    docker_auth = base64.b64encode(("ci:" + _password(12)).encode()).decode()
    bcrypt = "$" + "2y$10$" + _draw(CRYPT, 53, 13)
    wp = "<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp' );\n"
    return [
        Case(
            "netrc",
            "home/.netrc",
            "machine api.acme-corp.io\n  login ops\n",
            "  password {secret}",
            _password(1),
            "policy/netrc-password",
        ),
        Case(
            "git-credentials",
            "home/.git-credentials",
            "",
            "https://jdoe:{secret}@git.acme-corp.io",
            _password(2),
            "policy/git-credentials-entry",
        ),
        Case(
            "aws-credentials",
            "home/credentials",
            f"[default]\naws_access_key_id = {aws_id}\n",
            "aws_secret_access_key = {secret}",
            _draw(ALNUM + "/+", 40, 3),
            "secret/aws-secret-key",  # the provider's own shape outranks the file it sits in (one finding per value)
        ),
        Case(
            "docker-config",
            "home/.docker/config.json",
            '{\n  "auths": {\n    "registry.acme-corp.io": {\n',
            '      "auth": "{secret}"',
            docker_auth,
            "policy/docker-config-auth",
            "    }\n  }\n}\n",
        ),
        Case(
            "wp-config-password",
            "site/wp-config.php",
            wp,
            "define( 'DB_PASSWORD', '{secret}' );",
            _password(4),
            "policy/php-define-secret",
        ),
        Case(
            "wp-config-salt",
            "site/wp-config.php",
            wp,
            "define( 'NONCE_SALT', '{secret}' );",
            _draw(ALNUM + "!@#%^*()-_[]~+=,.;:/?|", 64, 5),
            "policy/php-define-secret",
        ),
        Case(
            "laravel-app-key",
            "shop/.env",
            "APP_NAME=Shop\nAPP_ENV=production\n",
            "APP_KEY={secret}",
            "base64:" + base64.b64encode(random.Random(6).randbytes(32)).decode(),
            "policy/framework-env-secret",
        ),
        Case(
            "laravel-mail-password",
            "shop/.env",
            "APP_NAME=Shop\nMAIL_USERNAME=shop\n",
            "MAIL_PASSWORD={secret}",
            _password(7)[:9],
            "policy/framework-env-secret",
        ),
        Case(
            "maven-settings",
            "ci/settings.xml",
            "<settings>\n  <servers>\n    <server>\n      <id>releases</id>\n",
            "      <password>{secret}</password>",
            _password(8),
            "policy/maven-settings-password",
            "    </server>\n  </servers>\n</settings>\n",
        ),
        Case(
            "gradle",
            "build.gradle",
            "repositories {\n  maven {\n    credentials {\n      username 'deploy'\n",
            "      password '{secret}'",
            _password(9),
            "policy/gradle-credentials-password",
            "    }\n  }\n}\n",
        ),
        Case("htpasswd", "deploy/.htpasswd", "", "admin:{secret}", bcrypt, "policy/password-hash-file"),
        Case(
            "pgpass",
            "home/.pgpass",
            "",
            "db.acme-corp.io:5432:app:app:{secret}",
            _password(10),
            "policy/pgpass-password",
        ),
        Case(
            "curl-u",
            "scripts/backup.sh",
            "#!/bin/sh\nset -eu\n",
            "curl -u admin:{secret} https://ci.acme-corp.io/api",
            _password(14),
            "policy/http-client-basic-auth",
        ),
        Case(
            "bearer-in-docs",
            "docs/api.md",
            "# API\n\n```sh\n",
            'curl -H "Authorization: Bearer {secret}" https://api.acme-corp.io/v1/items',
            _draw(ALNUM, 40, 15),
            "policy/http-authorization-header",
            "```\n",
        ),
        Case(
            "url-query",
            "firmware/sensor.ino",
            "#include <WiFi.h>\n",
            'const char* url = "http://telemetry.acme-iot.io/update?api_key={secret}&field1=";',
            _draw(string.ascii_uppercase + string.digits, 16, 16),
            "policy/url-query-credential",
        ),
        Case(
            "config-password-json",
            "config/database.json",
            '{\n  "user": "shop",\n',
            '  "password": "{secret}"',
            _password(17)[:10],
            "policy/config-password-value",
            "}\n",
        ),
    ]


NEGATIVES: tuple[tuple[str, str], ...] = (
    ("home/.netrc", "machine api.heroku.com\n  login <email>\n  password <api-token>\n"),
    ("home/.git-credentials", "https://jdoe:${GIT_TOKEN}@git.acme-corp.io\n"),
    ("home/credentials", "[default]\naws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}\n"),
    ("home/.docker/config.json", '{\n  "credsStore": "desktop"\n}\n'),
    ("site/wp-config-sample.php", "<?php\ndefine( 'DB_PASSWORD', 'password_here' );\n"),
    ("site/wp-config.php", "<?php\ndefine( 'AUTH_KEY',         'put your unique phrase here' );\n"),
    ("shop/.env", "APP_KEY=\nDB_PASSWORD=\nREDIS_PASSWORD=null\nMAIL_PASSWORD=${MAIL_PASSWORD}\n"),
    ("ci/settings.xml", "<server>\n  <password>${env.MAVEN_PASSWORD}</password>\n</server>\n"),
    ("build.gradle", "credentials {\n    password = findProperty('repoPassword')\n}\n"),
    ("docs/api.md", "curl -u USER:PASS https://api.acme-corp.io\n\nSend `Authorization: Bearer <token>`.\n"),
    ("docs/api.md", 'curl -H "Authorization: Bearer $TOKEN" https://api.acme-corp.io\n'),
    ("docs/auth.md", "A bcrypt hash looks like `$2b$12$<53 characters>`.\n"),
    ("locales/de.json", '{\n  "password": "Passwort",\n  "login": "Anmelden"\n}\n'),
    ("api/schema.json", '{\n  "password": {"type": "string", "format": "password"}\n}\n'),
)


@dataclass(frozen=True)
class Report:
    code: int
    out: str
    findings: list[dict[str, object]]


def _scan_tree(root: Path, files: list[tuple[str, str]]) -> Report:
    """Each (path, text) written under its own folder of ``root``, then one CLI scan of ``root`` in JSON."""
    for index, (path, text) in enumerate(files):
        target = root / f"case{index:02d}" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["scan", str(root), "--format", "json"])
    return Report(code, out.getvalue(), json.loads(out.getvalue())["findings"])


CASES = _cases()


@pytest.fixture(scope="module")
def positives(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _scan_tree(tmp_path_factory.mktemp("positives"), [(case.path, case.text) for case in CASES])


@pytest.fixture(scope="module")
def negatives(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return _scan_tree(tmp_path_factory.mktemp("negatives"), list(NEGATIVES))


@pytest.mark.parametrize("index", range(len(CASES)), ids=[case.name for case in CASES])
def test_credential_file_is_reported(positives: Report, index: int) -> None:
    case = CASES[index]
    where = f"case{index:02d}/{case.path}"
    mine = [f for f in positives.findings if f["rule_id"] == case.rule and f["path"] == where]
    assert [f["line"] for f in mine] == [case.line], [f for f in positives.findings if f["path"] == where]
    assert positives.code == 1
    assert case.secret not in positives.out, "the secret must never appear in the JSON report"
    redacted = mine[0]["redacted"]
    assert redacted == case.secret[: len(str(redacted).split("…")[0])] + f"…({len(case.secret)} chars)"


@pytest.mark.parametrize("index", range(len(NEGATIVES)), ids=[f"{p}:{i}" for i, (p, _) in enumerate(NEGATIVES)])
def test_placeholder_is_not_reported(negatives: Report, index: int) -> None:
    where = f"case{index:02d}/{NEGATIVES[index][0]}"
    assert [f for f in negatives.findings if f["path"] == where] == []
