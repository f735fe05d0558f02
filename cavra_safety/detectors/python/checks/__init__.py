"""The checks of the Python detector, registered in one tuple literal (run in this order).

The detector imports this module only when a file passes a gate.
"""

from __future__ import annotations

from cavra_safety.detectors.python.base import Candidate, Check, FileContext, Invalid, Valid
from cavra_safety.detectors.python.checks.bindings import (
    AssignmentBinding,
    DefaultParameterBinding,
    DictLiteralBinding,
    KeywordArgumentBinding,
    LookupDefaultBinding,
)
from cavra_safety.detectors.python.checks.imports import DynamicImportCheck, ImportStatementCheck
from cavra_safety.detectors.python.checks.markers import (
    DocstringBannerCheck,
    EditionMarkerCheck,
    LicenceHeaderCheck,
    PrivateDefinitionCheck,
)

CHECKS: tuple[type[Check], ...] = (
    ImportStatementCheck,
    DynamicImportCheck,
    AssignmentBinding,
    KeywordArgumentBinding,
    DictLiteralBinding,
    DefaultParameterBinding,
    LookupDefaultBinding,
    PrivateDefinitionCheck,
    EditionMarkerCheck,
    LicenceHeaderCheck,
    DocstringBannerCheck,
)

# The binding checks whose findings `cavra-safety fix` can rewrite (their candidates carry an env_name).
FIXABLE_CHECKS: tuple[type[Check], ...] = (AssignmentBinding, KeywordArgumentBinding, DefaultParameterBinding)

__all__ = ["CHECKS", "FIXABLE_CHECKS", "Candidate", "Check", "FileContext", "Invalid", "Valid"]
