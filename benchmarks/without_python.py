"""``cavra-safety`` with the Python detector unregistered: a diagnostic row of the benchmark that
shows what the Python checks cost (``python benchmarks/without_python.py scan ...``)."""

from __future__ import annotations

import sys

from cavra_safety.cli import main
from cavra_safety.detectors import DETECTORS

if __name__ == "__main__":
    DETECTORS.pop("python", None)  # the registry dict is shared with the pipeline: it now runs without it
    sys.exit(main())
