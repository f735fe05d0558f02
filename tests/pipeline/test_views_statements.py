"""Tenant isolation written as SQL over several lines: reported once, at the statement's first line, in SQL
files and in the SQL strings of code; policies on users or authors are not tenant isolation."""

from __future__ import annotations

from pathlib import Path

import pytest
from view_scan import build_engine, scan_file

from cavra_safety.pipeline.engine import Engine

RULE = "policy/tenant-isolation-sql"

# (path, text, 1-based line of the statement's start, its column)
POSITIVES = [
    (
        "migrations/0008_rls.sql",
        "ALTER TABLE invoices ENABLE ROW LEVEL SECURITY;\n\n"
        # cavra: allow policy/tenant-isolation-sql -- test data of the joined-statement view
        "CREATE POLICY tenant_isolation ON invoices\n  FOR ALL\n"
        "  USING (tenant_id = current_setting('app.tenant')::uuid);\n",
        3,
        1,
    ),
    (
        "db/rls.sql",
        # cavra: allow policy/tenant-isolation-sql -- test data of the joined-statement view
        "CREATE POLICY rows_of_org ON jobs\n    FOR SELECT\n    TO app_user\n    USING (tenant_id = get_tenant());\n",
        1,
        1,
    ),
    # cavra: allow policy/tenant-isolation-sql -- test data of the joined-statement view
    ("db/search_path.sql", "SET search_path TO\n    tenant_acme,\n    public;\n", 1, 1),
    # cavra: allow policy/tenant-isolation-sql -- test data of the joined-statement view
    ("db/roles.sql", "ALTER ROLE acme_app\n  IN DATABASE cavra\n  SET app.current_tenant = 'acme';\n", 1, 1),
    (
        "migrations/versions/0042_rls.py",
        # cavra: allow policy/tenant-isolation-sql -- test data of the joined-statement view
        'def upgrade():\n    op.execute(\n        """\n        CREATE POLICY isolation ON invoices\n'
        "            USING (tenant_id = current_setting('app.tenant')::uuid)\n"
        '        """\n    )\n',
        4,
        9,
    ),
    (
        "db/migrations/20240101_rls.js",
        # cavra: allow policy/tenant-isolation-sql -- test data of the joined-statement view
        "exports.up = (knex) => knex.raw(`\n  CREATE POLICY isolation ON jobs\n"
        "  USING (tenant_id = current_setting('app.tenant_id')::uuid);\n`);\n",
        2,
        3,
    ),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return build_engine(tmp_path_factory.mktemp("engine"))


@pytest.mark.parametrize(("path", "text", "line", "column"), POSITIVES)
def test_a_statement_over_several_lines_is_reported_once_at_its_start(
    engine: Engine, tmp_path: Path, path: str, text: str, line: int, column: int
) -> None:
    findings = [finding for finding in scan_file(engine, tmp_path, path, text) if finding.rule_id == RULE]
    assert [(finding.line, finding.column) for finding in findings] == [(line, column)]
    (finding,) = findings
    assert finding.category == "saas-backend-source"
    assert finding.end_line > finding.line
    assert finding.message.startswith(f"Read as one statement from line {line} to line ")


NEGATIVES = [
    ("db/rls.sql", "CREATE POLICY own_posts ON posts\n  FOR SELECT\n  USING (author_id = current_user_id());\n"),
    (
        "db/rls.sql",
        "CREATE POLICY user_isolation ON documents\n  USING (owner_id = current_setting('app.user_id')::uuid);\n",
    ),
    ("db/search_path.sql", "SET search_path TO\n    app,\n    public;\n"),
    ("db/roles.sql", "ALTER ROLE app_user\n  SET statement_timeout = '5s';\n"),
    # a statement ends at its semicolon: a tenant column in the next statement is not this policy's
    (
        "db/rls.sql",
        "CREATE POLICY own_posts ON posts\n  USING (author_id = current_user_id());\nSELECT tenant_id FROM accounts;\n",
    ),
    # and at a blank line
    ("docs/db.md", "CREATE POLICY own_posts ON posts\n\nEach tenant_id column is indexed.\n"),
]


@pytest.mark.parametrize(("path", "text"), NEGATIVES)
def test_policies_not_keyed_on_tenants_are_not_reported(engine: Engine, tmp_path: Path, path: str, text: str) -> None:
    assert [finding for finding in scan_file(engine, tmp_path, path, text) if finding.rule_id == RULE] == []


def test_a_one_line_statement_is_still_reported_as_before(engine: Engine, tmp_path: Path) -> None:
    # cavra: allow policy/tenant-isolation-sql -- test data of the joined-statement view
    text = "CREATE POLICY rows_of_org ON jobs FOR ALL USING (tenant_id = get_tenant());\n"
    findings = scan_file(engine, tmp_path, "db/rls.sql", text)
    assert [(finding.rule_id, finding.line, finding.end_line) for finding in findings] == [(RULE, 1, 1)]


def test_an_allow_on_the_statement_line_covers_the_statement(engine: Engine, tmp_path: Path) -> None:
    text = (
        "-- cavra: allow policy/tenant-isolation-sql -- documented example of the SaaS schema\n"
        "CREATE POLICY tenant_isolation ON invoices\n  USING (tenant_id = current_setting('app.tenant')::uuid);\n"
    )
    assert scan_file(engine, tmp_path, "docs/rls.sql", text) == []


# Statements inside ordinary quoted strings of code: they run on into strings that continue them, never into code.
IN_CODE = [
    (
        "cavra/db/rls.py",
        "def isolate(cursor):\n    cursor.execute(\n"
        '        "CREATE POLICY isolation ON invoices "\n'  # cavra: allow policy/tenant-isolation-sql -- test data
        '        "USING (tenant_id = get_tenant_id())"\n    )\n',
        [3],
    ),
    (
        "web/server/rls.js",
        # cavra: allow policy/tenant-isolation-sql -- test data of the joined-statement view
        "await db.query('CREATE POLICY isolation ON jobs ' +\n  'USING (tenant_id = app_tenant())');\n",
        [1],
    ),
    (
        "cavra/db/setup.py",
        'def setup(cursor, tenants):\n    cursor.execute("CREATE SCHEMA analytics")\n'
        "    for tenant in tenants:\n        provision(tenant_id=tenant.id)\n",
        [],
    ),
    (
        "cavra/db/setup.py",
        'def setup(cursor):\n    cursor.execute("CREATE POLICY own ON posts "\n'
        '                   "USING (author_id = uid())")\n    log(tenant_id)\n',
        [],
    ),
]


@pytest.mark.parametrize(("path", "text", "lines"), IN_CODE)
def test_a_statement_in_a_code_string_ends_where_its_string_does(
    engine: Engine, tmp_path: Path, path: str, text: str, lines: list[int]
) -> None:
    findings = [finding for finding in scan_file(engine, tmp_path, path, text) if finding.rule_id == RULE]
    assert [finding.line for finding in findings] == lines
