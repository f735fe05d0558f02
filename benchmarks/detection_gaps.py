"""Hand-written cases of the known gaps of issue 13 ("What we miss most"), the detection benchmark's second corpus.

Each case is a small file in the format where the gap was seen (an htpasswd file, a Laravel ``.env``, a
``wp-config.php``, a ``.netrc``, a curl command in a README, ...), written from the public documentation of the
format, with the one line that must be reported and the category it belongs to (DESIGN section 2). The
secret-shaped values are drawn here from a seeded generator with each provider's documented prefix, length and
alphabet (never written literally, so the repository passes its own scan). Negatives are the same files with a
placeholder, a documented example key or a value read from the environment. Most positives are missed today:
that is the point, they measure the gaps.
"""

from __future__ import annotations

import base64
import random
import string

from detection_corpus import Case

SEED = 20261203
ALNUM = string.ascii_letters + string.digits
UPPER = string.ascii_uppercase + string.digits
LOWER = string.ascii_lowercase + string.digits
HEX = "0123456789abcdef"
B64 = ALNUM + "+/"
URLSAFE = ALNUM + "-_"
CRYPT = "./" + ALNUM  # the crypt(3) / bcrypt alphabet

CREDENTIAL, URL, WEBHOOK = "connector-credential", "provider-url", "webhook-secret"
BILLING, LICENSE = "billing-secret", "license-key"
SAAS, ENTERPRISE, TENANT_ID, RECORD = "saas-backend-source", "enterprise-implementation", "tenant-id", "tenant-record"


class _Values:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def __call__(self, alphabet: str, length: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(length))

    def password(self) -> str:
        return self(string.ascii_letters, 6) + self(string.digits, 3) + self("!#%^*-", 1) + self(ALNUM, 6)


def _case(family: str, category: str | None, path: str, before: str, line: str, after: str = "") -> Case:
    at = before.count("\n")
    group = category or _GROUPS.get(family.split("/")[0], CREDENTIAL)
    return Case(family, category, before + line + "\n" + after, path, "gap", group, hit=(at, at))


_GROUPS = {
    "section-key": BILLING,
    "nested-key": BILLING,
    "tenant-file": RECORD,
    "js-private-import": SAAS,
    "sql-tenant-isolation": SAAS,
    "enterprise-banner": ENTERPRISE,
    "real-code": URL,
}


def gap_cases() -> list[Case]:
    v = _Values(SEED)
    pw = v.password
    cases: list[Case] = []
    add = cases.append

    # password hashes: htpasswd (bcrypt, apr1), shadow (sha512-crypt), Django fixtures are covered elsewhere
    add(_case("password-hash/bcrypt", CREDENTIAL, "deploy/.htpasswd", "", "admin:$" + "2y$10$" + v(CRYPT, 53)))
    add(
        _case(
            "password-hash/apr1", CREDENTIAL, "nginx/htpasswd", "", "ops:$" + "apr1$" + v(CRYPT, 8) + "$" + v(CRYPT, 22)
        )
    )
    shadow = "deploy:$" + "6$" + v(CRYPT, 16) + "$" + v(CRYPT, 86) + ":19700:0:99999:7:::"
    add(_case("password-hash/sha512-crypt", CREDENTIAL, "image/etc/shadow", "root:*:19700:0:99999:7:::\n", shadow))
    add(
        _case(
            "password-hash/bcrypt",
            CREDENTIAL,
            "seed/users.sql",
            "-- seed\n",
            "INSERT INTO users (email, password_hash) VALUES ('ops@acme-corp.io', '$" + "2b$12$" + v(CRYPT, 53) + "');",
        )
    )
    add(
        _case(
            "password-hash/bcrypt",
            None,
            "docs/auth.md",
            "# Hashes\n\n",
            "A bcrypt hash looks like `$2b$12$<53 characters>`.",
        )
    )

    # Azure
    add(
        _case(
            "azure/ad-client-secret",
            CREDENTIAL,
            "deploy/.env",
            "AZURE_TENANT_ID=common\n",
            "AZURE_CLIENT_SECRET=" + v(ALNUM, 3) + "8Q" + "~" + v(ALNUM + "~_.-", 34),
        )
    )
    add(
        _case(
            "azure/devops-pat",
            CREDENTIAL,
            "azure-pipelines.yml",
            "variables:\n",
            "  AZURE_DEVOPS_PAT: " + v("abcdefghijklmnopqrstuvwxyz234567", 52),
        )
    )
    sas = "sv=2022-11-02&ss=b&srt=o&sp=r&se=2027-01-01T00:00:00Z&sig=" + v(ALNUM, 43) + "%3D"
    add(
        _case(
            "azure/sas-url",
            URL,
            "scripts/fetch.py",
            "import requests\n\n",
            f'BLOB = "https://acmedata.blob.core.windows.net/exports/latest.csv?{sas}"',
        )
    )
    add(
        _case(
            "azure/cosmos-key",
            CREDENTIAL,
            "appsettings.json",
            '{\n  "Cosmos": {\n',
            '    "ConnectionString": "AccountEndpoint=https://acme.documents.azure.com:443/;AccountKey='
            + v(B64, 86)
            + '==;"',
            "  }\n}\n",
        )
    )
    add(_case("azure/ad-client-secret", None, "deploy/.env", "", "AZURE_CLIENT_SECRET=${AZURE_CLIENT_SECRET}"))

    # curl and Authorization headers
    add(
        _case(
            "http-auth/curl-u",
            CREDENTIAL,
            "scripts/backup.sh",
            "#!/bin/sh\nset -eu\n",
            "curl -u admin:" + pw() + " https://ci.acme-corp.io/api/backup -o backup.tgz",
        )
    )
    add(
        _case(
            "http-auth/bearer",
            CREDENTIAL,
            "docs/api.md",
            "# API\n\n```sh\n",
            'curl -H "Authorization: Bearer ' + v(ALNUM, 40) + '" https://api.acme-corp.io/v1/items',
            "```\n",
        )
    )
    basic = base64.b64encode(("deploy:" + pw()).encode()).decode()
    add(
        _case(
            "http-auth/basic",
            CREDENTIAL,
            "README.md",
            "# Usage\n\n    ",
            "curl -H 'Authorization: Basic " + basic + "' https://registry.acme-corp.io/v2/_catalog",
        )
    )
    add(
        _case(
            "http-auth/token",
            CREDENTIAL,
            "requests/items.http",
            "GET https://api.acme-corp.io/v1/items\n",
            "Authorization: Token " + v(HEX, 40),
        )
    )
    add(
        _case(
            "http-auth/bearer",
            CREDENTIAL,
            "web/src/client.js",
            "export async function items() {\n",
            '  return fetch("/v1/items", { headers: { Authorization: "Bearer ' + v(URLSAFE, 48) + '" } });',
            "}\n",
        )
    )
    add(
        _case(
            "http-auth/bearer",
            None,
            "docs/api.md",
            "# API\n\n",
            'curl -H "Authorization: Bearer $API_TOKEN" https://api.acme-corp.io',
        )
    )
    add(
        _case(
            "http-auth/curl-u",
            None,
            "scripts/backup.sh",
            "",
            'curl -u "$CI_USER:$CI_TOKEN" https://ci.acme-corp.io/api',
        )
    )

    # tokens in URLs (IoT and API services)
    add(
        _case(
            "url-token/query-api-key",
            URL,
            "firmware/sensor.ino",
            "#include <WiFi.h>\n",
            'const char* url = "http://api.thingspeak.com/update?api_key=' + v(UPPER, 16) + '&field1=";',
        )
    )
    add(
        _case(
            "url-token/path-key",
            URL,
            "automations/notify.py",
            "import requests\n\n",
            'requests.post("https://maker.ifttt.com/trigger/door_open/with/key/' + v(URLSAFE, 22) + '")',
        )
    )
    add(
        _case(
            "url-token/access-token",
            URL,
            "config/stream.yaml",
            "stream:\n",
            "  url: wss://stream.acme-corp.io/v2/live?access_token=" + v(HEX, 40),
        )
    )
    add(
        _case(
            "url-token/query-api-key",
            None,
            "docs/iot.md",
            "",
            "Call `https://api.thingspeak.com/update?api_key=<WRITE_API_KEY>&field1=0`.",
        )
    )

    # frontend environment variables
    add(
        _case(
            "frontend-env/react-app",
            CREDENTIAL,
            "web/.env.production",
            "REACT_APP_API_URL=https://api.acme-corp.io\n",
            "REACT_APP_API_SECRET=" + v(ALNUM, 40),
        )
    )
    add(_case("frontend-env/vite", CREDENTIAL, "web/.env.local", "", "VITE_ADMIN_TOKEN=" + v(HEX, 32)))
    add(_case("frontend-env/vue-app", CREDENTIAL, "web/.env", "", "VUE_APP_PRIVATE_KEY=" + v(ALNUM, 48)))
    add(_case("frontend-env/react-app", None, "web/.env.production", "", "REACT_APP_API_URL=https://api.acme-corp.io"))

    # well-known credential files by name
    add(
        _case(
            "credential-file/netrc",
            CREDENTIAL,
            "home/.netrc",
            "machine api.heroku.com\n  login ops@acme-corp.io\n",
            "  password " + v(HEX, 8) + "-" + v(HEX, 4) + "-" + v(HEX, 4) + "-" + v(HEX, 4) + "-" + v(HEX, 12),
        )
    )
    add(
        _case(
            "credential-file/git-credentials",
            URL,
            "home/.git-credentials",
            "",
            "https://jdoe:" + pw() + "@git.acme-corp.io",
        )
    )
    add(_case("credential-file/pgpass", CREDENTIAL, "home/.pgpass", "", "db.acme-corp.io:5432:app:app:" + pw()))
    aws = "[default]\naws_access_key_id = " + "AK" + "IA" + v(UPPER, 16) + "\n"
    add(
        _case(
            "credential-file/aws-credentials",
            CREDENTIAL,
            "home/.aws/credentials",
            aws,
            "aws_secret_access_key = " + v(B64, 40),
        )
    )
    docker = '{\n  "auths": {\n    "registry.acme-corp.io": {\n'
    add(
        _case(
            "credential-file/docker-config",
            CREDENTIAL,
            "home/.docker/config.json",
            docker,
            '      "auth": "' + base64.b64encode(("ci:" + pw()).encode()).decode() + '"',
            "    }\n  }\n}\n",
        )
    )
    add(
        _case(
            "credential-file/npmrc",
            CREDENTIAL,
            "web/.npmrc",
            "registry=https://npm.acme-corp.io/\n",
            "//npm.acme-corp.io/:_password=" + base64.b64encode(pw().encode()).decode(),
        )
    )
    add(
        _case(
            "credential-file/pypirc",
            CREDENTIAL,
            "home/.pypirc",
            "[distutils]\nindex-servers = private\n\n[private]\n"
            "repository = https://pypi.acme-corp.io/\nusername = deploy\n",
            "password = " + pw(),
        )
    )
    add(
        _case(
            "credential-file/aws-credentials",
            None,
            "home/.aws/credentials",
            "[default]\n",
            "aws_access_key_id = " + "AK" + "IA" + "IOSFODNN7" + "EXAMPLE",
        )
    )

    # Laravel .env and WordPress wp-config.php
    laravel = "APP_NAME=Shop\nAPP_ENV=production\n"
    add(
        _case(
            "laravel-env/app-key",
            CREDENTIAL,
            "shop/.env",
            laravel,
            "APP_KEY=base64:" + base64.b64encode(v.rng.randbytes(32)).decode(),
        )
    )
    add(
        _case(
            "laravel-env/db-password",
            CREDENTIAL,
            "shop/.env",
            laravel + "DB_CONNECTION=mysql\nDB_USERNAME=shop\n",
            "DB_PASSWORD=" + pw(),
        )
    )
    add(
        _case(
            "laravel-env/mail-password",
            CREDENTIAL,
            "shop/.env",
            laravel + "MAIL_USERNAME=shop@acme-corp.io\n",
            "MAIL_PASSWORD=" + pw(),
        )
    )
    add(
        _case(
            "laravel-env/pusher-secret",
            CREDENTIAL,
            "shop/.env",
            laravel + "PUSHER_APP_ID=1234567\n",
            "PUSHER_APP_SECRET=" + v(LOWER, 20),
        )
    )
    add(_case("laravel-env/db-password", None, "shop/.env.example", laravel, "DB_PASSWORD="))
    wp = "<?php\ndefine( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', 'wp' );\n"
    add(
        _case("wp-config/db-password", CREDENTIAL, "site/wp-config.php", wp, "define( 'DB_PASSWORD', '" + pw() + "' );")
    )
    add(
        _case(
            "wp-config/auth-key",
            CREDENTIAL,
            "site/wp-config.php",
            wp,
            "define( 'AUTH_KEY', '" + v(ALNUM + "!@#%^*()-_[]{}<>~+=,.;:/?|", 64) + "' );",
        )
    )
    add(
        _case(
            "wp-config/db-password", None, "site/wp-config-sample.php", wp, "define( 'DB_PASSWORD', 'password_here' );"
        )
    )

    # connection strings (ADO.NET, ODBC, JDBC), build-tool credentials, plain passwords in config
    add(
        _case(
            "connection-string/ado-net",
            CREDENTIAL,
            "src/Api/appsettings.json",
            '{\n  "ConnectionStrings": {\n',
            '    "Main": "Server=sql.acme-corp.io;Database=shop;User Id=shop;Password=' + pw() + ';"',
            "  }\n}\n",
        )
    )
    add(
        _case(
            "connection-string/odbc",
            CREDENTIAL,
            "config/odbc.ini",
            "[shop]\n",
            "ConnectionString = Driver={ODBC Driver 18 for SQL Server};Server=sql.acme-corp.io;Uid=shop;Pwd="
            + pw()
            + ";",
        )
    )
    add(
        _case(
            "connection-string/jdbc",
            CREDENTIAL,
            "src/main/resources/db.properties",
            "db.driver=com.microsoft.sqlserver.jdbc.SQLServerDriver\n",
            "db.url=jdbc:sqlserver://sql.acme-corp.io:1433;databaseName=shop;user=shop;password=" + pw(),
        )
    )
    add(
        _case(
            "connection-string/web-config",
            CREDENTIAL,
            "site/Web.config",
            "<configuration>\n  <connectionStrings>\n",
            '    <add name="Main" connectionString="Data Source=sql01;Initial Catalog=shop;User ID=sa;Password='
            + pw()
            + '" />',
            "  </connectionStrings>\n</configuration>\n",
        )
    )
    add(
        _case(
            "build-credentials/gradle",
            CREDENTIAL,
            "build.gradle",
            "repositories {\n  maven {\n    url 'https://maven.acme-corp.io/releases'\n"
            "    credentials {\n      username 'deploy'\n",
            "      password '" + pw() + "'",
            "    }\n  }\n}\n",
        )
    )
    add(
        _case(
            "build-credentials/maven",
            CREDENTIAL,
            "ci/settings.xml",
            "<settings>\n  <servers>\n    <server>\n      <id>releases</id>\n      <username>deploy</username>\n",
            "      <password>" + pw() + "</password>",
            "    </server>\n  </servers>\n</settings>\n",
        )
    )
    add(
        _case(
            "plain-password/json",
            CREDENTIAL,
            "config/database.json",
            '{\n  "host": "db.acme-corp.io",\n  "user": "shop",\n',
            '  "password": "' + pw() + '"',
            "}\n",
        )
    )
    add(
        _case(
            "plain-password/yaml",
            CREDENTIAL,
            "config/database.yml",
            "production:\n  adapter: postgresql\n  username: shop\n",
            "  password: " + pw(),
        )
    )
    add(
        _case(
            "connection-string/ado-net",
            None,
            "src/Api/appsettings.json",
            "{\n",
            '  "Main": "Server=sql.acme-corp.io;Database=shop;User Id=shop;Password=<your-password>;"',
            "}\n",
        )
    )

    # long tail of prefixed tokens
    tail = [
        (
            "token/slack-app",
            "SLACK_APP_TOKEN=" + "xa" + "pp-1-A" + v(UPPER, 10) + "-" + v(string.digits, 13) + "-" + v(HEX, 64),
        ),
        ("token/sonarqube", "SONAR_TOKEN=" + "sq" + "u_" + v(HEX, 40)),
        ("token/doppler", "DOPPLER_TOKEN=" + "dp" + ".st." + v(ALNUM, 40)),
        ("token/grafana-service-account", "GRAFANA_TOKEN=" + "gl" + "sa_" + v(ALNUM, 32) + "_" + v(HEX, 8)),
        ("token/docker-hub", "DOCKERHUB_TOKEN=" + "dc" + "kr_pat_" + v(URLSAFE, 27)),
        ("token/adafruit-io", "ADAFRUIT_IO_KEY=" + "ai" + "o_" + v(ALNUM, 28)),
        ("token/fly-io", "FLY_API_TOKEN=" + "fo" + "1_" + v(URLSAFE, 43)),
        ("token/posthog-personal", "POSTHOG_PERSONAL_API_KEY=" + "ph" + "x_" + v(ALNUM, 43)),
        ("token/age-secret-key", "AGE_KEY=" + "AGE-" + "SECRET-KEY-1" + v("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)),
        (
            "token/mapbox-secret",
            "MAPBOX_TOKEN=" + "sk" + ".eyJ1IjoiYWNtZSIsImEiOiJ" + v(ALNUM, 20) + "." + v(URLSAFE, 22),
        ),
        (
            "token/snyk",
            "SNYK_TOKEN=" + v(HEX, 8) + "-" + v(HEX, 4) + "-4" + v(HEX, 3) + "-a" + v(HEX, 3) + "-" + v(HEX, 12),
        ),
    ]
    for family, line in tail:
        add(_case(family, CREDENTIAL, "ci/.env", "CI=true\n", line))
    add(_case("token/sonarqube", None, "ci/.env", "", "SONAR_TOKEN=" + "sq" + "u_" + "x" * 40))

    # a base64-encoded private key in Helm values
    pem = (
        "-----BEGIN "
        + "RSA PRIVATE KEY-----\n"
        + v(B64, 64)
        + "\n"
        + v(B64, 64)
        + "\n-----END "
        + "RSA PRIVATE KEY-----\n"
    )
    add(
        _case(
            "encoded/base64-private-key",
            CREDENTIAL,
            "charts/api/values.yaml",
            "tls:\n  crt: \n",
            "  key: " + base64.b64encode(pem.encode()).decode(),
        )
    )

    # the ten categories outside Python: JS/TS private imports, SQL tenant isolation, Enterprise banners,
    # tenant rows in notebooks, tenant ids in docs URLs
    add(
        _case(
            "js-private-import/dynamic",
            SAAS,
            "web/src/admin.ts",
            "export async function load() {\n",
            '  const { provisionTenant } = await import("@cavra/' + 'saas/provisioning");',
            "}\n",
        )
    )
    add(
        _case(
            "js-private-import/require-subpath",
            ENTERPRISE,
            "server/license.js",
            "'use strict';\n",
            "const { verify } = require('@cavra/" + "enterprise/licensing');",
        )
    )
    add(_case("js-private-import/side-effect", SAAS, "web/src/boot.ts", "", "import '@cavra/" + "cloud/telemetry';"))
    add(
        _case(
            "js-private-import/public", None, "web/src/contract.ts", "", "import { Contract } from '@cavra/contract';"
        )
    )
    add(
        _case(
            "sql-tenant-isolation/search-path",
            SAAS,
            "migrations/0007_tenants.sql",
            "-- per-tenant schemas\n",
            "EXECUTE format('SET search_path TO %I, public', 'tenant_' || new_tenant_id);",
        )
    )
    add(
        _case(
            "sql-tenant-isolation/rls-policy",
            SAAS,
            "migrations/0008_rls.sql",
            "ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\n",
            # cavra: allow policy/tenant-isolation-sql -- a labelled case of the benchmark (test data)
            "CREATE POLICY tenant_isolation ON invoices "
            "USING (tenant_id = current_setting('app.current_tenant')::uuid);",
        )
    )
    add(
        _case(
            "sql-tenant-isolation/in-string",
            SAAS,
            "cavra/db/router.py",
            "def use_tenant(cursor, tenant):\n",
            '    cursor.execute(f"SET search_path TO tenant_{tenant.slug}, public")',
        )
    )
    add(
        _case(
            "enterprise-banner/markdown",
            ENTERPRISE,
            "docs/features/sso.md",
            "# Single sign-on\n\n",
            "> **CAVRA Enterprise only.** This module is proprietary and licensed under the "
            "CAVRA Enterprise License Agreement; do not distribute.",
        )
    )
    add(
        _case(
            "enterprise-banner/typescript",
            ENTERPRISE,
            "web/src/audit/index.ts",
            "",
            "// SPDX-License-Identifier: LicenseRef-" + "CAVRA-Enterprise",
            "export const audit = () => {};\n",
        )
    )
    add(
        _case(
            "enterprise-banner/markdown",
            None,
            "docs/editions.md",
            "# Editions\n\n",
            "Some features are available in the Enterprise edition; see the pricing page.",
        )
    )
    notebook_head = (
        '{\n "cells": [{\n   "cell_type": "code",\n   "outputs": [{\n     "output_type": "stream",\n     "text": [\n'
    )
    add(
        _case(
            "tenant-row/notebook-output",
            RECORD,
            "notebooks/tenants.ipynb",
            notebook_head,
            '      "tenant_id=acme-prod-7731 owner_email=ops@acme-corp.io plan=enterprise\\n"',
            '     ]\n   }],\n   "source": ["print(rows)"]\n  }],\n "nbformat": 4\n}\n',
        )
    )
    add(
        _case(
            "tenant-id/docs-url",
            TENANT_ID,
            "docs/usage.md",
            "# Usage\n\n",
            "Open <https://app.cavra.io/t/acme-prod-7731/settings> to change the plan.",
        )
    )
    cases.extend(_structure_cases(v))
    cases.extend(_negatives(v))
    return cases


def _structure_cases(v: _Values) -> list[Case]:
    """Evidence a line does not hold alone (issue 13's leftovers): a key's meaning from its config section, its
    YAML or JSON parent key or its dotted name, a SQL statement split over lines, a tenant export known by its
    file name. Positives, then the same files with placeholders, user-keyed policies and placeholder rows."""
    ini, toml, cfg = "config/shop.ini", "pyproject.toml", "setup.cfg"
    properties = "src/main/resources/application.properties"
    using = "  USING (tenant_id = current_" + "setting('app.tenant')::uuid);\n"  # built: the repository scans itself
    in_string = '            USING (tenant_id = get_tenant_id())\n    """)\n'
    migration = 'def upgrade():\n    op.execute("""\n'
    export, owner = "id,contact,tier\n", "ops@acme-corp.io"
    rows = [
        ("section-key/ini", BILLING, ini, "[database]\nhost = db\n\n[billing]\n", "secret_key = " + v(ALNUM, 32)),
        ("section-key/toml", BILLING, toml, "[tool.poetry]\n\n[services.stripe]\n", f'api_key = "{v(ALNUM, 32)}"'),
        ("section-key/properties", WEBHOOK, properties, "server.port=8080\n", "webhook.signing-secret=" + v(ALNUM, 32)),
        ("section-key/cfg", LICENSE, cfg, "[metadata]\nname = shop\n\n[license]\n", "key = " + v(UPPER, 24)),
        (
            "sql-tenant-isolation/multi-line-policy",
            SAAS,
            "db/0009_rls.sql",
            "",
            "CREATE POLICY isolation ON jobs",
            using,
        ),
        (
            "sql-tenant-isolation/multi-line-in-string",
            SAAS,
            "db/0009.py",
            migration,
            "  CREATE POLICY p ON t",
            in_string,
        ),
        (
            "sql-tenant-isolation/alter-role",
            SAAS,
            "db/roles.sql",
            "",
            "ALTER " + "ROLE acme_app",  # built: the repository scans itself
            "  SET app.tenant = 'a';\n",
        ),
        ("tenant-file/unknown-header", RECORD, "exports/tenants.csv", export, f"acme-prod-7731,{owner},enterprise"),
        (
            "tenant-file/unknown-header",
            RECORD,
            "exports/customers.tsv",
            "ref\tadmin\n",
            "globex-eu-0042\tjane@globex.io",
        ),
        ("nested-key/yaml", BILLING, "deploy/values.yaml", "payments:\n  stripe:\n", "    secretKey: " + v(ALNUM, 32)),
        ("nested-key/yaml", WEBHOOK, "config/app.yml", "webhooks:\n  github:\n", f"    secret: '{v(ALNUM, 32)}'"),
        (
            "nested-key/json",
            BILLING,
            "config/settings.json",
            '{\n  "billing": {\n    "region": "eu",\n',
            f'    "apiKey": "{v(ALNUM, 32)}"',
            "  }\n}\n",
        ),
        ("nested-key/yaml", None, "deploy/values.yaml", "stripe:\n", "  secret_key: ${STRIPE_SECRET_KEY}"),
        (
            "nested-key/json",
            None,
            "config/settings.json",
            '{\n  "billing": {\n',
            '    "apiKey": "<stripe-api-key>"',
            "  }\n}\n",
        ),
        ("section-key/ini", None, ini, "[billing]\n", "secret_key = ${STRIPE_SECRET_KEY}"),
        ("section-key/ini", None, ini, "[billing]\n", "secret_key = %(stripe_secret_key)s"),
        ("section-key/toml", None, toml, "[tool.poetry]\nname = 'shop'\n", 'license = "Apache-2.0"'),
        ("section-key/properties", None, properties, "", "billing.api-key=${BILLING_API_KEY}"),
        (
            "sql-tenant-isolation/multi-line-policy",
            None,
            "db/rls.sql",
            "",
            "CREATE POLICY own ON posts",
            "  USING (author_id = uid());\n",
        ),
        ("tenant-file/unknown-header", None, "exports/tenants.csv", export, "<tenant-id>,<owner-email>,<plan>"),
        (
            "tenant-file/unknown-header",
            None,
            "exports/tenants.csv",
            export,
            "acme-prod-7731,ops@example.com,enterprise",
        ),
    ]
    return [
        _case(family, category, path, before, line, *after) for family, category, path, before, line, *after in rows
    ]


def _negatives(v: _Values) -> list[Case]:
    """Look-alikes in the same formats: placeholders, values read from the environment, documented samples, and
    the false-alarm kinds issue 13 saw on real code (cluster-local hosts, dev database defaults, i18n labels,
    public certificates, stub PEM headers, trivial test tokens)."""
    cert = "-----BEGIN " + "CERTIFICATE-----\n" + v(B64, 64) + "\n-----END " + "CERTIFICATE-----\n"
    rows = [
        ("credential-file/netrc", "home/.netrc", "machine api.heroku.com\n  login <email>\n", "  password <api-token>"),
        ("credential-file/npmrc", "web/.npmrc", "", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}"),
        ("credential-file/pypirc", "home/.pypirc", "[pypi]\nusername = __token__\n", "password = <your PyPI token>"),
        ("credential-file/docker-config", "home/.docker/config.json", "{\n", '  "credsStore": "desktop"', "}\n"),
        ("http-auth/basic", "docs/api.md", "# API\n\n", "Send `Authorization: Basic <base64 of user:password>`."),
        ("http-auth/curl-u", "docs/api.md", "# API\n\n", "curl -u username:password https://api.example.com/v1/items"),
        ("frontend-env/react-app", "web/.env.example", "", "REACT_APP_API_KEY=your-api-key"),
        (
            "wp-config/auth-key",
            "site/wp-config-sample.php",
            "<?php\n",
            "define( 'AUTH_KEY',         'put your unique phrase here' );",
        ),
        ("laravel-env/app-key", "shop/.env.example", "APP_NAME=Laravel\n", "APP_KEY="),
        ("connection-string/jdbc", "src/main/resources/db.properties", "", "db.password=${DB_PASSWORD}"),
        (
            "build-credentials/gradle",
            "build.gradle",
            "credentials {\n",
            "    password = findProperty('repoPassword')",
            "}\n",
        ),
        (
            "build-credentials/maven",
            "ci/settings.xml",
            "<server>\n",
            "  <password>${env.MAVEN_PASSWORD}</password>",
            "</server>\n",
        ),
        ("sql-tenant-isolation/search-path", "migrations/0001_init.sql", "-- schema\n", "SET search_path TO public;"),
        (
            "enterprise-banner/typescript",
            "web/src/edition.ts",
            "",
            "// Community edition: the Enterprise features live elsewhere.",
        ),
        (
            "real-code/cluster-local-host",
            "deploy/values.yaml",
            "api:\n",
            "  url: http://api.default.svc." + "cluster.local:8080",
        ),
        (
            "real-code/dev-database-url",
            "docker-compose.yml",
            "services:\n  app:\n    environment:\n",
            "      DATABASE_URL: postgres://postgres:postgres@localhost:5432/app",
        ),
        ("real-code/local-test-url", "tests/test_client.py", "", 'BASE_URL = "https://myapp.local"'),
        (
            "real-code/trivial-test-token",
            "tests/test_auth.py",
            "def test_login(client):\n",
            '    client.login(token="token1")',
        ),
        ("real-code/i18n-label", "locale/de.json", "{\n", '  "password": "Passwort",', '  "login": "Anmelden"\n}\n'),
        (
            "real-code/private-ip-docs",
            "docs/deploy.md",
            "# Deploy\n\n",
            "Point the agent at `http://192.168." + "1.10:8080`.",
        ),
        (
            "real-code/stub-pem-header",
            "docs/tls.md",
            "# TLS\n\n",
            "The file starts with `-----BEGIN " + "PRIVATE KEY-----`.",
        ),
        (
            "real-code/public-ca-base64",
            "charts/api/values.yaml",
            "tls:\n",
            "  ca.crt: " + base64.b64encode(cert.encode()).decode(),
        ),
    ]
    return [_case(family, None, path, before, line, *after) for family, path, before, line, *after in rows]
