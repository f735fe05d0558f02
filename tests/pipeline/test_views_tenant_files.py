"""Tenant exports by name: a CSV / TSV file named for tenant rows, whose header the tenant-record rule does not
know, is read with its columns named by their values; placeholders and fake rows stay unreported."""

from __future__ import annotations

from pathlib import Path

import pytest
from view_scan import build_engine, scan_file

from cavra_safety.pipeline.engine import Engine
from cavra_safety.policy.tenant_files import tenant_file_view

RULE = "policy/tenant-record"
UUID = "7f3c2a91-5d4e-4b1a-9c8d-2e6f1a3b4c5d"

# (path, text, 1-based lines of the rows reported, the identifier value of the first)
POSITIVES = [
    (
        "exports/tenants.csv",
        "id,contact,tier\nacme-prod-7731,ops@acme-corp.io,enterprise\nglobex-eu-0042,jane@globex.io,growth\n",
        [2, 3],
        "acme-prod-7731",
    ),
    ("exports/tenant_export.tsv", "ref\tadmin\n" + UUID + "\tit@initech.io\n", [2], UUID),
    (
        "data/customers.csv",
        "Kunde;E-Mail;Seit\nUmbrella AP;ops@umbrella.io;2021\nHooli;it@hooli.xyz;2019\n",
        [2, 3],
        "Umbrella AP",
    ),
    (
        "data/customers.csv",
        "name,email,since\nUmbrella AP,ops@umbrella.io,2021\nHooli,it@hooli.xyz,2019\n",
        [2, 3],
        "Umbrella AP",
    ),
    (
        "dumps/accounts-prod.csv",
        "slug,plan\ninitech-prod-19,business\numbrella-ap-55,enterprise\n",
        [2, 3],
        "initech-prod-19",
    ),
]


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    return build_engine(tmp_path_factory.mktemp("engine"))


@pytest.mark.parametrize(("path", "text", "lines", "first"), POSITIVES)
def test_rows_of_a_tenant_export_are_tenant_records(
    engine: Engine, tmp_path: Path, path: str, text: str, lines: list[int], first: str
) -> None:
    findings = [finding for finding in scan_file(engine, tmp_path, path, text) if finding.rule_id == RULE]
    assert [finding.line for finding in findings] == lines
    row = text.split("\n")[findings[0].line - 1]
    assert row[findings[0].column - 1 :].startswith(first)
    assert findings[0].category == "tenant-record"
    assert findings[0].message.startswith("Read as a tenant export (the file's name)")


NEGATIVES = [
    ("exports/tenants.csv", "id,contact,tier\n"),  # header only
    ("exports/tenants.csv", "id,contact,tier\n<tenant-id>,<owner-email>,<plan>\n"),
    ("exports/tenants.csv", "id,contact,tier\nacme-prod-7731,ops@example.com,enterprise\n"),
    ("exports/tenants.csv", "id,contact,tier\nfoo,owner@example.org,gold\nbar,admin@example.net,silver\n"),
    # not named for tenants: the same rows are whatever the file is
    ("exports/rows.csv", "id,contact,tier\nacme-prod-7731,ops@acme-corp.io,enterprise\n"),
    # named for tenants, but nothing in the rows looks like a tenant or an owner
    ("exports/accounts.csv", "code,name,kind\n1000,Cash,asset\n2000,Payables,liability\n"),
    # a header the rule knows: the plain scan reads it, the view adds nothing
    ("exports/tenants.csv", "tenant_id,owner_email,plan\n<tenant-id>,<owner-email>,<plan>\n"),
]


@pytest.mark.parametrize(("path", "text"), NEGATIVES)
def test_placeholders_fakes_and_other_files_are_not_records(
    engine: Engine, tmp_path: Path, path: str, text: str
) -> None:
    assert [finding for finding in scan_file(engine, tmp_path, path, text) if finding.rule_id == RULE] == []


def test_a_header_the_rule_knows_gets_no_view() -> None:
    lines = ["tenant_id,owner_email,plan", "acme-prod-7731,ops@acme-corp.io,enterprise"]
    assert tenant_file_view("tenants.csv", "csv", lines) is None
    assert tenant_file_view("tenants.csv", "csv", ["id,contact,tier", *lines[1:]]) is not None


def test_a_known_export_is_reported_once_per_row(engine: Engine, tmp_path: Path) -> None:
    text = "tenant_id,owner_email,plan\nacme-prod-7731,ops@acme-corp.io,enterprise\n"
    findings = [f for f in scan_file(engine, tmp_path, "exports/tenants.csv", text) if f.rule_id == RULE]
    assert [(finding.line, finding.column) for finding in findings] == [(2, 1)]


@pytest.mark.parametrize(
    ("name", "lines", "viewed"),
    [
        ("tenantExport.csv", ["ref,admin", "acme-prod-7731,ops@acme-corp.io"], True),
        ("customerlist.csv", ["ref,admin", "acme-prod-7731,ops@acme-corp.io"], True),
        ("org_2024.csv", ["ref,admin", "acme-prod-7731,ops@acme-corp.io"], True),
        ("accountants.csv", ["ref,admin", "acme-prod-7731,ops@acme-corp.io"], False),
        # rows without a header: the first line is a row, not column names
        ("tenants.csv", ["acme-prod-7731,ops@acme-corp.io", "globex-eu-0042,jane@globex.io"], False),
    ],
)
def test_which_files_are_read_as_tenant_exports(name: str, lines: list[str], viewed: bool) -> None:
    assert (tenant_file_view(name, "csv", lines) is not None) is viewed
