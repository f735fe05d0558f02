"""Precision filters of the secrets detector: the named reasons a detect-secrets finding is not ours.

detect-secrets reports 249 findings on the Django 5.2.19 sdist, none of them a live secret. We promise never to
report less than detect-secrets, except where one of the filters of ``FILTERS`` removes a value for a reason it
names (a placeholder, a hash, a lockfile integrity value, ...). ``dropped_by`` returns the name of the first
filter that removes a value, or None to keep it; the adapter records every removal, so the parity test can
explain each detect-secrets finding we do not report. Pure functions, no detect-secrets import; the predicates
themselves live in ``shapes``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cavra_safety.detectors.secrets import pem, shapes
from cavra_safety.detectors.secrets.shapes import Seen
from cavra_safety.sources.generated import is_generated

_ENTROPY = frozenset({"Base64HighEntropyString", "HexHighEntropyString"})
_KEYWORD = frozenset({"KeywordDetector"})
_GENERIC = _ENTROPY | _KEYWORD
_URL = frozenset({"BasicAuthDetector"})
_IP = frozenset({"IPPublicDetector"})
_EVERY = frozenset[str]()  # empty: the filter applies to every plugin but the IP one


@dataclass(frozen=True)
class PrecisionFilter:
    """One named reason to drop a value: ``plugins`` it applies to (empty: all), the predicate, and why."""

    name: str
    reason: str
    plugins: frozenset[str]
    drops: Callable[[Seen], bool]

    def applies_to(self, plugin: str) -> bool:
        return plugin in self.plugins if self.plugins else plugin not in _IP


_PRIVATE_KEY = frozenset({"PrivateKeyDetector"})

# Order matters only for the name a value is filed under: the most telling reason comes first.
FILTERS: tuple[PrecisionFilter, ...] = (
    PrecisionFilter(
        "pem-without-key",
        "a private key's header with no key after it: a mention in prose, a stub (MIIE..., <your key>), a filler",
        _PRIVATE_KEY,
        lambda seen: pem.key_body(seen.after) is None,
    ),
    PrecisionFilter(
        "documented-example",
        "a key from a provider's documentation (AWS's AKIAIOSFODNN7EXAMPLE says EXAMPLE; Stripe's, Azurite's and "
        "jwt.io's are listed by digest in policy.placeholders)",
        _EVERY,
        shapes.documented_example,
    ),
    PrecisionFilter(
        "placeholder",
        "a value that says it is not real: your-..., <...>, ${...}, {{ ... }}, sample, dummy, changeme, '...' "
        "(the vocabulary of policy.placeholders, which the policy rules read too)",
        _EVERY,
        shapes.placeholder,
    ),
    PrecisionFilter(
        "filler",
        "a run of six identical characters stands in for a key (sk_live_xxxxxxxx..., AKIA0000000000000000)",
        _EVERY,
        shapes.filler,
    ),
    PrecisionFilter(
        "artifactory-word",
        "an ordinary word that starts with AP (APACHELICENSE, APPLICATION): real Artifactory tokens mix digits",
        frozenset({"ArtifactoryDetector"}),
        shapes.artifactory_word,
    ),
    PrecisionFilter(
        "generated-file",
        "a generated file (minified bundle, source map, lock file): its random strings are hashes and data",
        _GENERIC,
        lambda seen: is_generated(seen.path),
    ),
    PrecisionFilter(
        "locale-label",
        'a translated label in an i18n / locale file ("password": "Passwort")',
        _KEYWORD,
        shapes.locale_label,
    ),
    PrecisionFilter(
        "integrity-value",
        "a subresource or lockfile integrity value (sha512-...), a digest of a public file",
        _GENERIC,
        shapes.integrity_value,
    ),
    PrecisionFilter(
        "password-hash",
        "an encoded password hash (pbkdf2_sha256$..., $2b$..., argon2): a hash of a password is not the password",
        _GENERIC,
        shapes.password_hash,
    ),
    PrecisionFilter(
        "public-certificate",
        "base64 of a PEM certificate (LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0t...): certificates are public",
        _GENERIC,
        shapes.public_certificate,
    ),
    PrecisionFilter(
        "publishable-key",
        "a key that is public by design: Stripe publishable keys (pk_live_, pk_test_) ship in web pages",
        _GENERIC,
        shapes.publishable_key,
    ),
    PrecisionFilter(
        "digest-name",
        "a value bound to a name that says digest or nonce (checksum, token_hash, sha256, etag, csrf, commit)",
        _GENERIC,
        shapes.digest_name,
    ),
    PrecisionFilter(
        "indirect-reference",
        "an expression that reads the secret from elsewhere (os.environ[...], settings.X, get_secret(...))",
        _KEYWORD,
        shapes.indirect_reference,
    ),
    PrecisionFilter(
        "trivial-value",
        "shorter than 10 characters: test and default values (secret, password1, token1, p@ssword)",
        _KEYWORD,
        shapes.trivial_value,
    ),
    PrecisionFilter(
        "human-chosen",
        "words, phrases, names or URLs rather than a machine-made secret (testclient, superS3cret, X-Hub-Signature)",
        _KEYWORD,
        shapes.human_chosen,
    ),
    PrecisionFilter(
        "no-credential-name",
        "a random string not bound to a credential name: digests, ids, signatures, test vectors",
        _ENTROPY,
        shapes.no_credential_name,
    ),
    PrecisionFilter(
        "placeholder-url-password",
        "a documentation password in a URL (user:pass@, guest:guest@) or a template field ({pw}, $DB_PASSWORD)",
        _URL,
        shapes.placeholder_url_password,
    ),
    PrecisionFilter(
        "reserved-host",
        "credentials for a host that never reaches a real service (localhost, example.com, *.test, *.local)",
        _URL,
        shapes.reserved_host,
    ),
    PrecisionFilter(
        "not-a-host-address",
        "a public IP address that names no host the code connects to (prose, versions, resolvers, test vectors)",
        _IP,
        lambda seen: not shapes.public_host_ip(seen.value, seen.window),
    ),
)


def dropped_by(plugin: str, value: str, window: str, path: str, after: str = "") -> str | None:
    """The name of the first filter that removes a value reported by ``plugin``, or None to keep it (``after``:
    what follows a private key's header)."""
    seen = Seen(plugin, value, window, path, after)
    for precision_filter in FILTERS:
        if precision_filter.applies_to(plugin) and precision_filter.drops(seen):
            return precision_filter.name
    return None
