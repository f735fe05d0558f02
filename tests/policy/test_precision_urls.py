"""Precision of the URL rules on the false alarms real repositories showed (issue 13, point 6).

Each case is one kind of false alarm, written as a real file under ``tmp_path`` and run through the default
policy: the false alarm (``quiet``) yields nothing from the URL and database-URL rules, and a real-looking value in
the same place and file (``loud``) is still reported by the rule named. Both halves are needed: a filter that
silences the rule everywhere passes the first half only.

Secret-shaped text carries a ``§`` inside its value or its ``://``, removed before the file is written, so that
this file passes the repository's own scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from pack_fixtures import default_policy_detector, findings_in_file

from cavra_safety.config import Config
from cavra_safety.detectors.policy import PolicyDetector
from cavra_safety.findings import Severity
from cavra_safety.policy import load_policy

REPO = Path(__file__).resolve().parents[2]

# The rules this suite is about: a false alarm must not move from one of them to another.
URL_RULES = frozenset(
    f"policy/{rule}" for rule in ("internal-host-url", "private-ip-url", "credentials-in-url", "database-url-password")
)


@dataclass(frozen=True)
class Pair:
    """``quiet`` at ``path`` yields none of ``URL_RULES``; ``loud`` at the same path yields ``rule``."""

    kind: str
    rule: str
    path: str
    quiet: str
    loud: str


PAIRS: tuple[Pair, ...] = (
    # Kubernetes in-cluster service DNS names a service of the cluster, nothing outside it
    Pair(
        "cluster-local-service",
        "internal-host-url",
        "deploy/values.yaml",
        "api:\n  url: http://tenants-api.platform.svc.cluster.lo§cal:8080/tenants\n",
        "api:\n  url: http://tenants-api.platform.cavra.inter§nal:8080/tenants\n",
    ),
    Pair(
        "cluster-service-host-setting",
        "internal-host-url",
        "deploy/values.yaml",
        "redis:\n  host: redis-master.cache.s§vc\n",
        "redis:\n  host: redis-master.cache.cavra.co§rp\n",
    ),
    # dummy https://<app>.local base URLs and .local (mDNS) dev host names
    Pair(
        "app-local-base-url",
        "internal-host-url",
        "web/src/config.ts",
        'export const BASE_URL = "https://billing.myapp.lo§cal";\n',
        'export const BASE_URL = "https://billing.cavra.intra§net";\n',
    ),
    Pair(
        "local-dev-host",
        "internal-host-url",
        "docker-compose.yml",
        "services:\n  web:\n    environment:\n      API_URL: http://api.cavra.lo§cal:8080\n",
        "services:\n  web:\n    environment:\n      API_URL: http://api.cavra.l§an:8080\n",
    ),
    # reserved names (RFC 2606 / 6761 / 8375)
    Pair(
        "reserved-test-name",
        "internal-host-url",
        "deploy/.env",
        "API_URL=http://api.cavra.te§st/v1\n",
        "API_URL=http://api.cavra.inter§nal/v1\n",
    ),
    Pair(
        "home-network-name",
        "internal-host-url",
        "deploy/.env",
        "ROUTER=http://router.home.ar§pa/\n",
        "ROUTER=http://router.cavra.co§rp/\n",
    ),
    # a generic name under a private suffix names no organisation
    Pair(
        "generic-internal-name",
        "internal-host-url",
        "docker-compose.yml",
        "API_URL=http://api.inter§nal:8080\n",
        "API_URL=http://api.cavra.inter§nal:8080\n",
    ),
    # private addresses in documentation are examples; a credential in the same URL is still reported
    Pair(
        "private-ip-in-docs",
        "credentials-in-url",
        "docs/deploy.md",
        "Point the agent at `http://192.168.7.1§0:8080`.\n",
        "Point the agent at `http:/§/agent:Tn1Wy5Kc7Dh2@192.168.7.10:8080`.\n",
    ),
    # routers' factory admin addresses and developer tools' fixed addresses
    Pair(
        "router-default-address",
        "private-ip-url",
        "deploy/.env",
        "ROUTER_URL=http://192.168§.1.1/admin\n",
        "ROUTER_URL=http://192.168§.1.17/admin\n",
    ),
    Pair(
        "docker-bridge-address",
        "private-ip-url",
        "docker-compose.yml",
        "HOST_URL=http://172.17§.0.1:8080\n",
        "HOST_URL=http://172.20§.3.14:8080\n",
    ),
    Pair(
        "android-emulator-host",
        "private-ip-url",
        "app/src/api.js",
        'const API = "http://10.0§.2.2:3000";\n',
        'const API = "http://10.12§.4.7:3000";\n',
    ),
    # dev and CI default database URLs; a random-looking password on the same host is reported
    Pair(
        "ci-default-database-url",
        "database-url-password",
        ".github/workflows/ci.yml",
        "env:\n  DATABASE_URL: postgres:/§/postgres:postgres@postgres:5432/test\n",
        "env:\n  DATABASE_URL: postgres:/§/postgres:Xk29fjQ8zLm4@postgres:5432/test\n",
    ),
    Pair(
        "compose-root-password",
        "database-url-password",
        "docker-compose.yml",
        "      DATABASE_URL: mysql:/§/root:root@db:3306/app\n",
        "      DATABASE_URL: mysql:/§/root:Wy5Kc7Dh2Qm2@db:3306/app\n",
    ),
    Pair(
        "localhost-word-password",
        "database-url-password",
        "deploy/.env",
        "DATABASE_URL=postgres:/§/cavra:mysecretpassword@localhost:5432/cavra\n",
        "DATABASE_URL=postgres:/§/cavra:Xk29fjQ8zLm4@localhost:5432/cavra\n",
    ),
    Pair(
        "cluster-word-password",
        "database-url-password",
        "deploy/values.yaml",
        "  uri: postgresql:/§/airflow:airflow@pg.default.svc.cluster.local/airflow\n",
        "  uri: postgresql:/§/airflow:Qm2Lp8Zr3Xv6@pg.default.svc.cluster.local/airflow\n",
    ),
    # placeholder credentials in URLs, on any host
    Pair(
        "secret-password-placeholder",
        "credentials-in-url",
        "docs/ci.md",
        "git clone https:/§/user:secret-password@git.cavra.io/platform/billing.git\n",
        "git clone https:/§/user:Zr3Xv6Tn1Wy5@git.cavra.io/platform/billing.git\n",
    ),
    Pair(
        "one-letter-credentials",
        "credentials-in-url",
        "docs/proxy.md",
        "HTTP_PROXY=http:/§/a:b@proxy.cavra.io:3128\n",
        "HTTP_PROXY=http:/§/a:Zr3Xv6Tn1Wy5@proxy.cavra.io:3128\n",
    ),
    Pair(
        "trivial-token-password",
        "credentials-in-url",
        "tools/sync.py",
        'client.get("https:/§/ci:token1@git.cavra.io/api")\n',
        'client.get("https:/§/ci:Kc7Dh2Qm2Lp8@git.cavra.io/api")\n',
    ),
    Pair(
        "foo-bar-credentials",
        "credentials-in-url",
        "docs/mirror.md",
        "MIRROR=http:/§/foo:bar@mirror.cavra.io/simple/\n",
        "MIRROR=http:/§/foo:Lp8Zr3Xv6Tn1@mirror.cavra.io/simple/\n",
    ),
    Pair(
        "database-placeholder-on-real-host",
        "database-url-password",
        "docs/redis.md",
        "REDIS_URL=redis:/§/default:secret-password@cache.prod.cavra.io:6379/0\n",
        "REDIS_URL=redis:/§/default:Kc7Dh2Qm2Lp8@cache.prod.cavra.io:6379/0\n",
    ),
    Pair(
        "localhost-admin-default",
        "credentials-in-url",
        "docker-compose.yml",
        "GRAFANA_URL=http:/§/admin:admin@localhost:3000\n",
        "GRAFANA_URL=http:/§/admin:Tn1Wy5Kc7Dh2@localhost:3000\n",
    ),
    # a Keycloak on a developer's own host names no customer's realm
    Pair(
        "keycloak-dev-realm",
        "identity-provider-tenant-url",
        "docker-compose.yml",
        "OIDC_ISSUER=http://localhost:8080/realms/umbrella-prod§\n",
        "OIDC_ISSUER=https://sso.cavra.io/realms/umbrella-prod§\n",
    ),
)


@pytest.fixture(scope="module")
def detector() -> PolicyDetector:
    return default_policy_detector()


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair.kind)
def test_false_alarm_is_not_reported(detector: PolicyDetector, tmp_path: Path, pair: Pair) -> None:
    found = findings_in_file(detector, tmp_path, pair.path, pair.quiet)
    assert [(f.rule_id, f.line, f.redacted) for f in found if f.rule_id in URL_RULES] == []


@pytest.mark.parametrize("pair", PAIRS, ids=lambda pair: pair.kind)
def test_real_looking_value_in_the_same_place_is_reported(detector: PolicyDetector, tmp_path: Path, pair: Pair) -> None:
    found = findings_in_file(detector, tmp_path, pair.path, pair.loud)
    last_line = pair.loud.rstrip("\n").count("\n") + 1
    assert [(f.rule_id, f.line) for f in found if f.rule_id == f"policy/{pair.rule}"] == [
        (f"policy/{pair.rule}", last_line)
    ]


@pytest.mark.parametrize("topology", ["internal-host-url", "private-ip-url"])
@pytest.mark.parametrize("credential", ["credentials-in-url", "database-url-password"])
def test_topology_ranks_below_credentials(topology: str, credential: str) -> None:
    """A host name or an address is informational; a password in a URL is a secret."""
    policy = load_policy(Config(root=REPO))
    low, high = policy.find_rule(topology), policy.find_rule(credential)
    assert low is not None and high is not None
    assert low.info.severity < Severity.MEDIUM < high.info.severity
