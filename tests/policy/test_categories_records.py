"""Tenant rows in SQL dumps, text tables and notebook outputs (``records_sql``, ``records_tables``), read the way
the policy detector reads them. Values are synthetic tenants; masked keys (``§``) keep this file's own scan
quiet."""

from __future__ import annotations

import pytest

from cavra_safety.policy.records import csv_records, key_value_records, may_hold_records
from cavra_safety.policy.records_sql import sql_records
from cavra_safety.policy.records_tables import notebook_output_lines

IDS = frozenset({"tenant_id", "tenantid", "tenant"})
COMPANIONS = frozenset({"owner", "owner_email", "plan", "billing_email"})


def unmask(text: str) -> str:
    return text.replace("§", "")


def sql_values(text: str) -> list[str]:
    return [value for _, value in sql_records(unmask(text), IDS, COMPANIONS, 1)]


@pytest.mark.parametrize(
    ("text", "values"),
    [
        # a column list, one row and many
        ("INSERT INTO tenants (tenant§_id, plan) VALUES ('acme-7731', 'pro');", ["acme-7731"]),
        ("insert into t (tenant§_id, plan) values ('a-1', 'pro'), ('b-2', 'free');", ["a-1", "b-2"]),
        # a tenant table's own id column identifies the row
        ("INSERT INTO app.ten§ants (id, owner_email) VALUES ('globex-42', 'j@globex.io');", ["globex-42"]),
        # no column list: the CREATE TABLE of the same dump names them
        (
            "CREATE TABLE `accounts` (`tenant§_id` varchar(20), `plan` text, PRIMARY KEY (`tenant_id`));\n"
            "INSERT INTO `accounts` VALUES ('initech-19','business');",
            ["initech-19"],
        ),
        # no column list, no CREATE TABLE: a tenant table's row with an e-mail address
        ("INSERT INTO ten§ants VALUES ('umbrella-55', 'Umbrella', 'ops@umbrella.io');", ["umbrella-55"]),
        # COPY ... FROM stdin (pg_dump), tab- and comma-separated
        (
            "COPY public.tenants (tenant§_id, plan) FROM stdin;\nacme-7731\tpro\nglobex-42\tfree\n\\.\n",
            ["acme-7731", "globex-42"],
        ),
        ("COPY tenants (id, owner) FROM stdin WITH (FORMAT csv);\nacme-7731,ops@acme.io\n\\.\n", ["acme-7731"]),
        # not records: no companion, NULLs and placeholders, a table of something else without columns
        ("INSERT INTO tenants (tenant§_id, status) VALUES ('acme-7731', 'active');", []),
        ("COPY tenants (tenant§_id, plan) FROM stdin;\nacme-7731\t\\N\n\\.\n", []),
        ("INSERT INTO tenants (tenant§_id, plan) VALUES ('<tenant-id>', 'pro');", []),
        ("INSERT INTO users VALUES ('jdoe', 'Jane', 'jane@example.io');", []),
        ("INSERT INTO tenants VALUES ('acme-7731', 'pro');", []),
        ("CREATE TABLE tenants (tenant§_id text, plan text);", []),
    ],
)
def test_sql_rows(text: str, values: list[str]) -> None:
    assert sql_values(text) == values


def test_sql_offsets_point_at_the_identifier() -> None:
    text = unmask("COPY tenants (tenant§_id, plan) FROM stdin;\nacme-7731\tpro\n\\.\n")
    ((offset, value),) = sql_records(text, IDS, COMPANIONS, 1)
    assert text[offset : offset + len(value)] == value == "acme-7731"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("insert into t values (1)", True),
        ("copy tenants from stdin;", True),
        ("select * from tenants", False),
    ],
)
def test_the_cheap_gate(text: str, expected: bool) -> None:
    assert may_hold_records(text) is expected


def table_values(path_suffix: str, text: str) -> list[tuple[int, str]]:
    lines = unmask(text).split("\n")
    return [(hit.line, hit.value) for hit in csv_records(lines, path_suffix, IDS, COMPANIONS, 1)]


@pytest.mark.parametrize(
    ("suffix", "text", "expected"),
    [
        (
            "md",
            "| tenant§_id | plan |\n|---|---|\n| acme-7731 | pro |\n| globex-42 | free |\n",
            [(2, "acme-7731"), (3, "globex-42")],
        ),
        ("txt", " tenant§_id | owner\n-----------+------\n acme-7731 | ops@acme.io\n(1 row)\n", [(2, "acme-7731")]),
        ("log", "tenant§_id\tplan\nacme-7731\tpro\n", [(1, "acme-7731")]),
        ("md", "tenant§_id    plan\nacme-7731     pro\n", [(1, "acme-7731")]),
        # not records: placeholders, prose in columns, a header alone, code files
        ("md", "| tenant§_id | plan |\n|---|---|\n| <tenant-id> | <plan> |\n", []),
        ("md", "tenant owner plan\nare the three fields\n", []),
        ("md", "| tenant§_id | plan |\n", []),
        ("py", "tenant§_id    plan\nacme-7731     pro\n", []),
    ],
)
def test_text_tables(suffix: str, text: str, expected: list[tuple[int, str]]) -> None:
    assert table_values(suffix, text) == expected


NOTEBOOK = [
    "{",
    ' "cells": [{',
    '   "outputs": [{',
    '     "text": [',
    "        tenant§_id   plan",
    "0  acme-7731  pro",
    "     ]",
    "   }],",
    '   "source": [',
    "    tenant§_id=tid; plan=plan",
    "   ]",
    "  }]",
    "}",
]


def test_notebook_outputs_are_data_and_cells_are_code() -> None:
    lines = [unmask(line) for line in NOTEBOOK]
    assert notebook_output_lines(lines) == {4, 5}
    assert [(hit.line, hit.value) for hit in csv_records(lines, "ipynb", IDS, COMPANIONS, 1)] == [(5, "acme-7731")]
    printed = ["{", '"text": [', unmask("tenant§_id=acme-7731 plan=pro"), "]", unmask("tenant§_id=tid plan=plan")]
    lower = [line.lower() for line in printed]
    hits = key_value_records(printed, lower, "ipynb", IDS, COMPANIONS, 1, 10)
    assert [(hit.line, hit.value) for hit in hits] == [(2, "acme-7731")]


@pytest.mark.parametrize(
    ("line", "found"),
    [
        (unmask("Tenant(tenant§_id=tenant.id, plan=plan)"), False),
        (unmask("tenant§_id=acme-7731 plan=pro"), True),
        (unmask("{tenant§_id: acme-7731, plan: pro}"), True),
    ],
)
def test_keyword_arguments_in_data_files_are_code(line: str, found: bool) -> None:
    hits = list(key_value_records([line], [line.lower()], "md", IDS, COMPANIONS, 1, 10))
    assert bool(hits) is found
