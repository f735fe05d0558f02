"""detectors.secrets.offline_import: detect-secrets imported with a stand-in for ``requests``."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]


def run_fresh(code: str) -> list[str]:
    """The lines ``code`` prints in a fresh interpreter (nothing imported yet)."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


BUILD = """
    import sys
    from pathlib import Path
    from cavra_safety.config import Config
    from cavra_safety.policy import load_policy
    from cavra_safety.detectors.secrets.adapter import build_eager_secrets_detector
    config = Config(root=Path("."))
    detector = build_eager_secrets_detector(config, load_policy(config))
"""


def test_the_plugins_are_built_without_importing_requests() -> None:
    printed = run_fresh(
        BUILD
        + """
    import detect_secrets.plugins.base as base
    print("requests" in sys.modules, "urllib3" in sys.modules, type(base.requests).__name__, len(detector.rules))
    """
    )
    assert printed[:3] == ["False", "False", "_DeferredRequests"]
    assert int(printed[3]) > 10  # every plugin is there


def test_the_stand_in_loads_the_real_module_when_used() -> None:
    """A verification call would still work: the first attribute read loads ``requests`` itself."""
    printed = run_fresh(
        BUILD
        + """
    import detect_secrets.plugins.base as base
    error = base.requests.exceptions.RequestException
    import requests
    print(error is requests.exceptions.RequestException, type(sys.modules["requests"]).__name__)
    """
    )
    assert printed == ["True", "module"]


def test_an_already_imported_requests_is_left_alone() -> None:
    """A host program that uses ``requests`` keeps it; detect-secrets gets the real module."""
    printed = run_fresh(
        """
    import requests
    """
        + BUILD
        + """
    import detect_secrets.plugins.base as base
    print(base.requests is requests)
    """
    )
    assert printed == ["True"]


@pytest.mark.parametrize("name", ["Response", "get"])
def test_after_the_import_every_name_is_the_real_one(name: str) -> None:
    """``Response`` is answered without loading anything only while detect-secrets imports (annotations)."""
    from cavra_safety.detectors.secrets.offline_import import _DeferredRequests

    stand_in = _DeferredRequests("requests")
    import requests

    assert getattr(stand_in, name) is getattr(requests, name)
