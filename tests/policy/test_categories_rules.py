"""The ten categories outside Python, end to end: each case is a real file under ``tmp_path`` scanned by the
whole pipeline (every detector, then one finding per value), so a case asserts the category a reviewer sees,
after the most specific rule has won (DESIGN section 2).

Violating text is masked so that this file passes the repository's own scan: ``§`` is removed before the file
is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from cavra_safety.config import Config
from cavra_safety.findings import Category, Finding
from cavra_safety.pipeline.scan import scan

MASK = "§"
C = Category


@dataclass(frozen=True)
class Expect:
    """``text`` written to ``path`` is reported on ``line`` under ``category`` by ``rule``."""

    path: str
    text: str
    category: Category
    rule: str
    line: int = 1


def _scan(tmp_path: Path, files: dict[str, str]) -> list[Finding]:
    root = tmp_path / "repo"
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.replace(MASK, "").encode("utf-8"))
    return list(scan(Config(root=root, paths=(root,), jobs=1)).findings)


NOTEBOOK_HEAD = (
    '{\n "cells": [{\n   "cell_type": "code",\n   "outputs": [{\n     "output_type": "stream",\n     "text": [\n'
)
NOTEBOOK_TAIL = '     ]\n   }],\n   "source": ["print(rows)"]\n  }],\n "nbformat": 4\n}\n'


def notebook(*rows: str) -> str:
    """A notebook whose one code cell printed ``rows`` (from line 7 on, as nbformat stores stream output)."""
    return NOTEBOOK_HEAD + "".join(f'      "{row}\\n",\n' for row in rows) + NOTEBOOK_TAIL


HITS: tuple[Expect, ...] = (
    # enterprise markers and licence banners in many comment syntaxes and in docs
    Expect(
        "web/src/audit.ts",
        "// CAVRA Enterprise§ only: audit export\nexport {};\n",
        C.ENTERPRISE_IMPLEMENTATION,
        "enterprise-only-marker",
    ),
    Expect(
        "core/sso.go",
        "/*\n * Enterprise§-only. Not part of the Community build.\n */\npackage sso\n",
        C.ENTERPRISE_IMPLEMENTATION,
        "enterprise-only-marker",
        2,
    ),
    Expect(
        "migrations/0012_scim.sql",
        "-- Enterprise edition§ only\nCREATE TABLE scim (id int);\n",
        C.ENTERPRISE_IMPLEMENTATION,
        "enterprise-only-marker",
    ),
    Expect(
        "templates/billing.html",
        "{# CAVRA Enterprise§ only #}\n<div></div>\n",
        C.ENTERPRISE_IMPLEMENTATION,
        "enterprise-only-marker",
    ),
    Expect(
        "docs/sso.md",
        "# SSO\n\n> **Enterprise§ only.** Configure SAML here.\n",
        C.ENTERPRISE_IMPLEMENTATION,
        "enterprise-only-marker",
        3,
    ),
    Expect(
        "docs/saml.rst",
        "SAML\n====\n\n.. enterprise§-only::\n\n   Settings.\n",
        C.ENTERPRISE_IMPLEMENTATION,
        "enterprise-only-marker",
        4,
    ),
    Expect(
        "lib/sso.rb",
        "# This file is part of CAVRA§ Enterprise.\nmodule Sso; end\n",
        C.ENTERPRISE_IMPLEMENTATION,
        "enterprise-license-header",
    ),
    Expect(
        "web/package.json",
        '{\n  "name": "ui",\n  "license": "LicenseRef-CAVRA§-Enterprise"\n}\n',
        C.ENTERPRISE_IMPLEMENTATION,
        "enterprise-license-header",
        3,
    ),
    # private packages imported from JavaScript / TypeScript
    Expect(
        "web/src/admin.ts",
        'export async function load() {\n  return import("@cavra/§saas/provisioning");\n}\n',
        C.SAAS_BACKEND_SOURCE,
        "saas-backend-import",
        2,
    ),
    Expect("web/src/boot.ts", "import '@cavra-§cloud/telemetry';\n", C.SAAS_BACKEND_SOURCE, "saas-backend-import"),
    Expect(
        "server/license.js",
        "'use strict';\nconst { verify } = require('@cavra/§enterprise/licensing');\n",
        C.ENTERPRISE_IMPLEMENTATION,
        "enterprise-package-import",
        2,
    ),
    Expect(
        "web/src/index.mjs",
        "export * from 'cavra-§enterprise';\n",
        C.ENTERPRISE_IMPLEMENTATION,
        "enterprise-package-import",
    ),
    # tenant isolation and provisioning in SQL, in migrations and in strings of any language
    Expect(
        "migrations/0007.sql",
        "-- schemas\nEXECUTE format('SET search§_path TO %I', 'tenant_' || tid);\n",
        C.SAAS_BACKEND_SOURCE,
        "tenant-isolation-sql",
        2,
    ),
    Expect(
        "db/router.py",
        'def use(cursor, tenant):\n    cursor.execute(f"SET search§_path TO tenant_{tenant.slug}")\n',
        C.SAAS_BACKEND_SOURCE,
        "tenant-isolation-sql",
        2,
    ),
    Expect(
        "db/rls.sql",
        "CREATE POL§ICY isolation ON jobs USING (tenant_id = current_setting('app.tenant§_id'));\n",
        C.SAAS_BACKEND_SOURCE,
        "tenant-isolation-sql",
    ),
    Expect(
        "internal/provision.go",
        'db.Exec("CREATE SCHEMA§ IF NOT EXISTS tenant_" + slug)\n',
        C.SAAS_BACKEND_SOURCE,
        "tenant-isolation-sql",
    ),
    Expect(
        "db/schema.sql",
        "ALTER TABLE tenant_jobs ENABLE ROW LEVEL§ SECURITY;\n",
        C.SAAS_BACKEND_SOURCE,
        "tenant-isolation-sql",
    ),
    # private policy packs by declaration and by path, one finding per file
    Expect(
        "opa/tenancy.rego",
        'package cavra.enterprise§.tenancy\n\ndeny[msg] { msg := "x" }\n',
        C.PRIVATE_POLICY_PACK,
        "private-pack-declaration",
    ),
    Expect(
        "rules/limits.rego",
        "# visibility§: private\npackage acme.limits\n",
        C.PRIVATE_POLICY_PACK,
        "private-pack-visibility",
    ),
    Expect(
        "policies/private/tenants.rego",
        'package acme§.tenants\n\ndeny[msg] { msg := "x" }\n',
        C.PRIVATE_POLICY_PACK,
        "private-pack-path",
    ),
    Expect(
        "enterprise/policies/sso.toml",
        '[pa§ck]\nname = "sso"\nvisibility = "enterprise"\n',
        C.PRIVATE_POLICY_PACK,
        "private-pack-path",
    ),
    Expect(
        "packs/enterprise/billing.yaml",
        "name: billing\nru§les:\n  - id: plan-limits\n",
        C.PRIVATE_POLICY_PACK,
        "private-pack-path",
        2,
    ),
    # tenant rows: notebook outputs, SQL dumps, Markdown tables, JSON rows (a row beats the id it holds)
    Expect(
        "notebooks/t.ipynb",
        notebook("tenant§_id=acme-prod-7731 owner_email=ops@acme-corp.io plan=enterprise"),
        C.TENANT_RECORD,
        "tenant-record",
        7,
    ),
    Expect(
        "notebooks/df.ipynb",
        notebook("        tenant§_id       owner_email        plan", "0  acme-prod-7731  ops@acme-corp.io  enterprise"),
        C.TENANT_RECORD,
        "tenant-record",
        8,
    ),
    Expect(
        "dump/tenants.sql",
        "COPY public.tenants (id, owner_email, plan) FROM stdin;\nglobex-eu-0042\tjane@globex.io\tgrowth\n\\.\n",
        C.TENANT_RECORD,
        "tenant-record",
        2,
    ),
    Expect(
        "dump/mysql.sql",
        "INSERT INTO `ten§ants` VALUES ('initech-prod-19','Initech','bill@initech.io');\n",
        C.TENANT_RECORD,
        "tenant-record",
    ),
    Expect(
        "docs/tenants.md",
        "| tenant§_id | owner_email | plan |\n|---|---|---|\n| umbrella-ap-55 | ops@umbrella.io | pro |\n",
        C.TENANT_RECORD,
        "tenant-record",
        3,
    ),
    Expect(
        "data/tenants.json",
        '{"tenant§_id": "acme-prod-7731", "owner_email": "ops@acme-corp.io", "plan": "pro"}\n',
        C.TENANT_RECORD,
        "tenant-record",
    ),
    Expect(
        "seed/tenants.yaml",
        "tenants:\n  - tenant§_id: globex-eu-0042\n    owner: jane@globex.io\n",
        C.TENANT_RECORD,
        "tenant-record",
        2,
    ),
    # tenant ids in documentation URLs
    Expect(
        "docs/usage.md", "Open <https://app.cavra.io/t/acme§-prod-7731/settings>.\n", C.TENANT_ID, "tenant-id-in-url"
    ),
    Expect(
        "docs/admin.rst",
        "See https://docs.cavra.io/admin?tenant§=globex-eu-0042 for quotas.\n",
        C.TENANT_ID,
        "tenant-id-in-url",
    ),
    # webhook signing secrets and billing keys under their own names beat the generic credential rules
    Expect(
        "deploy/.env",
        "DEBUG=0\nWEBHOOK§_SECRET=Qm2Cavra9Synth4Lp8Zr3Xv6Tn1\n",
        C.WEBHOOK_SECRET,
        "webhook-secret-assignment",
        2,
    ),
    Expect(
        "docs/hooks.md",
        '```python\nsigning_sec§ret = "Zr3Xv6Tn1Qm2Cavra9Synth4"\n```\n',
        C.WEBHOOK_SECRET,
        "webhook-secret-assignment",
        2,
    ),
    Expect(
        "deploy/.env",
        "STRIPE_WEBHOOK§_SECRET=Qm2Cavra9Synth4Lp8Zr3Xv6Tn1\n",
        C.WEBHOOK_SECRET,
        "webhook-secret-assignment",
    ),
    Expect(
        "deploy/.env", "INVOICE_API§_KEY=Tn1Qm2Cavra9Synth4Lp8Zr3Xv6\n", C.BILLING_SECRET, "billing-secret-assignment"
    ),
    Expect(
        "deploy/values.yaml",
        "billing:\n  payment_gateway§_key: Lp8Zr3Xv6Tn1Qm2Cavra9Synth4\n",
        C.BILLING_SECRET,
        "billing-secret-assignment",
        2,
    ),
)

QUIET: tuple[tuple[str, str], ...] = (
    ("docs/editions.md", "Some features are available in the Enterprise edition; see the pricing page.\n"),
    ("docs/auth.md", "SSO is an Enterprise-only feature; the Community edition uses local accounts.\n"),
    ("web/src/edition.ts", "// Community edition: the Enterprise features live elsewhere.\n"),
    ("web/src/contract.ts", "import { Contract } from '@cavra/contract';\n"),
    ("web/src/theme.ts", "import { theme } from '@cavra/saasy-theme';\nimport docs from '@cavra/cloud-docs';\n"),
    ("web/src/plans.ts", "import { Plans } from '@acme/enterprise';\nconst ui = require('enterprise-ui');\n"),
    ("migrations/0001_init.sql", "SET search_path TO public;\nCREATE SCHEMA IF NOT EXISTS analytics;\n"),
    ("db/rls.sql", "ALTER TABLE posts ENABLE ROW LEVEL SECURITY;\nCREATE POLICY own ON posts USING (author = 1);\n"),
    ("docs/architecture.md", "Each request runs SET search_path to the tenant schema first.\n"),
    ("policies/public/tenancy.rego", "package cavra.tenancy\n"),
    ("opa/docs.rego", "package cavra.enterprise_docs\n"),
    ("policies/private/README.md", "# Private packs\n\nThe rules: see the private repository.\n"),
    ("sql/schema.sql", "CREATE TABLE tenants (tenant_id text PRIMARY KEY, owner_email text, plan text);\n"),
    ("dump/tenants.sql", "COPY public.tenants (id, owner_email, plan) FROM stdin;\n\\N\t\\N\t\\N\n\\.\n"),
    ("docs/guide.md", "```python\nTenant(tenant_id=tenant.id, owner_email=owner.email, plan=plan)\n```\n"),
    (
        "docs/tenants.md",
        "| tenant_id | owner_email | plan |\n|---|---|---|\n| <tenant-id> | <owner-email> | <plan> |\n",
    ),
    ("docs/fields.md", "tenant owner plan\nare the three fields of a tenant row\n"),
    (
        "notebooks/code.ipynb",
        '{\n "cells": [{\n   "source": [\n    "rows = fetch(tenant_id=tid, plan=plan)\\n"\n   ]\n  }]\n}\n',
    ),
    ("docs/faq.md", "Discussed at https://discuss.example.org/t/how-to-rotate-keys/4821\n"),
    ("docs/sso.md", "https://login.microsoftonline.com/oauth2/authorize?tenant=common&client_id=app\n"),
    ("deploy/.env", "INVOICE_API_KEY=${INVOICE_API_KEY}\nWEBHOOK_SECRET=${WEBHOOK_SECRET}\n"),
)


@pytest.mark.parametrize("case", HITS, ids=lambda case: f"{case.rule}:{case.path}")
def test_the_most_specific_category_is_reported(tmp_path: Path, case: Expect) -> None:
    found = [f for f in _scan(tmp_path, {case.path: case.text}) if f.line == case.line]
    assert [(f.rule_id, f.category) for f in found] == [(f"policy/{case.rule}", case.category)], found


@pytest.mark.parametrize(("path", "text"), QUIET, ids=[f"{p}:{t[:24]}" for p, t in QUIET])
def test_look_alikes_stay_quiet(tmp_path: Path, path: str, text: str) -> None:
    assert [(f.rule_id, f.line) for f in _scan(tmp_path, {path: text})] == []


def test_a_private_pack_file_is_one_finding_whatever_it_declares(tmp_path: Path) -> None:
    pack = '[pa§ck]\nname = "sso"\nvisibility = "enterprise"\n\n[[rules]]\nid = "a"\n\n[[rules]]\nid = "b"\n'
    found = _scan(tmp_path, {"enterprise/policies/sso.toml": pack, "policies/public.toml": pack})
    assert sorted((f.path, f.line, f.rule_id) for f in found) == [
        ("enterprise/policies/sso.toml", 1, "policy/private-pack-path"),
        ("policies/public.toml", 3, "policy/private-pack-visibility"),
    ]
