"""The developer-tools provider pack (policies/providers-devtools.toml): its rules are well formed, and each one
finds a token built fresh at run time from the provider's documented shape (prefix, alphabet, length, checksum).

Tokens are assembled here from random bodies, so this file holds no secret-shaped literal (the repository must
pass its own scan). The pack's own examples and negative examples are run by test_pack_examples.py.
"""

from __future__ import annotations

import secrets
import string
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from cavra_safety.config import Config
from cavra_safety.detectors.policy import PolicyDetector, build_policy_detector
from cavra_safety.findings import Finding
from cavra_safety.policy import Policy, RegexRule, load_policy
from cavra_safety.sources import Source

REPO = Path(__file__).resolve().parents[2]
PACK_FILE = "providers-devtools.toml"
PACK_NAME = "cavra-community-providers-devtools"

HEX = "0123456789abcdef"
UPPER_HEX = "0123456789ABCDEF"
DIGITS = string.digits
ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
LETTERS = string.ascii_letters
B64URL = ALNUM + "-_"
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
BASE36 = string.digits + string.ascii_lowercase

# A part is a literal, or (alphabet, length) for a random run.
Part = str | tuple[str, int]
UUID: tuple[Part, ...] = ((HEX, 8), "-", (HEX, 4), "-", (HEX, 4), "-", (HEX, 4), "-", (HEX, 12))

# A message says how to make the leaked value useless.
REMEDY_VERBS = (
    "revoke",
    "rotate",
    "regenerate",
    "delete",
    "reset",
    "disable",
    "refresh",
    "replace",
    "roll",
    "invalidate",
)

# Keywords too short or too common to gate a rule on their own.
COMMON_WORDS = frozenset(
    "key token secret password pass api auth bearer access apikey api_key api-key client user admin config "
    "value data test http https".split()
)


def _encode(number: int, alphabet: str, width: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, len(alphabet))
        digits = alphabet[rest] + digits
    return digits.rjust(width, alphabet[0])


def _crc32_base62(body: str) -> str:
    """GitHub's token checksum (npm uses the same format): CRC32 of the random part, base62, 6 characters."""
    return _encode(zlib.crc32(body.encode()), BASE62, 6)


def _crc32_base36(body: str) -> str:
    """GitLab's routable-token checksum: CRC32 of everything before it, base36, 7 characters."""
    return _encode(zlib.crc32(body.encode()), BASE36, 7)


def _crc32_hex(body: str) -> str:
    """Atlassian's token suffix: CRC32 of everything before it, 8 upper-case hex digits."""
    return f"{zlib.crc32(body.encode()):08X}"


CHECKSUMS = {"crc32-base62": _crc32_base62, "crc32-base36": _crc32_base36, "crc32-hex": _crc32_hex}


@dataclass(frozen=True)
class Shape:
    """A token as the provider documents it, and a line that carries it (``{}`` stands for the token).

    ``checksum`` names a function over the token built so far (``checksum_of="body"``: only the random parts),
    whose result is appended."""

    line: str
    parts: tuple[Part, ...]
    checksum: str | None = None
    checksum_of: str = "token"
    path: str = "deploy/.env"

    def build(self, pick: Callable[[str], str] = secrets.choice) -> str:
        token, body = "", ""
        for part in self.parts:
            if isinstance(part, str):
                token += part
            else:
                alphabet, length = part
                run = "".join(pick(alphabet) for _ in range(length))
                token, body = token + run, body + run
        if self.checksum is not None:
            token += CHECKSUMS[self.checksum](body if self.checksum_of == "body" else token)
        return token


def _s(line: str, *parts: Part | tuple[Part, ...], path: str = "deploy/.env", **kwargs: str) -> Shape:
    """A shape from literal parts, random runs ``(alphabet, length)`` and groups of parts (``UUID``)."""
    flat: list[Part] = []
    for part in parts:
        if isinstance(part, str) or (len(part) == 2 and isinstance(part[1], int)):
            flat.append(part)  # type: ignore[arg-type]
        else:
            flat.extend(part)  # type: ignore[arg-type]
    return Shape(line, tuple(flat), path=path, **kwargs)


# One entry per rule of the pack: how the provider documents the credential, and a line in which it is found.
# Rules whose shape is generic (hex, UUID, base64) name the provider on the line, as their patterns require.
SHAPES: dict[str, Shape] = {
    # source hosting
    "github-fine-grained-pat": _s("GITHUB_TOKEN={}", "github_pat_", (ALNUM, 22), "_", (ALNUM, 59)),
    "github-legacy-token": _s("GITHUB_TOKEN={}", (HEX, 40)),
    "gitlab-routable-token": _s("GITLAB_TOKEN={}", "glpat-", (B64URL, 27), (ALNUM, 3), ".01", checksum="crc32-base36"),
    "gitlab-feature-flag-token": _s("UNLEASH_INSTANCE_ID={}", "glffct-", (B64URL, 18), (ALNUM, 2)),
    "gitlab-session-cookie": _s('curl -b "_gitlab_session={}" https://gitlab.corp/api', (LOWER_ALNUM, 32)),
    "bitbucket-access-token": _s(
        "BITBUCKET_TOKEN={}", "ATCTT3xFfGN0", (B64URL, 170), (ALNUM, 1), "=", checksum="crc32-hex"
    ),
    "bitbucket-app-password": _s("BITBUCKET_APP_PASSWORD={}", "ATBB", (ALNUM, 32)),
    "atlassian-api-token": _s(
        "JIRA_API_TOKEN={}", "ATATT3xFfGF0", (B64URL, 170), (ALNUM, 1), "=", checksum="crc32-hex"
    ),
    "atlassian-legacy-api-token": _s("JIRA_API_TOKEN={}", (ALNUM, 24)),
    "gitea-access-token": _s("GITEA_TOKEN={}", (HEX, 40)),
    "sourcegraph-access-token": _s("SRC_ACCESS_TOKEN={}", "sgp_", (HEX, 16), "_", (HEX, 40)),
    "gitpod-access-token": _s(
        "GITPOD_TOKEN={}", "gitpod_pat_", (B64URL, 42), (ALNUM, 1), ".", (B64URL, 42), (ALNUM, 1)
    ),
    # CI/CD
    "circleci-personal-token": _s("CIRCLE_TOKEN={}", "CCIPAT_", (ALNUM, 22), "_", (HEX, 40)),
    "circleci-legacy-token": _s("CIRCLECI_TOKEN={}", (HEX, 40)),
    "buildkite-api-token": _s("BUILDKITE_API_TOKEN={}", "bkua_", (HEX, 40)),
    "buildkite-legacy-token": _s("BUILDKITE_TOKEN={}", (HEX, 40)),
    "travis-ci-token": _s("TRAVIS_API_TOKEN={}", (ALNUM, 22)),
    "codecov-upload-token": _s("CODECOV_TOKEN={}", UUID),
    "jenkins-api-token": _s("JENKINS_API_TOKEN={}", "11", (HEX, 32)),
    "droneci-token": _s("DRONE_TOKEN={}", (ALNUM, 32)),
    "harness-api-token": _s("HARNESS_API_KEY={}", "pat.", (B64URL, 21), (ALNUM, 1), ".", (HEX, 24), ".", (ALNUM, 20)),
    "octopus-deploy-api-key": _s("OCTOPUS_API_KEY={}", "API-", (UPPER_ALNUM, 27)),
    "teamcity-access-token": _s(
        "TEAMCITY_TOKEN={}", "eyJ0eXAiOiAiVENWMiJ9.", (B64URL, 35), (ALNUM, 1), ".", (B64URL, 47), (ALNUM, 1)
    ),
    # package registries
    "npm-access-token": _s("NPM_TOKEN={}", "npm_", (ALNUM, 30), checksum="crc32-base62", checksum_of="body"),
    "rubygems-api-key": _s("GEM_HOST_API_KEY={}", "rubygems_", (HEX, 48)),
    "nuget-api-key": _s("NUGET_API_KEY={}", "oy2", (LOWER_ALNUM, 43)),
    "clojars-deploy-token": _s("CLOJARS_PASSWORD={}", "CLOJARS_", (LOWER_ALNUM, 60)),
    "packagist-token": _s("PACKAGIST_TOKEN={}", (ALNUM, 20)),
    "hex-api-key": _s("HEX_API_KEY={}", (HEX, 32)),
    "cratesio-api-token": _s("CARGO_REGISTRY_TOKEN={}", "cio", (ALNUM, 32)),
    "jfrog-reference-token": _s("JFROG_ACCESS_TOKEN={}", "cmVmdGtuOjAxOj", (ALNUM, 50)),
    "dockerhub-pat": _s("DOCKERHUB_TOKEN={}", "dckr_pat_", (B64URL, 26), (ALNUM, 1)),
    "dockerhub-org-token": _s("DOCKERHUB_TOKEN={}", "dckr_oat_", (B64URL, 31), (ALNUM, 1)),
    "dockerhub-legacy-token": _s("DOCKERHUB_TOKEN={}", UUID),
    "cloudsmith-api-key": _s("CLOUDSMITH_API_KEY={}", (HEX, 40)),
    "packagecloud-token": _s("PACKAGECLOUD_TOKEN={}", (HEX, 48)),
    "gemfury-token": _s("GEMFURY_TOKEN={}", (ALNUM, 20)),
    "gradle-plugin-portal-key": _s("gradle.publish.secret={}", (ALNUM, 32), path="gradle.properties"),
    "develocity-access-key": _s("DEVELOCITY_ACCESS_KEY=ge.corp.dev={}", (LOWER_ALNUM, 52)),
    "quay-robot-token": _s("QUAY_ROBOT_TOKEN={}", (UPPER_ALNUM, 64)),
    # observability
    "grafana-cloud-token": _s("GRAFANA_CLOUD_TOKEN={}", "glc_eyJvIjoi", (ALNUM, 100), "fQ=="),
    "grafana-service-account-token": _s("GRAFANA_TOKEN={}", "glsa_", (ALNUM, 32), "_", (HEX, 8)),
    "grafana-legacy-api-key": _s("GRAFANA_API_KEY={}", "eyJrIjoi", (ALNUM, 92), "fQ=="),
    "sentry-org-token": _s("SENTRY_AUTH_TOKEN={}", "sntrys_eyJpYXQiO", (ALNUM, 150), "_", (ALNUM, 43)),
    "sentry-user-token": _s("SENTRY_AUTH_TOKEN={}", "sntryu_", (HEX, 64)),
    "sentry-legacy-token": _s("SENTRY_AUTH_TOKEN={}", (HEX, 64)),
    "sentry-dsn-secret": _s("SENTRY_DSN=https://{}@o1.ingest.sentry.io/42", (HEX, 32), ":", (HEX, 32)),
    "datadog-api-key": _s("DATADOG_API_KEY={}", (HEX, 32)),
    "datadog-app-key": _s("DD_APP_KEY={}", (HEX, 40)),
    "newrelic-user-key": _s("NEW_RELIC_API_KEY={}", "NRAK-", (UPPER_ALNUM, 27)),
    "newrelic-browser-key": _s("NEW_RELIC_BROWSER_KEY={}", "NRJS-", (HEX, 19), path="deploy/browser.env"),
    "newrelic-insights-key": _s("NEW_RELIC_INSERT_KEY={}", "NRII-", (B64URL, 31), (ALNUM, 1)),
    "newrelic-admin-key": _s("NEW_RELIC_ADMIN_KEY={}", "NRAA-", (HEX, 27)),
    "newrelic-license-key": _s("NEW_RELIC_LICENSE_KEY={}", (HEX, 36), "NRAL"),
    "dynatrace-token": _s("DT_API_TOKEN={}", "dt0c01.", (UPPER_ALNUM, 24), ".", (UPPER_ALNUM, 64)),
    "honeycomb-api-key": _s("HONEYCOMB_API_KEY={}", "hcaik_01", (LOWER_ALNUM, 56)),
    "honeycomb-legacy-key": _s("HONEYCOMB_API_KEY={}", (HEX, 32)),
    "rollbar-access-token": _s("ROLLBAR_ACCESS_TOKEN={}", (HEX, 32)),
    "bugsnag-api-key": _s("BUGSNAG_API_KEY={}", (HEX, 32)),
    "loggly-token": _s("LOGGLY_TOKEN={}", UUID),
    "logzio-token": _s("LOGZIO_TOKEN={}", (LETTERS, 32)),
    "elastic-api-key": _s("ELASTIC_API_KEY={}", (ALNUM, 58), "=="),
    "splunk-hec-token": _s("SPLUNK_HEC_TOKEN={}", UUID),
    "sumologic-access-key": _s("SUMO_ACCESS_KEY={}", (ALNUM, 64)),
    "sumologic-collector-url": _s(
        "SUMO_URL=https://endpoint4.collection.sumologic.com/receiver/v1/http/{}", (B64URL, 79), (ALNUM, 1)
    ),
    "axiom-token": _s("AXIOM_TOKEN={}", "xaat-", UUID),
    "coralogix-key": _s("CORALOGIX_PRIVATE_KEY={}", "cxtp_", (ALNUM, 30)),
    "mezmo-ingestion-key": _s("MEZMO_INGESTION_KEY={}", (HEX, 32)),
    "appsignal-push-key": _s("APPSIGNAL_PUSH_API_KEY={}", UUID),
    "airbrake-project-key": _s("AIRBRAKE_PROJECT_KEY={}", (HEX, 32)),
    "influxdb-token": _s("INFLUXDB_TOKEN={}", (B64URL, 85), (ALNUM, 1), "=="),
    "uptimerobot-api-key": _s("UPTIMEROBOT_API_KEY={}", "u", (DIGITS, 7), "-", (HEX, 24)),
    # issue trackers
    "linear-api-key": _s("LINEAR_API_KEY={}", "lin_api_", (ALNUM, 40)),
    "linear-oauth-token": _s("LINEAR_TOKEN={}", "lin_oauth_", (HEX, 64)),
    "asana-pat": _s("ASANA_ACCESS_TOKEN={}", "2/", (DIGITS, 16), "/", (DIGITS, 16), ":", (HEX, 32)),
    "clickup-pat": _s("CLICKUP_TOKEN={}", "pk_", (DIGITS, 8), "_", (UPPER_ALNUM, 32)),
    "shortcut-api-token": _s("SHORTCUT_API_TOKEN={}", UUID),
    "youtrack-permanent-token": _s("YOUTRACK_TOKEN={}", "perm:", (ALNUM, 12), ".", (ALNUM, 8), ".", (ALNUM, 30)),
    "trello-token": _s("TRELLO_TOKEN={}", "ATTA", (HEX, 64), (UPPER_HEX, 8)),
    "pivotaltracker-token": _s("PIVOTAL_TRACKER_TOKEN={}", (HEX, 32)),
    # feature flags
    "launchdarkly-access-token": _s("LAUNCHDARKLY_ACCESS_TOKEN={}", "api-", UUID),
    "launchdarkly-sdk-key": _s("LD_SDK_KEY={}", "sdk-", UUID),
    "launchdarkly-mobile-key": _s("LD_MOBILE_KEY={}", "mob-", UUID),
    "configcat-sdk-key": _s("CONFIGCAT_SDK_KEY={}", "configcat-sdk-1/", (B64URL, 21), (ALNUM, 1), "/", (ALNUM, 22)),
    "flagsmith-server-key": _s("FLAGSMITH_ENVIRONMENT_KEY={}", "ser.", (ALNUM, 22)),
    "unleash-api-token": _s("UNLEASH_API_TOKEN={}", "default:production.", (HEX, 56)),
    "statsig-server-secret": _s("STATSIG_SERVER_SECRET={}", "secret-", (ALNUM, 43)),
    "posthog-personal-key": _s("POSTHOG_PERSONAL_API_KEY={}", "phx_", (ALNUM, 43)),
    "posthog-project-key": _s("POSTHOG_PROJECT_API_KEY={}", "phc_", (ALNUM, 43)),
    # developer platforms and tools
    "postman-api-key": _s("POSTMAN_API_KEY={}", "PMAK-", (HEX, 24), "-", (HEX, 34)),
    "figma-pat": _s("FIGMA_TOKEN={}", "figd_", (B64URL, 39), (ALNUM, 1)),
    "readme-api-key": _s("README_API_KEY={}", "rdme_", (LOWER_ALNUM, 70)),
    "prefect-api-key": _s("PREFECT_API_KEY={}", "pnu_", (ALNUM, 36)),
    "snyk-api-token": _s("SNYK_TOKEN={}", UUID),
    "sonarqube-token": _s("SONAR_TOKEN={}", "squ_", (HEX, 40)),
    "sonarqube-legacy-token": _s("SONAR_TOKEN={}", (HEX, 40)),
    "codacy-api-token": _s("CODACY_PROJECT_TOKEN={}", (ALNUM, 32)),
    "coveralls-repo-token": _s("COVERALLS_REPO_TOKEN={}", (ALNUM, 32)),
    "okta-api-token": _s(
        'curl -H "Authorization: SSWS {}" https://<org>.okta.com/api/v1/users', "00", (B64URL, 39), (ALNUM, 1)
    ),
    "frameio-token": _s("FRAMEIO_TOKEN={}", "fio-u-", (B64URL, 63), (ALNUM, 1)),
    "sidekiq-enterprise-credential": _s("BUNDLE_ENTERPRISE__CONTRIBSYS__COM={}", (HEX, 8), ":", (HEX, 8)),
    "cypress-record-key": _s("CYPRESS_RECORD_KEY={}", UUID),
    "percy-token": _s("PERCY_TOKEN={}", "web_", (HEX, 64)),
    "browserstack-access-key": _s("BROWSERSTACK_ACCESS_KEY={}", (ALNUM, 20)),
    "saucelabs-access-key": _s("SAUCE_ACCESS_KEY={}", UUID),
    "rapidapi-key": _s('headers = {"X-RapidAPI-Key": "{}"}', (ALNUM, 50), path="tools/rapid.py"),
    "stackhawk-api-key": _s("HAWK_API_KEY={}", "hawk.", (ALNUM, 20), ".", (ALNUM, 20)),
    "buildbuddy-api-key": _s("BUILDBUDDY_API_KEY={}", (ALNUM, 20)),
}


def _pack() -> Policy:
    return load_policy(Config(root=REPO))


@pytest.fixture(scope="module")
def policy() -> Policy:
    return _pack()


@pytest.fixture(scope="module")
def detector(policy: Policy) -> PolicyDetector:
    return build_policy_detector(Config(root=REPO), policy)


def _pack_rules(policy: Policy) -> list[RegexRule]:
    rules = [rule for rule in policy.rules if rule.pack == PACK_NAME]
    assert all(isinstance(rule, RegexRule) for rule in rules)
    return [rule for rule in rules if isinstance(rule, RegexRule)]


def test_pack_is_public_and_wide(policy: Policy) -> None:
    rules = _pack_rules(policy)
    assert len(rules) >= 90, f"{PACK_FILE} has {len(rules)} rules"
    assert all(rule.source.endswith(PACK_FILE) for rule in rules)
    assert {rule.id for rule in rules} == set(SHAPES), "every rule needs a shape here, and every shape a rule"


def _rule_params() -> list[object]:
    return [pytest.param(rule, id=rule.id) for rule in _pack_rules(_pack())]


@pytest.mark.parametrize("rule", _rule_params())
def test_rule_is_well_formed(rule: RegexRule) -> None:
    assert len(rule.examples) >= 2, "at least two examples"
    assert len(rule.negative_examples) >= 3, "at least three negative examples"
    assert len({example.path for example in rule.examples}) >= 2, "examples in at least two file types"
    for keyword in rule.keywords:
        assert len(keyword) >= 3 and keyword not in COMMON_WORDS, f"keyword {keyword!r} is too common"
    provider = rule.id.split("-", 1)[0]
    title = "".join(ch for ch in rule.info.title.lower() if ch.isalnum())
    assert provider in title, f"title {rule.info.title!r} does not name the provider {provider!r}"
    assert any(verb in rule.message.lower() for verb in REMEDY_VERBS), "the message says how to revoke it"
    assert "(?P<secret>" in "".join(pattern.source for pattern in rule.patterns)


def _shape_params() -> list[object]:
    return [pytest.param(rule_id, shape, id=rule_id) for rule_id, shape in SHAPES.items()]


def _kept_token(policy: Policy, rule_id: str, shape: Shape) -> str:
    """A fresh token of ``shape`` that the rule's own value filter keeps. A random draw can look like what a
    rule lets through as a name (``^(?:[A-Z]?[a-z]+)+[0-9]{0,4}$``: about 1 draw in 7,000 of 20 letters and
    digits): such a draw is drawn again, so that the test fails only when the rule misses a value it keeps."""
    rule = next(rule for rule in policy.rules if rule.id == rule_id)
    return next(token for token in (shape.build() for _ in range(200)) if rule.values.accepts(token))


@pytest.mark.parametrize(("rule_id", "shape"), _shape_params())
def test_fresh_random_token_is_found(policy: Policy, detector: PolicyDetector, rule_id: str, shape: Shape) -> None:
    token = _kept_token(policy, rule_id, shape)
    line = shape.line.replace("{}", token)
    found = [
        item
        for item in detector.detect(Source(path=shape.path, text=line + "\n"))
        if isinstance(item, Finding) and item.rule_id == f"policy/{rule_id}"
    ]
    assert found, f"policy/{rule_id} misses a fresh token of its documented shape in {shape.path}"
    assert found[0].column <= line.index(token) + 1 + len(token)


@pytest.mark.parametrize(("rule_id", "shape"), _shape_params())
def test_truncated_token_is_not_found(detector: PolicyDetector, rule_id: str, shape: Shape) -> None:
    """A token cut to half its length (a copy-paste fragment in docs) is no credential of the full shape."""
    token = shape.build()
    half = token[: max(1, len(token) // 2)]
    line = shape.line.replace("{}", half + "...")
    found = [
        item
        for item in detector.detect(Source(path=shape.path, text=line + "\n"))
        if isinstance(item, Finding) and item.rule_id == f"policy/{rule_id}"
    ]
    assert not found, f"policy/{rule_id} reports a truncated value"
