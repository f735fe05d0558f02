"""The default policy's rules, category by category, on real files of several types.

Each case writes a file under ``tmp_path``, reads it the way a scan does (``read_source``) and runs the policy
detector over it. Positives assert the exact rule id, category and line; negatives (placeholders, docs
examples, environment look-ups, field-name constants, public URLs, hashes) assert that the category reports
nothing at all, so a sibling rule cannot hide a false positive.

Secret-shaped text is built at run time so that this file passes the repository's own scan: every case text
carries a ``§`` inside its keyword or value, removed by ``unmask`` before the file is written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pack_fixtures import REPO, default_policy_detector, findings_in_file, unmask

from cavra_safety.config import Config, load_config
from cavra_safety.detectors.policy import PolicyDetector
from cavra_safety.findings import Category
from cavra_safety.pipeline.scan import scan
from cavra_safety.policy import load_policy


@dataclass(frozen=True)
class Hit:
    """``text`` written to ``path`` yields ``rule`` (and its category) on ``line``."""

    rule: str
    category: Category
    path: str
    text: str
    line: int = 1


@dataclass(frozen=True)
class Miss:
    """``text`` written to ``path`` yields nothing of ``category``."""

    category: Category
    path: str
    text: str


C = Category

HITS: tuple[Hit, ...] = (
    # tenant-id
    Hit("tenant-id-value", C.TENANT_ID, "cavra/jobs/backfill.py", 'import os\n\ntenant§_id = "acme-prod-7731"\n', 3),
    Hit("tenant-id-value", C.TENANT_ID, "web/src/api.ts", 'const tenant§Id: string = "globex-eu-0042";\n'),
    Hit("tenant-id-value", C.TENANT_ID, "internal/client.go", 'c := Client{\n\tTenant§ID: "initech-prod-19",\n}\n', 2),
    Hit("tenant-id-value", C.TENANT_ID, "config/tenants.json", '{\n  "tenant§Id": "umbrella-ap-55"\n}\n', 2),
    Hit("tenant-id-value", C.TENANT_ID, "settings/prod.toml", '[cavra]\ntenant§_id = "acme-prod-7731"\n', 2),
    Hit("tenant-id-value", C.TENANT_ID, "sql/report.sql", "SELECT 1 FROM jobs WHERE tenant§_id = 'acme-prod-7731';\n"),
    Hit("tenant-id-config-value", C.TENANT_ID, "deploy/.env", "DEBUG=0\nTENANT§_ID=acme-prod-7731\n", 2),
    Hit("tenant-id-config-value", C.TENANT_ID, "deploy/values.yaml", "cavra:\n  tenant§_id: globex-eu-0042\n", 2),
    Hit("tenant-id-config-value", C.TENANT_ID, "config/app.ini", "[cavra]\ntenant§-id = initech-prod-19\n", 2),
    Hit(
        "tenant-id-config-value",
        C.TENANT_ID,
        "docs/api.md",
        "```sh\ncurl -H 'X-Tenant§-ID: umbrella-ap-55' https://api.cavra.io/v1/jobs\n```\n",
        2,
    ),
    Hit(
        "tenant-id-in-url", C.TENANT_ID, "docs/usage.md", "GET https://api.cavra.io/v1/jobs?tenant§_id=acme-prod-7731\n"
    ),
    Hit("tenant-id-in-url", C.TENANT_ID, "web/src/billing.ts", "fetch('/api/tenant§s/globex-eu-0042/invoices');\n"),
    # tenant-record
    Hit(
        "tenant-record",
        C.TENANT_RECORD,
        "data/tenants.json",
        '[\n  {\n    "tenant§_id": "acme-prod-7731",\n    "owner_email": "ops@acme-corp.io",\n'
        '    "plan": "enterprise"\n  }\n]\n',
        3,
    ),
    Hit(
        "tenant-record",
        C.TENANT_RECORD,
        "seed/tenants.yaml",
        "tenants:\n  - tenant§_id: globex-eu-0042\n    owner: jane@globex.io\n    seats: 40\n",
        2,
    ),
    Hit(
        "tenant-record",
        C.TENANT_RECORD,
        "exports/tenants.csv",
        "tenant§_id,owner_email,plan\ninitech-prod-19,bill@initech.io,business\n",
        2,
    ),
    Hit(
        "tenant-record",
        C.TENANT_RECORD,
        "sql/seed.sql",
        "INSERT INTO tenants (tenant§_id, owner_email, plan)\nVALUES ('umbrella-ap-55', 'ops@umbrella.io', 'pro');\n",
        2,
    ),
    # billing-secret
    Hit(
        "stripe-live-secret-key",
        C.BILLING_SECRET,
        "billing/pay.py",
        'import stripe\nstripe.api§_key = "sk_§live_4eC39HqLyjWDarjtT1zdp7dc"\n',
        2,
    ),
    Hit("stripe-live-secret-key", C.BILLING_SECRET, "deploy/.env", "STRIPE_KEY=rk_§live_4eC39HqLyjWDarjtT1zdp7dc\n"),
    Hit(
        "stripe-live-secret-key",
        C.BILLING_SECRET,
        "web/server/pay.ts",
        'const stripe = new Stripe("sk_§live_4eC39HqLyjWDarjtT1zdp7dc");\n',
    ),
    Hit(
        "payment-provider-live-key",
        C.BILLING_SECRET,
        "deploy/values.yaml",
        "braintree:\n  token: access_token$§production$c4vr4m3rch4nt7q2$0a1b2c3d4e5f60718293a4b5c6d7e8f9\n",
        2,
    ),
    Hit(
        "billing-secret-assignment",
        C.BILLING_SECRET,
        "cavra/billing/settings.py",
        'BILLING_API§_KEY = "bk_7Qm2Cavra9Synth4Lp8Zr3Xv6"\n',
    ),
    Hit("billing-secret-assignment", C.BILLING_SECRET, "deploy/.env", "PAYMENT_SEC§RET=Qm2Cavra9Synth4Lp8Zr3Xv6Tn1\n"),
    Hit(
        "billing-secret-assignment",
        C.BILLING_SECRET,
        "config/billing.json",
        '{\n  "chargebeeApi§Key": "live_Qm2Cavra9Synth4Lp8Zr3Xv6"\n}\n',
        2,
    ),
    # license-key
    Hit("license-key-value", C.LICENSE_KEY, "cavra/licensing.py", 'LICENSE§_KEY = "cvr_lk_9Qm2Lp8Zr3Xv6Tn1Wy5"\n'),
    Hit("license-key-value", C.LICENSE_KEY, "deploy/.env", "CAVRA_LICENSE§_KEY=cvr_lk_9Qm2Lp8Zr3Xv6Tn1Wy5\n"),
    Hit(
        "license-key-value", C.LICENSE_KEY, "deploy/values.yaml", "cavra:\n  licence§_key: 9Qm2Lp8Zr3Xv6Tn1Wy5Kc7\n", 2
    ),
    Hit(
        "grouped-product-key",
        C.LICENSE_KEY,
        "docs/install.md",
        "# Install\n\nLicense§ key: 7QM2C-LP8§ZR-3XV6T-N1WY5-KC7DH\n",
        3,
    ),
    Hit("grouped-product-key", C.LICENSE_KEY, "deploy/notes.txt", "licence§: CVR9-7QM2-LP8§Z-R3XV\n"),
    Hit(
        "license-token",
        C.LICENSE_KEY,
        "deploy/.env",
        "CAVRA_LICENSE§=eyJhbGciOiJFZERTQSJ9Q.eyJsaWNlbnNlZSI6ImFjbWUtcHJvZCJ9Q.c2lnbmF0dXJlLWJ5dGVzLWNhdnJh\n",
    ),
    Hit("license-token", C.LICENSE_KEY, "license/cavra.lic", "-----BEGIN CAVRA LICEN§SE KEY-----\nQm2Lp8\n"),
    # private-policy-pack
    Hit(
        "private-pack-visibility",
        C.PRIVATE_POLICY_PACK,
        "policies/acme-tenants.toml",
        '[pack]\nname = "acme-tenants"\nvisibi§lity = "private"\n',
        3,
    ),
    Hit(
        "private-pack-visibility",
        C.PRIVATE_POLICY_PACK,
        "packs/billing/pack.yaml",
        "pack:\n  name: billing\n  visibi§lity: enterprise\n",
        3,
    ),
    Hit(
        "private-pack-visibility",
        C.PRIVATE_POLICY_PACK,
        "config/policy-pack.json",
        '{\n  "name": "acme",\n  "visibi§lity": "private"\n}\n',
        3,
    ),
    Hit(
        "private-pack-marker",
        C.PRIVATE_POLICY_PACK,
        "docs/packs.md",
        '```toml\npack = { name = "acme", visibi§lity = "private" }\n```\n',
        2,
    ),
    Hit("private-pack-marker", C.PRIVATE_POLICY_PACK, "deploy/.env", "CAVRA_PACK_VISIBI§LITY=enterprise\n"),
    # connector-credential
    Hit(
        "anthropic-api-key",
        C.CONNECTOR_CREDENTIAL,
        "deploy/.env",
        "ANTHROPIC_KEY=sk-ant§-api03-Cavra9Synth2Key4Zq7Lm1Np3Rt5Vx8Wy0Ab2Cd4Ef6Gh8"
        "Ij0Kl2Mn4Op6Qr8St0Uv2Wx4Yz6Ab8Cd0Ef2Gh4IjAA\n",
    ),
    Hit(
        "google-api-key",
        C.CONNECTOR_CREDENTIAL,
        "web/src/firebase.ts",
        'const config = {\n  api§Key: "AI§zaSyC4vr4Synth9Key2Zq7Lm1Np3Rt5Vx8Wy0",\n};\n',
        2,
    ),
    Hit(
        "huggingface-token",
        C.CONNECTOR_CREDENTIAL,
        "deploy/values.yaml",
        "hub:\n  token: hf§_CavraSynthTokenQwErTyUiOpAsDfGhJkLzXc\n",
        2,
    ),
    Hit(
        "llm-provider-api-key",
        C.CONNECTOR_CREDENTIAL,
        "tools/groq.py",
        'GROQ_KEY = "gsk§_Cavra9Synth2Key4Zq7Lm1Np3Rt5Vx8Wy0Ab2Cd4Ef6Gh8Ij0Kl2"\n',
    ),
    Hit(
        "database-url-password",
        C.CONNECTOR_CREDENTIAL,
        "deploy/.env",
        "DATABASE_URL=postgres:§//cavra_app:Qm2Lp8Zr3Xv6Tn1@db.prod.cavra.io:5432/cavra\n",
    ),
    Hit(
        "database-url-password",
        C.CONNECTOR_CREDENTIAL,
        "tools/report.py",
        'engine = create_engine("mysql+pymysql:§//report:Zr3Xv6Tn1Wy5@db.prod.cavra.io/reports")\n',
    ),
    Hit(
        "database-url-password",
        C.CONNECTOR_CREDENTIAL,
        "deploy/values.yaml",
        "db:\n  uri: mongodb+srv:§//svc:Tn1Wy5Kc7Dh2@cluster0.a1b2c.mongodb.net/app\n",
        2,
    ),
    Hit(
        "database-connection-string-password",
        C.CONNECTOR_CREDENTIAL,
        "appsettings.json",
        '{"Default": "Server=sql.prod.cavra.io;Database=app;User Id=app;Pass§word=Zr3Xv6Tn1Wy5;"}\n',
    ),
    Hit(
        "gcp-service-account-key",
        C.CONNECTOR_CREDENTIAL,
        "deploy/sa-key.json",
        '{\n  "type": "service_account",\n  "private_key§_id": "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12"\n}\n',
        3,
    ),
    Hit(
        "azure-shared-access-key",
        C.CONNECTOR_CREDENTIAL,
        "deploy/iot.env",
        "CONN=HostName=cavra.azure-devices.net;SharedAccess§Key=Wy5Kc7Dh2Cavra9Synth4Lp8Zr3XQm2Lp8Zr3Xv6Tn1=\n",
    ),
    Hit(
        "generic-secret-assignment",
        C.CONNECTOR_CREDENTIAL,
        "cavra/settings/prod.py",
        'DB_PASS§WORD = "Qm2Lp8Zr3Xv6Tn1Wy5"\n',
    ),
    Hit(
        "generic-secret-assignment",
        C.CONNECTOR_CREDENTIAL,
        "web/src/client.ts",
        'const access§Token = "Kc7Dh2Qm2Lp8§Zr3Xv6Tn1Wy5";\n',
    ),
    Hit(
        "generic-secret-assignment",
        C.CONNECTOR_CREDENTIAL,
        "internal/db/db.go",
        'cfg := Config{\n\tPass§word: "Dh2Qm2Lp8Zr3Xv6Tn1Wy5Kc7",\n}\n',
        2,
    ),
    Hit("generic-secret-config-value", C.CONNECTOR_CREDENTIAL, "deploy/.env", "DB_PASS§WORD=Qm2Lp8Zr3Xv6Tn1Wy5\n"),
    Hit(
        "generic-secret-config-value",
        C.CONNECTOR_CREDENTIAL,
        "config/mail.properties",
        "smtp.host=mail.cavra.io\nsmtp.pass§word = Kc7Dh2Qm2Lp8Zr3Xv6Tn1Wy5\n",
        2,
    ),
    Hit(
        "generic-secret-config-value",
        C.CONNECTOR_CREDENTIAL,
        "config/app.ini",
        "[connector]\nclient_sec§ret = Tn1Wy5Kc7Dh2Qm2Lp8Zr3Xv6\n",
        2,
    ),
    # provider-url
    Hit("internal-host-url", C.PROVIDER_URL, "deploy/.env", "API_URL=https://billing.acme-prod.inter§nal/v2\n"),
    Hit(
        "internal-host-url",
        C.PROVIDER_URL,
        "cavra/sync.py",
        'requests.get("http://tenants-api.platform.cavra.inter§nal:8080/tenants")\n',
    ),
    Hit("internal-host-url", C.PROVIDER_URL, "deploy/values.yaml", "db:\n  host: pg-primary.cavra.co§rp\n", 2),
    Hit("private-ip-url", C.PROVIDER_URL, "deploy/deploy.sh", "curl -fsS http://10§.12.4.7:8080/ready\n"),
    Hit("private-ip-url", C.PROVIDER_URL, "cavra/agent.py", 'client = Client("https://172§.20.3.14:8443")\n'),
    Hit("private-ip-url", C.PROVIDER_URL, "deploy/prometheus.yml", "targets:\n  - http://192§.168.40.12/metrics\n", 2),
    Hit(
        "identity-provider-tenant-url",
        C.PROVIDER_URL,
        "deploy/.env",
        "AUTHORITY=https://login.microsoft§online.com/7f3c2a91-5d4e-4b1a-9c8d-2e6f1a3b4c5d/v2.0\n",
    ),
    Hit(
        "identity-provider-tenant-url",
        C.PROVIDER_URL,
        "cavra/auth/settings.py",
        'OKTA_ISSUER = "https://acme-prod.ok§ta.com/oauth2/default"\n',
    ),
    Hit(
        "identity-provider-tenant-url",
        C.PROVIDER_URL,
        "web/src/auth.ts",
        "const domain = 'https://globex-eu.eu.auth§0.com/';\n",
    ),
    Hit(
        "identity-provider-tenant-url",
        C.PROVIDER_URL,
        "deploy/values.yaml",
        "oidc:\n  issuer: https://sso.cavra.io/realms§/umbrella-prod\n",
        2,
    ),
    Hit(
        "ai-tenant-endpoint",
        C.PROVIDER_URL,
        "cavra/llm.py",
        'client = AzureOpenAI(azure_endpoint="https://acme-genai.openai.azure§.com")\n',
    ),
    Hit(
        "credentials-in-url",
        C.PROVIDER_URL,
        "docs/ci.md",
        "git clone https:§//ci-bot:Zr3Xv6Tn1Wy5@git.cavra.io/platform/billing.git\n",
    ),
    Hit(
        "signed-url",
        C.PROVIDER_URL,
        "tools/export.py",
        'url = "https://cavra-exports.s3.amazonaws.com/r.csv?X-Amz-Expires=3600&X-Amz-Signa§ture='
        + "ab12cd34" * 8
        + '"\n',
    ),
    # webhook-secret
    Hit(
        "slack-webhook-url",
        C.WEBHOOK_SECRET,
        "cavra/notify.py",
        'URL = "https://hooks.sla§ck.com/services/T0CAVRA7Q/B0SYNTH42/Qm2Lp8Zr3Xv6Tn1Wy5Kc7Dh2"\n',
    ),
    Hit(
        "discord-webhook-url",
        C.WEBHOOK_SECRET,
        "web/src/notify.js",
        "fetch('https://discord.com/ap§i/webhooks/1187654321098765432/" + "Qm2Lp8Zr3Xv6" * 5 + "Tn1Wy5', o);\n",
    ),
    Hit(
        "teams-webhook-url",
        C.WEBHOOK_SECRET,
        "deploy/alerts.yaml",
        "teams:\n  url: https://cavra.webhook.office§.com/webhookb2/7f3c2a91-5d4e-4b1a-9c8d-2e6f1a3b4c5d@"
        "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d/IncomingWebhook/"
        + "ab12cd34" * 4
        + "/6e5d4c3b-2a19-4087-b6a5-f4e3d2c1b0a9\n",
        2,
    ),
    Hit(
        "webhook-signing-secret",
        C.WEBHOOK_SECRET,
        "deploy/.env",
        "STRIPE_HOOK=whsec§_Qm2Lp8Zr3Xv6Tn1Wy5Kc7Dh2Cavra9Sy\n",
    ),
    Hit("webhook-secret-assignment", C.WEBHOOK_SECRET, "cavra/hooks.py", 'WEBHOOK_SEC§RET = "Qm2Lp8Zr3Xv6Tn1Wy5Kc7"\n'),
    Hit(
        "webhook-secret-assignment",
        C.WEBHOOK_SECRET,
        "config/hooks.json",
        '{\n  "webhookSec§ret": "Tn1Wy5Kc7Dh2Qm2Lp8Zr3"\n}\n',
        2,
    ),
    # saas-backend-source
    Hit(
        "saas-backend-import",
        C.SAAS_BACKEND_SOURCE,
        "cavra/app.py",
        "import os\nfrom cavra§_saas.provisioning import create_tenant\n",
        2,
    ),
    Hit(
        "saas-backend-import",
        C.SAAS_BACKEND_SOURCE,
        "web/src/tenants.ts",
        "import { provision } from '@cavra§/saas/provisioning';\n",
    ),
    Hit("saas-backend-import", C.SAAS_BACKEND_SOURCE, "requirements.txt", "click>=8\ncavra§-cloud==3.2.0\n", 2),
    Hit(
        "saas-backend-import",
        C.SAAS_BACKEND_SOURCE,
        "Dockerfile",
        "FROM python:3.12\nRUN pip install --no-cache-dir cavra§-saas\n",
        2,
    ),
    Hit(
        "saas-backend-import",
        C.SAAS_BACKEND_SOURCE,
        "cmd/agent/main.go",
        'import (\n\t"fmt"\n\t"github.com/cavra-io/cavra§-cloud/billing"\n)\n',
        3,
    ),
    # enterprise-implementation
    Hit(
        "enterprise-package-import", C.ENTERPRISE_IMPLEMENTATION, "cavra/auth.py", "from cavra§_enterprise import sso\n"
    ),
    Hit(
        "enterprise-package-import",
        C.ENTERPRISE_IMPLEMENTATION,
        "web/package.json",
        '{\n  "dependencies": {\n    "@cavra§/enterprise": "^2.4.1"\n  }\n}\n',
        3,
    ),
    Hit("enterprise-edition-marker", C.ENTERPRISE_IMPLEMENTATION, "cavra/__init__.py", '__edi§tion__ = "enterprise"\n'),
    Hit("enterprise-edition-marker", C.ENTERPRISE_IMPLEMENTATION, "deploy/.env", "CAVRA_EDI§TION=enterprise\n"),
    Hit(
        "enterprise-license-header",
        C.ENTERPRISE_IMPLEMENTATION,
        "web/src/sso.ts",
        "// SPDX-License-Identifier: LicenseRef-CAVRA§-Enterprise\nexport {};\n",
    ),
    Hit(
        "enterprise-license-header",
        C.ENTERPRISE_IMPLEMENTATION,
        "core/audit.go",
        "/*\n * This file is licensed under the CAVRA§ Enterprise License.\n */\n",
        2,
    ),
    Hit(
        "enterprise-confidential-banner",
        C.ENTERPRISE_IMPLEMENTATION,
        "docs/runbook.md",
        "<!-- INTERNAL ONLY: CAV§RA Cloud runbook -->\n# Runbook\n",
    ),
)

MISSES: tuple[Miss, ...] = (
    # tenant-id: field-name constants, environment look-ups, templates, placeholders, type hints, pass-through
    Miss(C.TENANT_ID, "cavra/fields.py", 'TENANT§_ID_FIELD = "tenant_id"\nTENANT_HEADER = "X-Tenant-ID"\n'),
    Miss(C.TENANT_ID, "cavra/settings.py", 'import os\ntenant§_id = os.environ["TENANT_ID"]\ntenant_id = None\n'),
    Miss(
        C.TENANT_ID,
        "cavra/models.py",
        "class Job:\n    tenant§_id: str\n\n    def run(self):\n        go(tenant_id=tenant_id)\n",
    ),
    Miss(C.TENANT_ID, "web/src/api.ts", "const tenant§Id = process.env.TENANT_ID;\n"),
    Miss(C.TENANT_ID, "deploy/.env", "TENANT§_ID=${TENANT_ID}\n"),
    Miss(C.TENANT_ID, "deploy/values.yaml", "tenant§_id: <tenant-id>\nother: '{{ tenant_id }}'\n"),
    Miss(C.TENANT_ID, "deploy/templates/job.yaml", 'tenant§_id: "{{ .Values.tenantId }}"\n'),
    Miss(
        C.TENANT_ID, "docs/api.md", "GET /v1/jobs?tenant§_id=<tenant-id>\n\n`tenant_id`: the tenant that owns the job\n"
    ),
    Miss(C.TENANT_ID, "config/app.toml", 'tenant§_id = "your-tenant-id"\n'),
    Miss(C.TENANT_ID, "web/src/routes.ts", "router.get('/api/tenant§s/:tenantId/invoices', handler);\n"),
    Miss(C.TENANT_ID, "schemas/tenant.json", '{"tenant§_id": {"type": "string", "format": "uuid"}}\n'),
    # tenant-record: schemas, placeholders, header-only CSV, a lone identifier
    Miss(
        C.TENANT_RECORD,
        "schemas/tenant.json",
        '{\n  "tenant§_id": {"type": "string"},\n  "owner_email": {"type": "string", "format": "email"}\n}\n',
    ),
    Miss(C.TENANT_RECORD, "docs/tenant.yaml", "tenants:\n  - tenant§_id: <tenant-id>\n    owner: <owner-email>\n"),
    Miss(C.TENANT_RECORD, "exports/empty.csv", "tenant§_id,owner_email,plan\n"),
    # billing-secret: test-mode and publishable keys, env look-ups, placeholders, masks
    Miss(C.BILLING_SECRET, "tests/conftest.py", 'stripe.api§_key = "sk_§test_4eC39HqLyjWDarjtT1zdp7dc"\n'),
    Miss(C.BILLING_SECRET, "web/config.py", 'STRIPE_PUBLISHABLE_KEY = "pk_§live_4eC39HqLyjWDarjtT1zdp7dc"\n'),
    Miss(C.BILLING_SECRET, "cavra/billing/settings.py", 'STRIPE_SECRET§_KEY = os.environ["STRIPE_SECRET_KEY"]\n'),
    Miss(C.BILLING_SECRET, "deploy/.env", "PAYMENT_SEC§RET=${PAYMENT_SECRET}\nSTRIPE_SECRET_KEY=sk_live_...\n"),
    Miss(C.BILLING_SECRET, "config/billing.json", '{"chargebeeApi§Key": "YOUR_CHARGEBEE_API_KEY"}\n'),
    Miss(C.BILLING_SECRET, "docs/billing.md", "Set `stripe_secret§_key` to `sk_live_xxxxxxxxxxxxxxxxxxxxxxxx`.\n"),
    # license-key: placeholders, env look-ups, licence names, UUIDs, masks
    Miss(
        C.LICENSE_KEY,
        "cavra/licensing.py",
        'LICENSE§_KEY = os.environ["CAVRA_LICENSE_KEY"]\nLICENSE_KEY_FIELD = "license_key"\n',
    ),
    Miss(C.LICENSE_KEY, ".env.sample", "CAVRA_LICENSE§_KEY=YOUR_LICENSE_KEY\n"),
    Miss(C.LICENSE_KEY, "pyproject.toml", '[project]\nlicense§ = "Apache-2.0"\n'),
    Miss(C.LICENSE_KEY, "docs/install.md", "License§ key: XXXXX-XXXXX-XXXXX-XXXXX-XXXXX (see your invoice)\n"),
    Miss(
        C.LICENSE_KEY,
        "deploy/values.yaml",
        'licence§_key: <license-key>\nlicense_id: "7f3c2a91-5d4e-4b1a-9c8d-2e6f1a3b4c5d"\n',
    ),
    # private-policy-pack: public packs, unrelated visibility settings, templates, prose
    Miss(C.PRIVATE_POLICY_PACK, "policies/community.toml", '[pack]\nname = "community"\nvisibi§lity = "public"\n'),
    Miss(C.PRIVATE_POLICY_PACK, "infra/github/repositories.tf", 'resource "x" "y" {\n  visibi§lity = "private"\n}\n'),
    Miss(C.PRIVATE_POLICY_PACK, ".gitlab/settings.yml", "project:\n  visibi§lity: private\n"),
    Miss(C.PRIVATE_POLICY_PACK, "policies/template.json", '{"pack": {"visibi§lity": "${PACK_VISIBILITY}"}}\n'),
    Miss(C.PRIVATE_POLICY_PACK, "docs/packs.md", "Packs may declare private visibi§lity; keep such packs private.\n"),
    # connector-credential: env look-ups, placeholders, docs defaults, hashes, human test passwords, local URLs
    Miss(
        C.CONNECTOR_CREDENTIAL,
        "cavra/settings/prod.py",
        'DB_PASS§WORD = os.environ["DB_PASSWORD"]\nAPI_KEY = os.getenv("API_KEY", "")\n',
    ),
    Miss(C.CONNECTOR_CREDENTIAL, "tests/test_login.py", 'password§ = "secret"\nclient.login(password="top_secret")\n'),
    Miss(
        C.CONNECTOR_CREDENTIAL,
        "tests/test_hashers.py",
        'encoded = "x"\npass§word = "pbkdf2_sha256$600000$Qm2Lp8Zr3Xv6$Tn1Wy5Kc7Dh2Qm2Lp8Zr3Xv6Tn1Wy5Kc7Dh2="\n',
    ),
    Miss(
        C.CONNECTOR_CREDENTIAL,
        "deploy/.env",
        "DB_PASS§WORD=${DB_PASSWORD}\nDATABASE_URL=postgres://user:password@localhost:5432/app\n",
    ),
    Miss(C.CONNECTOR_CREDENTIAL, "deploy/values.yaml", "client_sec§ret: <client-secret>\napi_key: {{ api_key }}\n"),
    Miss(C.CONNECTOR_CREDENTIAL, "config/connectors.json", '{"api§Key": "YOUR_API_KEY"}\n'),
    Miss(
        C.CONNECTOR_CREDENTIAL,
        "docs/db.md",
        "Use `postgres§://app:${DB_PASSWORD}@db:5432/app` or `redis://localhost:6379/0`.\n",
    ),
    Miss(
        C.CONNECTOR_CREDENTIAL, "project_template/settings.py-tpl", "SECRET§_KEY = 'django-insecure-{{ secret_key }}'\n"
    ),
    Miss(C.CONNECTOR_CREDENTIAL, "web/src/client.ts", "const access§Token = process.env.ACCESS_TOKEN;\n"),
    Miss(C.CONNECTOR_CREDENTIAL, "cavra/urls.py", 'PASSWORD§_RESET_URL = "https://cavra.io/reset"\n'),
    # provider-url: public hosts, placeholders, localhost, well-known metadata, shared IdP endpoints, docs IPs
    Miss(
        C.PROVIDER_URL,
        "cavra/gcp.py",
        'URL = "http://metadata.google.inter§nal/computeMetadata/v1/"\nIMDS = "http://169.254.169.254/latest/"\n',
    ),
    Miss(
        C.PROVIDER_URL,
        "deploy/.env",
        "API_URL=http://localhost:8000\nDOCS=http://192.0.2.10/api\nHOST=https://<service>.inter§nal\n",
    ),
    Miss(
        C.PROVIDER_URL,
        "docs/auth.md",
        "Authority: https://login.microsoft§online.com/common/v2.0 or https://<tenant>.okta.com\n",
    ),
    Miss(
        C.PROVIDER_URL,
        "web/src/auth.ts",
        "const issuer = 'https://{yourOktaDomain}/oauth2/default'; // https://developer.ok§ta.com/docs/\n",
    ),
    Miss(C.PROVIDER_URL, "deploy/values.yaml", "azure:\n  endpoint: https://<resource>.openai.azure§.com/\n"),
    Miss(C.PROVIDER_URL, "docs/mirror.md", "pip install -i https§://user:password@pypi.example.com/simple/ cavra\n"),
    Miss(C.PROVIDER_URL, "tests/test_urls.py", 'assert valid("http://10§.1.1.254/") and valid("http://host.corp/")\n'),
    # webhook-secret: placeholders, env look-ups, header names, docs masks
    Miss(
        C.WEBHOOK_SECRET,
        "deploy/.env",
        "SLACK_URL=https://hooks.sla§ck.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\n",
    ),
    Miss(
        C.WEBHOOK_SECRET,
        "cavra/hooks.py",
        'WEBHOOK_SEC§RET = os.environ["WEBHOOK_SECRET"]\nWEBHOOK_SECRET_HEADER = "X-Hub-Signature-256"\n',
    ),
    Miss(
        C.WEBHOOK_SECRET, "deploy/values.yaml", "webhook§_token: <webhook-token>\nsigning_secret: ${SIGNING_SECRET}\n"
    ),
    Miss(C.WEBHOOK_SECRET, "docs/webhooks.md", "Signing secrets start with `whsec§_` and look like `whsec_...`.\n"),
    # saas-backend-source: the public packages, prose
    Miss(C.SAAS_BACKEND_SOURCE, "tools/scan.py", "from cavra_safety.policy import load_policy\n"),
    Miss(
        C.SAAS_BACKEND_SOURCE, "docs/architecture.md", "The cavra§_saas package is private and never imported here.\n"
    ),
    Miss(C.SAAS_BACKEND_SOURCE, "requirements.txt", "cavra-safety>=1.0\ncavra-contract==1.2\n"),
    # enterprise-implementation: Community markers, prose
    Miss(
        C.ENTERPRISE_IMPLEMENTATION,
        "cavra/__init__.py",
        '__edi§tion__ = "community"\nif edition == "enterprise":\n    pass\n',
    ),
    Miss(C.ENTERPRISE_IMPLEMENTATION, "web/src/index.ts", "// SPDX-License-Identifier: Apache-2.0\nexport {};\n"),
    Miss(
        C.ENTERPRISE_IMPLEMENTATION,
        "docs/editions.md",
        "CAVRA Enterprise adds SSO. Treat customer data as confidential.\n",
    ),
)


@pytest.fixture(scope="module")
def detector() -> PolicyDetector:
    return default_policy_detector()


def _hit_id(hit: Hit) -> str:
    return f"{hit.rule}:{hit.path}"


@pytest.mark.parametrize("hit", HITS, ids=_hit_id)
def test_rule_reports_the_violation_on_its_line(detector: PolicyDetector, tmp_path: Path, hit: Hit) -> None:
    found = findings_in_file(detector, tmp_path, hit.path, hit.text)
    matching = [f for f in found if f.rule_id == f"policy/{hit.rule}"]
    assert matching, f"no policy/{hit.rule} in {[(f.rule_id, f.line) for f in found]}"
    assert {f.category for f in matching} == {hit.category}
    assert [f.line for f in matching] == [hit.line]
    assert all(f.path == hit.path and f.column >= 1 for f in matching)


@pytest.mark.parametrize("miss", MISSES, ids=lambda miss: f"{miss.category}:{miss.path}")
def test_category_stays_quiet_on_non_violations(detector: PolicyDetector, tmp_path: Path, miss: Miss) -> None:
    found = findings_in_file(detector, tmp_path, miss.path, miss.text)
    wrong = [(f.rule_id, f.line, f.redacted) for f in found if f.category == miss.category]
    assert not wrong


def _suffixes(paths: Iterator[str]) -> set[str]:
    return {path.rsplit("/", 1)[-1].rsplit(".", 1)[-1] if "." in path else path.rsplit("/", 1)[-1] for path in paths}


@pytest.mark.parametrize("category", list(Category), ids=str)
def test_every_category_is_covered_in_three_file_types(category: Category) -> None:
    hit_types = _suffixes(hit.path for hit in HITS if hit.category == category)
    miss_types = _suffixes(miss.path for miss in MISSES if miss.category == category)
    assert len(hit_types) >= 3, hit_types
    assert len(miss_types) >= 3, miss_types


def test_findings_never_carry_the_value(detector: PolicyDetector, tmp_path: Path) -> None:
    value = unmask("sk_§live_4eC39HqLyjWDarjtT1zdp7dc")
    (finding,) = findings_in_file(detector, tmp_path, "pay.py", f'KEY = "{value}"\n')
    assert value not in repr(finding)
    assert finding.redacted.startswith(value[:4]) and len(finding.redacted) < len(value)


def test_messages_say_how_to_fix() -> None:
    policy = load_policy(Config(root=REPO))
    vague = [
        rule.info.rule_id
        for rule in policy.rules
        if not any(
            word in rule.message.lower()
            for word in ("rotate", "revoke", "environment", "placeholder", "move", "remove", "delete")
        )
    ]
    assert not vague


def test_default_packs_pass_the_repository_scan() -> None:
    """The packs' positive examples are violations by design; their inline allows must cover every detector."""
    config = load_config(REPO).with_overrides(paths=(REPO / "policies", Path(__file__)), jobs=1)
    result = scan(config)
    assert [(f.path, f.line, f.rule_id) for f in result.findings] == []
    assert result.suppressed_inline > 0
