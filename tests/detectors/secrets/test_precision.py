"""The named precision filters of the secrets detector: each filter removes what its reason says (positives)
and nothing a reviewer should see (negatives); every filter of the table has both. Secret-shaped values are
built at run time from a seeded generator, so this file passes its own scan."""

from __future__ import annotations

import base64
import random
import string
from dataclasses import dataclass

import pytest

from cavra_safety.detectors.secrets import precision
from cavra_safety.detectors.secrets.shapes import Seen, bound_name

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"


def token(alphabet: str, length: int, seed: int = 0) -> str:
    rng = random.Random(f"{alphabet}:{length}:{seed}")
    return "".join(rng.choice(alphabet) for _ in range(length))


KEYWORD, BASE64, HEX_PLUGIN = "KeywordDetector", "Base64HighEntropyString", "HexHighEntropyString"
URL, IP, ARTIFACTORY, AWS = "BasicAuthDetector", "IPPublicDetector", "ArtifactoryDetector", "AWSKeyDetector"


@dataclass(frozen=True)
class Case:
    filter: str
    drops: bool  # True: the filter removes the value; False: the filter leaves it
    plugin: str
    value: str
    window: str = ""  # the line; "{}" stands for the value
    path: str = "settings.py"
    secret: bool = True  # a negative that is a real secret: no filter of the chain may remove it
    after: str = ""  # what follows the value (a private key's header)

    def seen(self) -> Seen:
        window = self.window.replace("{}", self.value) if self.window else self.value
        return Seen(self.plugin, self.value, window, self.path, self.after)


def _pem_b64(header: str) -> str:
    return base64.b64encode(f"-----BEGIN {header}-----\n".encode() + token(B64, 60).encode()).decode()


SECRET = token(ALNUM, 32)
RSA_HEADER = "BEGIN " + "RSA PRIVATE KEY"
RSA_END = "-----END " + "RSA PRIVATE KEY-----"
KEY_LINES = "\n".join(token(B64, 64, line) for line in range(3))
PRIVATE_KEY = "PrivateKeyDetector"
CASES = [
    Case(
        "pem-without-key",
        True,
        PRIVATE_KEY,
        RSA_HEADER,
        "The file starts with `-----{}-----`.",
        "docs/tls.md",
        after="`.",
    ),
    Case(
        "pem-without-key", True, PRIVATE_KEY, RSA_HEADER, "-----{}-----", "key.pem", after="-----\nMIIE...\n" + RSA_END
    ),
    Case("pem-without-key", True, PRIVATE_KEY, RSA_HEADER, "-----{}-----", "key.pem", after="-----\n<your key>\n"),
    Case("pem-without-key", True, PRIVATE_KEY, RSA_HEADER, "-----{}-----", "key.pem", after="-----\n" + "x" * 64),
    Case("pem-without-key", False, PRIVATE_KEY, RSA_HEADER, "-----{}-----", "id_rsa", after="-----\n" + KEY_LINES),
    Case("documented-example", True, AWS, "AKIA" + "IOSFODNN7" + "EXAMPLE"),
    Case("documented-example", False, AWS, "AKIA" + token(string.ascii_uppercase, 16)),
    # Microsoft's published Azurite (storage emulator) key and the jwt.io sample token: listed by digest
    Case(
        "documented-example",
        True,
        "AzureStorageKeyDetector",
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZ" + "FPTOtr/KBHBeksoGMGw==",
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;{};",
    ),
    Case(
        "documented-example",
        True,
        "JwtTokenDetector",
        # what the plugin reports (header and payload); the line holds the whole documented token
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
        + "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.",
        'token = "{}' + 'SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"',
    ),
    # a token of the same shape that is not the documented one stays
    Case("documented-example", False, "JwtTokenDetector", "eyJhbGciOiJIUzI1NiJ9." + token(ALNUM, 40) + "."),
    Case("placeholder", True, KEYWORD, "YOUR_" + "API_KEY_HERE"),
    Case("placeholder", True, KEYWORD, "sk_live_" + "..."),
    Case("placeholder", True, KEYWORD, "{{ db_password }}"),
    Case("placeholder", False, KEYWORD, SECRET),
    Case("filler", True, "StripeDetector", "sk_live_" + "x" * 24),
    Case("filler", False, "StripeDetector", "sk_live_" + token(ALNUM, 24)),
    Case("artifactory-word", True, ARTIFACTORY, "AP" + "ACHELICENSE"),
    Case("artifactory-word", True, ARTIFACTORY, "AP" + "EXDomainNames"),
    Case("artifactory-word", False, ARTIFACTORY, "AP3" + token(ALNUM, 40)),
    Case("generated-file", True, BASE64, token(B64, 40), 'token = "{}"', "static/app.min.js"),
    Case("generated-file", True, KEYWORD, token(ALNUM, 20), 'password = "{}"', "yarn.lock"),
    Case("generated-file", False, BASE64, token(B64, 40), 'token = "{}"', "static/app.js"),
    Case("locale-label", True, KEYWORD, "Passwort", '  "password": "{}",', "locale/de.json"),
    Case("locale-label", True, KEYWORD, "Mot de passe", 'msgstr "{}"', "app/fr/LC_MESSAGES/django.po"),
    Case("locale-label", False, KEYWORD, "Passwort", '  "password": "{}",', "config/app.json", secret=False),
    Case("locale-label", False, KEYWORD, SECRET, '  "password": "{}",', "locale/de.json"),
    Case("integrity-value", True, BASE64, "sha512-" + token(B64, 86) + "==", '"integrity": "{}"'),
    Case("integrity-value", False, BASE64, token(B64, 86) + "==", '"auth_token": "{}"'),
    Case("password-hash", True, KEYWORD, "pbkdf2_sha256$" + "600000$" + token(ALNUM, 12) + "$" + token(B64, 43)),
    Case("password-hash", True, KEYWORD, "$2b$" + "12$" + token(ALNUM, 53)),
    Case("password-hash", False, KEYWORD, SECRET),
    Case("public-certificate", True, BASE64, _pem_b64("CERTIFICATE"), "ca.crt: {}", "values.yaml"),
    Case("public-certificate", False, BASE64, _pem_b64("RSA PRIVATE KEY"), "key: {}", "values.yaml"),
    Case("publishable-key", True, BASE64, "pk_" + "live_" + token(ALNUM, 24), 'STRIPE_KEY = "{}"'),
    Case("publishable-key", False, BASE64, "sk_" + "live_" + token(ALNUM, 24), 'STRIPE_KEY = "{}"'),
    Case("digest-name", True, HEX_PLUGIN, token(HEX, 64), 'token_hash = "{}"'),
    Case("digest-name", True, BASE64, token(B64, 40), 'checksum: "{}"'),
    Case("digest-name", False, HEX_PLUGIN, token(HEX, 64), 'session_token = "{}"'),
    Case("indirect-reference", True, KEYWORD, 'os.environ["API_KEY"]'),
    Case("indirect-reference", True, KEYWORD, "settings.BILLING_API_KEY"),
    Case("indirect-reference", True, KEYWORD, "Password_from_vault_7Q2)"),
    Case("indirect-reference", False, KEYWORD, SECRET),
    Case("trivial-value", True, KEYWORD, "token1"),
    Case("trivial-value", True, KEYWORD, "p@ssword"),
    Case("trivial-value", False, KEYWORD, token(ALNUM, 12)),
    Case("human-chosen", True, KEYWORD, "testclient"),
    Case("human-chosen", True, KEYWORD, "correct horse battery staple"),
    Case("human-chosen", True, KEYWORD, "X-Hub-Signature-256"),
    Case("human-chosen", False, KEYWORD, SECRET),
    Case("no-credential-name", True, BASE64, token(B64, 40), 'DATA = "{}"'),
    Case("no-credential-name", True, HEX_PLUGIN, token(HEX, 64), "(b'password', unhexlify('{}'))"),
    Case("no-credential-name", False, BASE64, token(B64, 40), 'auth_token = "{}"'),
    Case("no-credential-name", False, HEX_PLUGIN, token(HEX, 48), 'export const sessionToken: string = "{}";'),
    Case("no-credential-name", False, BASE64, token(B64, 40), '<add key="client_secret" value="{}" />'),
    Case("no-credential-name", False, BASE64, token(B64, 40), 'ADAFRUIT_IO_KEY="{}"', ".env"),
    Case("no-credential-name", False, BASE64, _pem_b64("RSA PRIVATE KEY"), "key: {}", "values.yaml"),
    Case("placeholder-url-password", True, URL, "password", "postgres://user:{}@db.acme.io/app"),
    Case("placeholder-url-password", True, URL, "postgres", "postgres://postgres:{}@db:5432/app"),
    Case("placeholder-url-password", True, URL, "{pw}", "postgres://app:{}@db.acme.io/app"),
    Case("placeholder-url-password", False, URL, token(ALNUM, 18), "postgres://app:{}@db.acme.io/app"),
    Case("reserved-host", True, URL, token(ALNUM, 18), "redis://app:{}@localhost:6379"),
    Case("reserved-host", True, URL, token(ALNUM, 18), "https://app:{}@api.example.com/v1"),
    Case("reserved-host", False, URL, token(ALNUM, 18), "https://app:{}@api.acme.io/v1"),
    Case("not-a-host-address", True, IP, "52.14.201.33", "The old server answered from {} last year."),
    Case("not-a-host-address", True, IP, "8.8.8.8", 'DNS_SERVER = "{}"'),
    Case("not-a-host-address", False, IP, "52.14.201.33", 'DB_HOST = "{}"'),
]


@pytest.mark.parametrize(
    "case", CASES, ids=[f"{c.filter}-{'drops' if c.drops else 'keeps'}-{i}" for i, c in enumerate(CASES)]
)
def test_each_filter_removes_what_its_reason_says(case: Case) -> None:
    (precision_filter,) = [f for f in precision.FILTERS if f.name == case.filter]
    assert precision_filter.applies_to(case.plugin) or not case.drops
    assert (precision_filter.applies_to(case.plugin) and precision_filter.drops(case.seen())) == case.drops


@pytest.mark.parametrize("case", [c for c in CASES if not c.drops and c.secret], ids=lambda c: c.filter)
def test_the_whole_chain_keeps_the_secrets_among_the_negatives(case: Case) -> None:
    seen = case.seen()
    assert precision.dropped_by(seen.plugin, seen.value, seen.window, seen.path, seen.after) is None


def test_every_filter_has_a_positive_and_a_negative_and_a_reason() -> None:
    names = [f.name for f in precision.FILTERS]
    assert len(names) == len(set(names))
    for precision_filter in precision.FILTERS:
        outcomes = {case.drops for case in CASES if case.filter == precision_filter.name}
        assert outcomes == {True, False}, precision_filter.name
        assert len(precision_filter.reason) > 20


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ('API_TOKEN = "{}"', "API_TOKEN"),
        ('"client_secret": "{}"', "client_secret"),
        ("export const sessionToken: string = '{}';", "sessionToken"),
        ('<add key="auth_token" value="{}" />', "auth_token"),
        ('<add name="api_key" value="{}" />', "api_key"),
        ('value = "{}"', "value"),
        ('print("{}")', "print"),
        ("{}", ""),
    ],
)
def test_the_name_a_value_is_bound_to(line: str, name: str) -> None:
    assert bound_name(SECRET, line.replace("{}", SECRET)) == name
