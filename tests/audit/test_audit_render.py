"""The three renderers: one model, the category table first, findings by category, nothing loaded from outside,
nothing from the repository able to add markup."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from audit_samples import (
    AUTHOR,
    AWS,
    COMMIT_A,
    COMMIT_B,
    HOSTILE_AUTHOR,
    HOSTILE_PATH,
    MADE,
    STRIPE,
    busy,
    finding,
    sample,
)

from cavra_safety.audit import FORMATS, report_digest, to_document
from cavra_safety.audit.markdown import code, text
from cavra_safety.findings import Category


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_is_deterministic_and_carries_the_digest(name: str) -> None:
    report = busy()
    assert FORMATS[name](report) == FORMATS[name](busy())
    assert report_digest(report) in FORMATS[name](report)


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_tells_pass_from_fail(name: str) -> None:
    failing, passing = FORMATS[name](busy()), FORMATS[name](sample())
    if name == "json":
        assert (json.loads(failing)["verdict"], json.loads(passing)["verdict"]) == ("fail", "pass")
    else:
        assert "FAIL" in failing and "FAIL" not in passing and "PASS" in passing


def test_html_is_self_contained() -> None:
    html = FORMATS["html"](busy())
    tags = _tags(html)
    names = {tag for tag, _ in tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed", "base", "svg", "video", "audio"}
    assert all(not attrs.get("src") for _, attrs in tags)
    hrefs = [attrs["href"] for tag, attrs in tags if tag == "a"]
    assert hrefs and all(href is not None and href.startswith("#") for href in hrefs)
    assert "@import" not in html and "url(" not in html and "@font-face" not in html
    csp = [attrs for tag, attrs in tags if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")
    assert any(tag == "meta" and attrs.get("name") == "viewport" for tag, attrs in tags)
    assert "@media print" in html and "@media (max-width" in html


def test_html_puts_the_open_findings_first_then_the_category_table_then_the_accepted_ones() -> None:
    html = FORMATS["html"](busy())
    order = ['class="made"', 'class="verdict', 'id="open"', 'class="cats"', "<h2>Identity</h2>", 'id="waved"']
    assert [html.index(mark) for mark in order] == sorted(html.index(mark) for mark in order)
    sections = re.findall(r'<section id="(open|waved)-([a-z-]+)">', html)
    assert sections == [  # open first, each part in the policy table's order
        ("open", "tenant-id"),
        ("open", "billing-secret"),
        ("open", "connector-credential"),
        ("waved", "connector-credential"),
    ]
    assert html.count("<article") == len(busy().findings)
    assert '<a href="#open-connector-credential">' in html  # the table links to the open ones first


def test_markdown_puts_the_open_findings_first_then_the_category_table_then_the_accepted_ones() -> None:
    md = FORMATS["markdown"](busy())
    lines = md.splitlines()
    assert lines[0].startswith("# Public-safety audit of `repo`: FAIL")
    assert lines[2] == f"Made {MADE} of commit `{COMMIT_B}` (`refs/heads/main`)."
    table = [line for line in lines if line.startswith("| ")]
    assert table[0].startswith("| Must not contain | Status |")
    marks = ["## Open findings (3)", "| Must not contain", "## Identity", "## Accepted and allowed findings (1)"]
    assert [md.index(mark) for mark in marks] == sorted(md.index(mark) for mark in marks)
    headings = re.findall(r"^### .*\(`([a-z-]+)`\)$", md, re.MULTILINE)
    assert headings == ["tenant-id", "billing-secret", "connector-credential", "connector-credential"]
    rows = [line for line in lines if re.match(r"^\| .*\(`[a-z-]+`\) \|", line)]
    assert len(rows) == len(Category)
    assert all(line.count(" | ") == 6 for line in rows)


def test_a_hostile_file_name_adds_no_markup() -> None:
    html = FORMATS["html"](busy())
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    md = FORMATS["markdown"](busy())
    # Inside a code span GitHub shows the text as is; outside code spans no markup may appear.
    outside = re.sub(r"(`+).+?\1", "", md)
    assert "<img" not in outside
    assert "``" + HOSTILE_PATH in md


def test_every_format_names_who_introduced_a_committed_value_as_text() -> None:
    """A reviewer asks who committed it: the author of the introducing commit, for history findings and for tree
    values history has, as text (the name is input: markup in it stays text), never for a value never committed."""
    report = busy()
    document = json.loads(FORMATS["json"](report))
    authors = {(f["path"], f["location"]): f["author"] for f in document["findings"]}
    assert authors[("billing.py", "history")] == AUTHOR
    assert authors[("settings.py", "tree")] == AUTHOR  # in the tree and in history: the introducing commit's
    assert authors[(HOSTILE_PATH, "tree")] is None  # never committed
    hostile = sample(
        tree=(finding(AWS, "aws.env", "a"),),
        history=(finding(STRIPE, "billing.py", "b", commit=COMMIT_A, in_head=False, author=HOSTILE_AUTHOR),),
    )
    html = FORMATS["html"](hostile)
    assert "<b>O" not in html
    assert f"{COMMIT_A}</code> 2024-01-01T00:00:00+00:00 by Mallory &lt;b&gt;O&#x27;Brien" in html
    md = FORMATS["markdown"](hostile)
    assert "by " + text(HOSTILE_AUTHOR) + ", in 2 commit(s)" in md and "<b>" not in re.sub(r"(`+).+?\1", "", md)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"),
        ("a|b", "a\\|b"),
        ("<b>*x*</b>", "\\<b\\>\\*x\\*\\</b\\>"),
        ("two\nlines", "two lines"),
        ("[link](http://x)", "\\[link\\](http://x)"),
    ],
)
def test_markdown_text_escaping(value: str, expected: str) -> None:
    assert text(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a.py", "`a.py`"),
        ("a`b", "``a`b``"),
        ("`x", "`` `x ``"),
        ("a|b", "`a|b`"),
    ],
)
def test_markdown_code_spans(value: str, expected: str) -> None:
    assert code(value) == expected


def test_markdown_code_spans_in_table_cells_escape_pipes() -> None:
    assert code("a|b", cell=True) == "`a\\|b`"


def test_the_json_document_is_the_model() -> None:
    report = busy()
    document = json.loads(FORMATS["json"](report))
    assert document == to_document(report)
    assert [row["id"] for row in document["categories"]] == [c.value for c in Category]
    assert list(document)[-1] == "digest"
