"""The secrets detector remembers what it decides from a path alone; the memo never changes a decision."""

from __future__ import annotations

from pathlib import Path

import pytest
from detect_secrets.filters import heuristic

from cavra_safety.config import Config
from cavra_safety.detectors.secrets import adapter
from cavra_safety.policy import load_policy
from cavra_safety.sources.generated import is_generated

PATHS = ["yarn.lock", "docs/swagger/index.html", "img/logo.svg", "dist/app.min.js", "app/settings.py", "README"]


@pytest.mark.parametrize("remembered", [2, adapter.PATHS_REMEMBERED])
def test_the_facts_of_a_path_are_the_heuristics_answers_however_often_asked(monkeypatch, remembered) -> None:
    monkeypatch.setattr(adapter, "PATHS_REMEMBERED", remembered)  # 2: the memo starts afresh again and again
    config = Config(root=Path("."))
    detector = adapter.build_eager_secrets_detector(config, load_policy(config))
    for _ in range(3):
        for path in PATHS:
            skip = heuristic.is_lock_file(path) or heuristic.is_swagger_file(path) or heuristic.is_non_text_file(path)
            assert detector._path_facts(path) == (skip, is_generated(path)), path
    assert len(detector._facts_by_path) <= remembered


@pytest.mark.parametrize(
    "path",
    [
        "swagger",
        "api/swagger.json",
        "docs/Swagger/x.yml",  # the word in another case: not detect-secrets' match either
        "a/swagge/r.txt",
        "line\nswagger",
        "swagger\n",
        "pre-swaggerfile",
        "",
        "app/settings.py",
    ],
)
def test_the_swagger_test_is_detect_secrets_own(path: str) -> None:
    assert adapter.is_swagger_path(path) is heuristic.is_swagger_file(path)
