"""The detector registry: one literal dict, in the order detectors run.

Each factory builds its detector once per process from the config and the loaded policy. Factories import
their heavy libraries (detect-secrets, the Python checks) when called, not when this module is imported.
"""

from __future__ import annotations

from cavra_safety.detectors.base import Detector, DetectorFactory
from cavra_safety.detectors.policy import build_policy_detector
from cavra_safety.detectors.python.detector import build_python_detector
from cavra_safety.detectors.secrets.lazy import build_secrets_detector

DETECTORS: dict[str, DetectorFactory] = {
    "policy": build_policy_detector,
    "secrets": build_secrets_detector,
    "python": build_python_detector,
}

__all__ = ["DETECTORS", "Detector", "DetectorFactory"]
