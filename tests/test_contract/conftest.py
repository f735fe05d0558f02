from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# The contract tests share sample documents and secret builders from contract_samples.py beside them.
sys.path.insert(0, str(HERE))
