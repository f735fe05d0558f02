"""The detect-secrets adapter: one positive per plugin and rule, negatives (placeholders, documented example
keys, hashes, environment look-ups), the gate, columns, redaction, long lines, and the adapter's isolation.

Every secret-shaped value is built at run time from a seeded generator, so this file passes its own scan.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import random
import string
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest

from cavra_safety.config import Config
from cavra_safety.detectors.secrets.adapter import LONG_LINE, build_secrets_detector, gate_pattern
from cavra_safety.detectors.secrets.plugins import PLUGIN_SPECS, PluginSpec
from cavra_safety.findings import Category, Finding, Severity, fingerprint
from cavra_safety.policy import Policy
from cavra_safety.redaction import redact
from cavra_safety.regex import compile_own
from cavra_safety.sources import Source

ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"


def token(alphabet: str, length: int, seed: int = 0) -> str:
    """A random-looking value: deterministic per seed, never a literal in this file."""
    rng = random.Random(f"{alphabet}:{length}:{seed}")
    return "".join(rng.choice(alphabet) for _ in range(length))


def ip(*octets: int) -> str:
    return ".".join(str(octet) for octet in octets)


@pytest.fixture(scope="module")
def detector() -> Any:
    return build_secrets_detector(Config(root=__import__("pathlib").Path(".")), Policy())


def scan(detector: Any, text: str, path: str = "settings.py", commit: str | None = None) -> list[Finding]:
    source = Source(path=path, text=text, commit=commit)
    return [item for item in detector.detect(source) if isinstance(item, Finding)]


_CONNECTOR = Category.CONNECTOR_CREDENTIAL


@dataclasses.dataclass(frozen=True)
class Case:
    """A line that holds one secret: ``template`` with ``{}`` replaced by ``value()``; the detector reports
    ``reported(value)`` (the plugin's own idea of the secret, e.g. the password alone of a URL)."""

    rule_id: str
    category: Category
    path: str
    template: str
    value: Callable[[], str]
    reported: Callable[[str], str] | None = None
    # What the finding's identity is taken from, when not the reported text (a private key's body).
    keyed_on: str | None = None

    def build(self) -> tuple[str, str]:
        value = self.value()
        return self.template.format(value), self.reported(value) if self.reported else value


def jwt() -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return ".".join([part({"alg": "HS256", "typ": "JWT"}), part({"sub": "4711"}), token(URLSAFE, 43)])


def slack_hook() -> str:
    path = "/".join(["T" + token(UPPER_ALNUM, 8), "B" + token(UPPER_ALNUM, 8), token(ALNUM, 24)])
    return "https://hooks.slack.com/services/" + path


def stripe_key() -> str:
    return "sk_" + "live_" + token(ALNUM, 24)


def key_body(seed: int, lines: int) -> list[str]:
    """Base64 lines of key material (random: no key, but shaped like one)."""
    return [token(B64, 64, seed * 100 + line) for line in range(lines)]


def one_line_pem(label: str, seed: int) -> str:
    """A private key as a string with escaped line breaks (a JSON service-account key, a YAML value):
    ``{}`` stands for the header the plugin reports."""
    end = "-----END " + label + "-----"
    return '"-----{}-----\\n' + "\\n".join(key_body(seed, 4)) + "\\n" + end + '\\n"'


POSITIVES: list[Case] = [
    Case(
        "secret/private-key",
        _CONNECTOR,
        "deploy/service-account.json",
        '  "private_key": ' + one_line_pem("RSA " + "PRIVATE KEY", 1) + ",",
        lambda: "BEGIN " + "RSA PRIVATE KEY",
        keyed_on="".join(key_body(1, 4)),
    ),
    Case(
        "secret/private-key",
        _CONNECTOR,
        "deploy/keys.yaml",
        "ssh_key: " + one_line_pem("OPENSSH " + "PRIVATE KEY", 2),
        lambda: "BEGIN " + "OPENSSH PRIVATE KEY",
        keyed_on="".join(key_body(2, 4)),
    ),
    Case(
        "secret/aws-access-key",
        _CONNECTOR,
        "settings.py",
        'aws_access_key_id = "{}"',
        lambda: "AKIA" + token(UPPER_ALNUM, 16),
    ),
    Case("secret/aws-secret-key", _CONNECTOR, "settings.py", 'aws_secret_access_key = "{}"', lambda: token(B64, 40)),
    Case(
        "secret/azure-storage-key",
        _CONNECTOR,
        "app.config",
        "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={}",
        lambda: token(B64, 86) + "==",
        lambda value: "AccountKey=" + value,
    ),
    Case("secret/github-token", _CONNECTOR, "ci.sh", "export GH_TOKEN={}", lambda: "ghp_" + token(ALNUM, 36)),
    Case("secret/gitlab-token", _CONNECTOR, "ci.sh", "export GL_TOKEN={}", lambda: "glpat-" + token(URLSAFE, 20)),
    Case(
        "secret/slack-token",
        _CONNECTOR,
        "bot.js",
        "const t = '{}';",
        lambda: "xoxb-" + token(string.digits, 12) + "-" + token(LOWER_ALNUM, 24),
    ),
    Case("secret/slack-webhook", Category.WEBHOOK_SECRET, "notify.py", 'URL = "{}"', slack_hook),
    Case("secret/stripe-key", Category.BILLING_SECRET, "billing.py", 'stripe.api_key = "{}"', stripe_key),
    Case(
        "secret/stripe-key",
        Category.BILLING_SECRET,
        "billing.py",
        'RESTRICTED = "{}"',
        lambda: "rk_" + "live_" + token(ALNUM, 24),
    ),
    Case(
        "secret/square-oauth-secret",
        Category.BILLING_SECRET,
        "pay.rb",
        'SQUARE = "{}"',
        lambda: "sq0csp-" + token(URLSAFE, 43),
    ),
    Case(
        "secret/openai-key",
        _CONNECTOR,
        "llm.py",
        'KEY = "{}"',
        lambda: "sk-" + token(ALNUM, 20) + "T3Blbk" + "FJ" + token(ALNUM, 20, seed=1),
    ),
    Case(
        "secret/pypi-token", _CONNECTOR, ".pypirc", "password = {}", lambda: "pypi-AgEIcHlwaS5vcmc" + token(URLSAFE, 80)
    ),
    Case(
        "secret/npm-token",
        _CONNECTOR,
        ".npmrc",
        "//registry.npmjs.org/:_authToken={}",
        lambda: "npm_" + token(ALNUM, 36),
    ),
    Case(
        "secret/sendgrid-key",
        _CONNECTOR,
        "mail.py",
        'SG = "{}"',
        lambda: "SG." + token(URLSAFE, 22) + "." + token(URLSAFE, 43),
    ),
    Case("secret/mailchimp-key", _CONNECTOR, "mail.py", 'MC = "{}"', lambda: token(LOWER_ALNUM, 32) + "-us6"),
    Case("secret/twilio-key", _CONNECTOR, "sms.py", 'TWILIO = "{}"', lambda: "SK" + token(LOWER_ALNUM, 32)),
    Case(
        "secret/discord-bot-token",
        _CONNECTOR,
        "bot.py",
        'BOT = "{}"',
        lambda: "M" + token(ALNUM, 23) + "." + token(URLSAFE, 6) + "." + token(URLSAFE, 27),
    ),
    Case(
        "secret/telegram-bot-token",
        _CONNECTOR,
        "bot.py",
        'BOT = "{}"',
        lambda: token("123456789", 9) + ":" + token(URLSAFE, 35),
    ),
    Case(
        "secret/artifactory-token",
        _CONNECTOR,
        "build.gradle",
        "artifactory_token: {}",
        lambda: "AKC" + token(ALNUM, 60),
    ),
    Case("secret/cloudant-credential", _CONNECTOR, "db.py", 'cloudant_password = "{}"', lambda: token(HEX, 64)),
    Case(
        "secret/softlayer-credential",
        _CONNECTOR,
        "infra.py",
        'softlayer_api_key = "{}"',
        lambda: token(LOWER_ALNUM, 64),
    ),
    Case("secret/ibm-cloud-iam-key", _CONNECTOR, "ibm.py", 'ibm_cloud_iam_api_key = "{}"', lambda: token(URLSAFE, 44)),
    Case("secret/ibm-cos-hmac", _CONNECTOR, "ibm.py", 'cos_hmac_secret_access_key = "{}"', lambda: token(HEX, 48)),
    # The plugin's regex ends lazily: it reports the header, the claims and the dot, not the signature.
    Case(
        "secret/jwt",
        _CONNECTOR,
        "client.py",
        'HEADERS = {{"Authorization": "Bearer {}"}}',
        jwt,
        lambda value: value.rsplit(".", 1)[0] + ".",
    ),
    Case(
        "secret/basic-auth-url",
        Category.PROVIDER_URL,
        "settings.py",
        'DATABASE_URL = "postgres://app:{}@db.internal.acme.io:5432/app"',
        lambda: token(ALNUM, 18),
    ),
    Case("secret/secret-keyword", _CONNECTOR, "settings.py", 'password = "{}"', lambda: token(ALNUM, 20)),
    Case("secret/secret-keyword", _CONNECTOR, "config.yaml", "client_secret: {}", lambda: token(ALNUM, 32)),
    Case("secret/high-entropy-base64", _CONNECTOR, "client.py", 'auth_token = "{}"', lambda: token(B64, 40)),
    Case("secret/high-entropy-hex", _CONNECTOR, "client.py", 'session_token = "{}"', lambda: token(HEX, 48)),
    Case("secret/public-ip", Category.PROVIDER_URL, "settings.py", 'DB_HOST = "{}"', lambda: ip(52, 14, 201, 33)),
    Case(
        "secret/public-ip",
        Category.PROVIDER_URL,
        "settings.py",
        'API_URL = "https://{}/v1"',
        lambda: ip(52, 14, 201, 33) + ":8443",
    ),
]
_POSITIVE_IDS = [f"{case.rule_id}@{case.path}" for case in POSITIVES]


@pytest.mark.parametrize("case", POSITIVES, ids=_POSITIVE_IDS)
def test_each_plugin_reports_its_example(detector: Any, case: Case) -> None:
    line, secret = case.build()
    findings = scan(detector, f"# header\n\n{line}\n", path=case.path)
    assert [(f.rule_id, f.category, f.line) for f in findings] == [(case.rule_id, case.category, 3)]
    finding = findings[0]
    column = line.index(secret) + 1
    assert (finding.column, finding.end_column) == (column, column + len(secret))
    rule = next(rule for rule in detector.rules if rule.rule_id == case.rule_id)
    assert finding.fingerprint == fingerprint(rule.rule_id, case.keyed_on or secret)


def test_every_rule_of_the_table_has_a_positive_example() -> None:
    table = {rule.rule_id for spec in PLUGIN_SPECS for rule in spec.rules}
    assert table == {case.rule_id for case in POSITIVES}


@pytest.mark.parametrize("case", POSITIVES, ids=_POSITIVE_IDS)
def test_the_full_secret_appears_in_no_field_of_the_finding(detector: Any, case: Case) -> None:
    line, secret = case.build()
    (finding,) = scan(detector, line, path=case.path)
    assert all(secret not in str(value) for value in dataclasses.asdict(finding).values())
    assert finding.redacted == redact(secret)


NEGATIVES: list[tuple[str, str, str]] = [
    # documented example keys and placeholders
    ("AWS documented access key", "settings.py", 'aws_access_key_id = "' + "AKIA" + "IOSFODNN7EXAMPLE" + '"'),
    (
        "AWS documented secret key",
        "settings.py",
        'aws_secret_access_key = "' + "wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY" + '"',
    ),
    ("Stripe test key", "billing.py", 'KEY = "' + "sk_" + "test_" + token(ALNUM, 24) + '"'),
    ("Stripe publishable key", "billing.py", 'KEY = "' + "pk_" + "live_" + token(ALNUM, 24) + '"'),
    ("Stripe filler key", "billing.py", 'KEY = "' + "sk_" + "live_" + "x" * 24 + '"'),
    ("URL credentials of a documentation host", "README.md", "http://user:" + "pass@example.com/path"),
    ("URL placeholder password on loopback", "cache.py", '"redis://username:' + 'password@127.0.0.1:6379"'),
    ("URL password from a format field", "db.py", 'URL = "postgres://app:{}@db.acme.io/app".format(pw)'),
    ("URL password from a shell variable", "deploy.sh", "psql postgres://app:$DB_PASSWORD@db.acme.io/app"),
    # environment look-ups and templates
    ("os.environ subscript", "settings.py", 'API_KEY = os.environ["API_KEY"]'),
    ("os.getenv call", "settings.py", 'password = os.getenv("DB_PASSWORD", "")'),
    ("shell expansion", "settings.py", 'api_key = "${API_KEY}"'),
    ("angle placeholder", "settings.py", 'api_key = "<your-api-key>"'),
    ("jinja placeholder", "config.yaml", "password: '{{ db_password }}'"),
    ("YOUR_ placeholder", "settings.py", 'secret = "YOUR_' + 'SECRET_KEY_HERE_1234"'),
    ("field-name constant", "models.py", 'PASSWORD_FIELD = "password"'),
    # human test passwords and hashes of passwords
    ("test password", "tests.py", 'client.login(username="admin", password="testclient")'),
    ("passphrase", "tests.py", 'password = "correct horse battery staple"'),
    ("leetspeak docs password", "docs.txt", '"PASSWORD": "' + "superS3" + 'cret",'),
    (
        "password hash",
        "fixtures.json",
        '"password": "' + "pbkdf2_sha256$" + "30000$" + token(ALNUM, 12) + "$" + token(B64, 43) + '="',
    ),
    # digests, lock files, integrity attributes, ids
    ("lock file integrity", "package-lock.json", '"integrity": "sha512-' + token(B64, 86) + '==",'),
    ("poetry lock hash", "poetry.lock", '{file = "x.whl", hash = "sha256:' + token(HEX, 64) + '"},'),
    ("checksum assignment", "build.py", 'checksum = "' + token(HEX, 64) + '"'),
    ("token hash", "models.py", 'token_hash = "' + token(HEX, 64) + '"'),
    ("integrity attribute", "index.html", '<script src="x.js" integrity="sha384-' + token(B64, 64) + '"></script>'),
    ("unbound random string", "vectors.py", 'DATA = "' + token(B64, 40) + '"'),
    (
        "hex test vector beside a password argument",
        "test_kdf.py",
        "(b'password', b'NaCl', 16, unhexlify('" + token(HEX, 128) + "')),",
    ),
    ("uuid token", "client.py", 'api_token = "' + "c4d77c62-6196-4f17-a06b-" + token(HEX, 12) + '"'),
    ("sequential string", "client.py", 'auth_token = "' + string.ascii_uppercase + string.digits + '"'),
    # public IPs outside a host context, private and documentation addresses
    ("private address", "settings.py", 'DB_HOST = "' + ip(10, 0, 0, 12) + '"'),
    ("documentation address", "settings.py", 'DB_HOST = "' + ip(192, 0, 2, 10) + '"'),
    ("public resolver", "settings.py", 'DNS = "' + ip(8, 8, 8, 8) + '"'),
    ("address in prose", "notes.md", "The old server answered from " + ip(52, 14, 201, 33) + " last year."),
    ("URL-validator test vector", "test_validators.py", '"http://' + ip(142, 42, 1, 1) + '/",'),
    ("version string", "setup.py", 'VERSION = "' + ip(5, 14, 201, 33) + '"'),
]


@pytest.mark.parametrize(("label", "path", "line"), NEGATIVES, ids=[case[0] for case in NEGATIVES])
def test_no_finding_for_non_secrets(detector: Any, label: str, path: str, line: str) -> None:
    assert scan(detector, f"{line}\n", path=path) == []


def test_one_finding_per_secret_the_most_specific_rule(detector: Any) -> None:
    key = stripe_key()
    findings = scan(detector, f'stripe_secret_key = "{key}"\npassword = "{key}"\n')
    assert [(f.line, f.rule_id) for f in findings] == [(1, "secret/stripe-key"), (2, "secret/stripe-key")]


def test_two_secrets_on_one_line_and_columns_count_characters(detector: Any) -> None:
    github, stripe = "ghp_" + token(ALNUM, 36), stripe_key()
    line = f'    tokens = {{"é": "{github}", "ü": "{stripe}"}}'
    findings = scan(detector, f"\n{line}\r\n")
    assert [(f.rule_id, f.line, f.column) for f in findings] == [
        ("secret/github-token", 2, line.index(github) + 1),
        ("secret/stripe-key", 2, line.index(stripe) + 1),
    ]


def test_commit_is_carried_to_the_finding(detector: Any) -> None:
    (finding,) = scan(detector, "ghp_" + token(ALNUM, 36), commit="0" * 40)
    assert finding.commit == "0" * 40


@pytest.mark.parametrize("prefix", ["é" * 3000, "x" * 3000], ids=["non-ascii", "ascii"])
def test_long_lines_are_scanned_in_windows_with_true_columns(detector: Any, prefix: str) -> None:
    filler = 'var a="q",b=function(e){return e.x==null};' * 6000
    stripe = stripe_key()
    password = token(ALNUM, 22, seed=3)
    line = prefix + filler + f' K="{stripe}";' + filler + f'config.password="{password}";'
    assert len(line.encode()) > 100 * LONG_LINE
    findings = scan(detector, "first\n" + line + "\n", path="bundle.js")
    assert [(f.rule_id, f.line, f.column) for f in findings] == [
        ("secret/stripe-key", 2, line.index(stripe) + 1),
        ("secret/secret-keyword", 2, line.index(password) + 1),
    ]


def test_a_long_data_uri_line_yields_nothing(detector: Any) -> None:
    line = 'img = "data:image/png;base64,' + token(B64, 500_000) + '"'
    assert scan(detector, line, path="page.html") == []


# Lines that stress the gates: every form of the keyword regexes, Unicode word characters and digits
# (Python's \w and \d are Unicode, RE2's are ASCII), and the positives above.
GATE_LINES = [case.build()[0] for case in POSITIVES] + [
    'my_password := "' + token(ALNUM, 16) + '"',
    'api_key: "' + token(ALNUM, 16) + '"',
    "db_pass = " + token(ALNUM, 16),
    'if ("' + token(ALNUM, 16) + '" == my_secret) {}',
    'char private_key[25] = "' + token(ALNUM, 16) + '";',
    'std::string secret("' + token(ALNUM, 16) + '");',
    'secret.assign("' + token(ALNUM, 16) + '",17);',
    'private_key "' + token(ALNUM, 16) + '";',
    'password => "' + token(ALNUM, 16) + '"',
    'NSString *password = @"' + token(ALNUM, 16) + '";',
    'passwordÄnderung = "' + token(ALNUM, 16) + '"',
    'contraseña = "' + token(ALNUM, 16) + '"',
    "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669:" + token(URLSAFE, 35),
    "key:" + "AP" + "3" + token(ALNUM, 12),
    "https://acme:" + token(HEX, 64) + "@acme.cloudant.com",
    "http://api.softlayer.com/soap/v3/" + token(LOWER_ALNUM, 64),
]
_FILE_TYPES = ("x.py", "x.yaml", "x.go", "x.cpp", "x.m", "x.txt")


def _fuzz_lines(count: int) -> list[str]:
    pieces = [
        "password",
        "api_key",
        "secret",
        "token",
        "key",
        "aws",
        "AKIA",
        "sk_live_",
        "eyJ",
        "://",
        ":",
        "@",
        "=",
        "==",
        " ",
        '"',
        "'",
        "`",
        ";",
        "(",
        ")",
        "[",
        "]",
        "é",
        "\u00a0",
        ".",
        "-",
        "_",
        "AP4",
        "AKC",
        "M",
        "glpat-",
        "xoxb-",
        "1234567890",
        "SG.",
        "-us1",
        "sq0csp-",
        "T3BlbkFJ",
        "pypi-AgEIcHlwaS5vcmc",
    ]
    rng = random.Random(7)

    def piece() -> str:
        if rng.random() < 0.5:
            return rng.choice(pieces)
        return token(URLSAFE, rng.randint(1, 48), rng.randint(0, 99))

    return ["".join(piece() for _ in range(rng.randint(3, 14))) for _ in range(count)]


@pytest.mark.parametrize("spec", PLUGIN_SPECS, ids=[spec.plugin for spec in PLUGIN_SPECS])
def test_the_gate_never_hides_a_detection(spec: PluginSpec) -> None:
    """Whenever the plugin itself finds something on a line, the plugin's gate matches that line."""
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
    from detect_secrets.plugins.keyword import DENYLIST, REGEX_BY_FILETYPE
    from detect_secrets.util.filetype import determine_file_type

    classes = get_mapping_from_secret_type_to_class().values()
    plugin_class: Any = next(cls for cls in classes if cls.__name__ == spec.plugin)
    plugin = plugin_class(limit=spec.limit) if spec.limit is not None else plugin_class()
    gate = compile_own(gate_pattern(spec, DENYLIST))
    found_any = False
    for line in GATE_LINES + _fuzz_lines(3000):
        for path in _FILE_TYPES if spec.plugin == "KeywordDetector" else _FILE_TYPES[:1]:
            kwargs = (
                {"denylist_regex_to_group": REGEX_BY_FILETYPE.get(determine_file_type(path))}
                if (spec.plugin == "KeywordDetector" and determine_file_type(path) in REGEX_BY_FILETYPE)
                else {}
            )
            values = [v for v in plugin.analyze_string(line, **kwargs) if v]
            if spec.limit is not None:
                values = [v for v in values if plugin.calculate_shannon_entropy(v) > spec.limit]
            if values:
                found_any = True
                assert gate.search(line), f"gate of {spec.plugin} hides {line!r}"
    assert found_any


def test_the_table_covers_every_plugin_of_the_installed_detect_secrets() -> None:
    from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class

    installed = {cls.__name__ for cls in get_mapping_from_secret_type_to_class().values()}
    assert installed == {spec.plugin for spec in PLUGIN_SPECS}


def test_rules_are_unique_namespaced_and_say_how_to_fix(detector: Any) -> None:
    ids = [rule.rule_id for rule in detector.rules]
    assert len(ids) == len(set(ids)) == sum(len(spec.rules) for spec in PLUGIN_SPECS)
    for rule in detector.rules:
        assert rule.rule_id.startswith("secret/") and rule.rule_id == rule.rule_id.lower()
        assert isinstance(rule.category, Category) and isinstance(rule.severity, Severity)
        assert "rotate" in rule.description and f"cavra: allow {rule.rule_id} -- " in rule.description


def test_building_leaves_detect_secrets_settings_as_they_were() -> None:
    from detect_secrets.settings import get_settings

    before = get_settings().json()
    build_secrets_detector(Config(root=__import__("pathlib").Path(".")), Policy())
    assert get_settings().json() == before


def test_importing_the_package_does_not_import_detect_secrets() -> None:
    code = "import sys, cavra_safety.detectors, cavra_safety.pipeline; print('detect_secrets' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
