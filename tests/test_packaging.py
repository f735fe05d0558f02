"""The wheel ships every package: pyproject.toml's hand-kept ``packages`` list names exactly the folders that
are packages (a new subpackage left off the list would install without it, and fail only for users). A release
holds together: the version, the newest CHANGELOG section and the tag the docs install from."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from cavra_safety import __version__

CHECKOUT = Path(__file__).resolve().parents[1]


def setuptools_table() -> dict[str, object]:
    with open(CHECKOUT / "pyproject.toml", "rb") as handle:
        table: dict[str, object] = tomllib.load(handle)["tool"]["setuptools"]
    return table


def package_folders() -> set[str]:
    """Every folder of the two top-level packages that holds an ``__init__.py``, as a dotted name."""
    found = set()
    for top in ("cavra_safety", "contract"):
        for init in (CHECKOUT / top).rglob("__init__.py"):
            found.add(".".join(init.parent.relative_to(CHECKOUT).parts))
    return found


def test_the_packages_list_names_every_package_folder_and_nothing_else() -> None:
    table = setuptools_table()
    listed = set(table["packages"])  # type: ignore[call-overload]
    mapped = set(table["package-dir"])  # type: ignore[call-overload]
    assert listed - mapped == package_folders()


def test_every_mapped_package_is_listed_and_its_folder_exists() -> None:
    table = setuptools_table()
    for package, folder in table["package-dir"].items():  # type: ignore[attr-defined]
        assert package in table["packages"], package  # type: ignore[operator]
        assert (CHECKOUT / folder).is_dir(), folder


# The release: one version, one CHANGELOG section for it, one tag the docs install from (README "Releasing").
CHANGELOG = CHECKOUT / "CHANGELOG.md"
RELEASE_SECTION = re.compile(r"^## \[(?P<version>[^\]]+)\](?: - (?P<date>\S+))?$", re.MULTILINE)
# Where the docs install a release: pip's git+URL and the action's `uses:` (...cavra-safety@vX.Y.Z), pre-commit's rev.
INSTALLED_TAG = re.compile(r"cavra-safety@(?P<tag>v[^\s\"'`]+)|^\s*rev: (?P<rev>\S+)", re.MULTILINE)
DOCS_NAMING_THE_TAG = ("README.md", "docs/ci.md")


def changelog_sections() -> list[tuple[str, str | None]]:
    return [(m["version"], m["date"]) for m in RELEASE_SECTION.finditer(CHANGELOG.read_text(encoding="utf-8"))]


def test_the_version_is_read_from_one_place() -> None:
    with open(CHECKOUT / "pyproject.toml", "rb") as handle:
        pyproject = tomllib.load(handle)
    assert "version" not in pyproject["project"] and pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "cavra_safety.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__), __version__


def test_the_newest_changelog_section_is_this_version() -> None:
    sections = changelog_sections()
    assert sections[0] == ("Unreleased", None), "CHANGELOG.md starts with an (empty or not) Unreleased section"
    released = sections[1:]
    assert released and released[0][0] == __version__, f"newest release section {released[:1]}, version {__version__}"
    dates = [date for _version, date in released]
    assert all(date and re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) for date in dates), dates
    assert dates == sorted(dates, reverse=True)  # type: ignore[type-var]
    text = CHANGELOG.read_text(encoding="utf-8")
    links = dict(re.findall(r"^\[([^\]]+)\]: (\S+)$", text, re.MULTILINE))
    assert set(links) == {version for version, _date in sections}
    assert links["Unreleased"].endswith(f"/compare/v{__version__}...HEAD")
    assert links[__version__].endswith(f"/releases/tag/v{__version__}")


@pytest.mark.parametrize("doc", DOCS_NAMING_THE_TAG)
def test_every_tag_the_docs_install_from_is_this_version(doc: str) -> None:
    text = (CHECKOUT / doc).read_text(encoding="utf-8")
    named = [
        (text.count("\n", 0, match.start()) + 1, match["tag"] or match["rev"]) for match in INSTALLED_TAG.finditer(text)
    ]
    assert named, f"{doc} names no release tag"
    wrong = [f"{doc}:{line}: {tag}" for line, tag in named if tag != f"v{__version__}"]
    assert not wrong, f"the release is v{__version__}; these places name another tag: {wrong}"


def test_no_python_file_repeats_the_version() -> None:
    """A second copy would go stale at the next release: code, tests and benchmarks read ``__version__`` (the docs
    name the tag, which the test above holds to it)."""
    listed = subprocess.run(["git", "ls-files", "-z", "*.py"], cwd=CHECKOUT, capture_output=True, check=True)
    literal = re.compile(r"""(["'])""" + re.escape(__version__) + r"\1")
    repeats = [
        name
        for name in listed.stdout.decode().split("\0")
        if name and name != "cavra_safety/__init__.py" and literal.search((CHECKOUT / name).read_text(encoding="utf-8"))
    ]
    assert repeats == []
