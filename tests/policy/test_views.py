"""``policy.views``: which sources get a derived view, and how a place in a view maps back to the original."""

from __future__ import annotations

import pytest

from cavra_safety.policy.views import Place, ViewBuilder, derived_views
from cavra_safety.sources import Source


def views_of(path: str, text: str) -> int:
    source = Source(path, text)
    return len(derived_views(source))


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        ("config/app.ini", "[billing]\napi_key = abc\n", 1),
        ("src/main/resources/application.properties", "billing.api-key=abc\n", 1),
        ("exports/tenants.csv", "id,contact\nacme-prod-7731,ops@acme-corp.io\n", 1),
        # cavra: allow policy/tenant-isolation-sql -- test data of the joined-statement view
        ("db/rls.sql", "CREATE POLICY p ON t\n  USING (tenant_id = x);\n", 1),
        ("cavra/db.py", 'SQL = """\nCREATE POLICY p ON t\n  USING (tenant_id = x)\n"""\n', 1),
        # no view: another file type, no section word, a one-line statement, a file not named for tenants
        ("cavra/settings.py", "[billing]\napi_key = abc\n", 0),
        ("config/app.ini", "[cache]\nttl = 60\n", 0),
        # cavra: allow policy/tenant-isolation-sql -- test data of the joined-statement view
        ("db/rls.sql", "CREATE POLICY p ON t USING (tenant_id = x);\n", 0),
        ("exports/rows.csv", "id,contact\nacme-prod-7731,ops@acme-corp.io\n", 0),
        ("README.md", "Install with pip.\n", 0),
    ],
)
def test_which_sources_get_a_view(path: str, text: str, expected: int) -> None:
    assert views_of(path, text) == expected


def built() -> ViewBuilder:
    builder = ViewBuilder()
    builder.add_line([], "")
    builder.add_line(['billing_api_key = "', ("Qm2Lp8", 4, 10), '"'], "Read under its section.")
    builder.add_line([("CREATE POLICY p ON t", 6, 2), " ", ("USING (x)", 7, 4)], "Joined.")
    return builder


def test_a_place_in_a_copied_piece_maps_to_where_it_was_copied_from() -> None:
    view = built().build()
    assert view is not None
    assert view.place_of(2, 20, 2, 26) == Place(5, 11, 5, 17)  # the value, on its own line
    assert view.place_of(3, 1, 3, 31) == Place(7, 3, 8, 14)  # across two original lines
    assert view.note(2) == "Read under its section."


@pytest.mark.parametrize(("line", "column"), [(2, 1), (2, 5), (1, 1), (9, 1)])
def test_a_place_on_added_words_maps_nowhere(line: int, column: int) -> None:
    view = built().build()
    assert view is not None
    assert view.place_of(line, column, line, column + 3) is None


def test_a_view_with_nothing_copied_is_no_view() -> None:
    builder = ViewBuilder()
    builder.add_line(["added only"], "")
    assert builder.build() is None
