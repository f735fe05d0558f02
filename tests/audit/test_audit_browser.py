"""The audit's HTML as a real browser lays it out (issue 18, point 6): Debian's headless Chromium at a phone's
width (390 x 844) and a desktop's (1280 x 900), and printed to PDF.

Without Chromium these tests skip on a developer's machine, but fail under CI (``CI=true``), where ``.ci/run``
installs it: a layout test that silently does not run is no test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from audit_samples import AWS, COMMIT_A, IMPORT, STRIPE, TENANT, finding, sample
from chromium import Chromium, Page, find_chromium, links_on, pdf_pages

from cavra_safety.audit import FORMATS, report_digest
from cavra_safety.audit.model import AuditReport, RuleRef
from cavra_safety.config import Config
from cavra_safety.policy import load_policy

PHONE, DESKTOP = (390, 844), (1280, 900)


def eight_findings() -> AuditReport:
    """The issue's case: 8 findings (5 open in the tree, 2 open only in the history, 1 accepted), with every
    default rule listed per category, as a real audit lists them."""
    tree = (
        finding(TENANT, "settings.py", "t1", line=3),
        finding(TENANT, "docs/setup.md", "t3", line=40),
        finding(TENANT, "deploy/values.yaml", "t2", line=12),
        finding(AWS, "infra/aws.env", "a1"),
        finding(AWS, "fixtures/aws.py", "fixture"),
        finding(IMPORT, "app/views.py", "i1", line=7),
    )
    history = (
        finding(STRIPE, "billing.py", "gone", commit=COMMIT_A, in_head=False),
        finding(STRIPE, "billing_old.py", "gone-too", commit=COMMIT_A, in_head=False),
    )
    accepted = ((finding(AWS, "fixtures/aws.py", "fixture"), "rotated; parser fixture"),)
    report = sample(tree=tree, history=history, accepted=accepted)
    rules = load_policy(Config(root=Path("."))).rule_infos
    return replace(
        report,
        categories=tuple(
            replace(
                row,
                rules=tuple(
                    RuleRef(rule.rule_id, rule.title, rule.severity) for rule in rules if rule.category is row.category
                ),
            )
            for row in report.categories
        ),
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    binary = find_chromium()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: .ci/run installs it (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium); CI runs these tests")
    with Chromium(binary, tmp_path_factory.mktemp("chromium-profile")) as running:
        yield running


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audit") / "audit.html"
    path.write_text(FORMATS["html"](eight_findings()), encoding="utf-8")
    return path


# Where things are, in CSS pixels from the top of the document, and whether the page scrolls sideways.
LAYOUT = """JSON.stringify((() => {
  const top = (selector) => { const e = document.querySelector(selector);
    return e ? Math.round(e.getBoundingClientRect().top + window.scrollY) : null; };
  const shown = (selector) => [...document.querySelectorAll(selector)]
    .filter((e) => getComputedStyle(e).display !== 'none').length;
  return {
    viewport: window.innerHeight,
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    made: top('p.made'), verdict: top('p.verdict'), firstOpen: top('#open article'),
    firstOpenBottom: Math.round(document.querySelector('#open article').getBoundingClientRect().bottom),
    categories: top('table.cats'), firstAccepted: top('#waved article'),
    countCells: shown('table.cats td.n'), briefs: shown('table.cats .brief'),
    runningHeader: shown('table.frame > thead'),
  };
})())"""


def layout(page: Page) -> dict[str, Any]:
    import json

    facts: dict[str, Any] = json.loads(page.evaluate(LAYOUT))
    return facts


def test_on_a_phone_the_verdict_and_the_first_open_finding_are_on_the_first_screen(
    browser: Chromium, report_file: Path, tmp_path: Path
) -> None:
    page = browser.open(report_file.as_uri(), *PHONE, mobile=True)
    facts = layout(page)
    page.screenshot(tmp_path / "phone.png")
    assert facts["overflow"] <= 0, facts  # nothing wider than the phone
    assert facts["made"] < facts["verdict"] < facts["firstOpen"] < facts["categories"] < facts["firstAccepted"]
    assert facts["firstOpenBottom"] <= facts["viewport"], facts  # the whole first open finding, unscrolled
    assert (facts["countCells"], facts["briefs"]) == (0, 10), facts  # one line per category
    assert facts["runningHeader"] == 0


def test_on_a_desktop_the_category_table_keeps_its_columns(
    browser: Chromium, report_file: Path, tmp_path: Path
) -> None:
    page = browser.open(report_file.as_uri(), *DESKTOP, mobile=False)
    facts = layout(page)
    page.screenshot(tmp_path / "desktop.png")
    assert facts["overflow"] <= 0, facts
    assert facts["made"] < facts["verdict"] < facts["firstOpen"] < facts["categories"] < facts["firstAccepted"]
    assert facts["firstOpenBottom"] <= facts["viewport"], facts
    assert (facts["countCells"], facts["briefs"]) == (50, 0), facts  # 10 categories x 5 counts
    assert facts["runningHeader"] == 0


def test_printed_every_page_carries_the_date_and_digest_and_eight_findings_take_few_pages(
    browser: Chromium, report_file: Path
) -> None:
    page = browser.open(report_file.as_uri(), *DESKTOP, mobile=False)
    pdf = page.pdf()
    pages = pdf_pages(pdf)
    # 8 findings and the rules of every category: the printout took 9 pages.
    assert 1 < len(pages) <= 3, len(pages)
    # The running header links to the digest: its link on a page means the header was drawn on that page.
    assert [links_on(pdf, one).count("evidence-digest") >= 1 for one in pages] == [True] * len(pages)
    html = report_file.read_text(encoding="utf-8")
    header = html[html.index("<thead>") : html.index("</thead>")]
    assert eight_findings().identity.generated_at in header and report_digest(eight_findings()) in header
