"""The wheel ships every package: pyproject.toml's hand-kept ``packages`` list names exactly the folders that
are packages (a new subpackage left off the list would install without it, and fail only for users)."""

from __future__ import annotations

import tomllib
from pathlib import Path

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
