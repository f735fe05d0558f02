"""Importing detect-secrets without ``requests``.

detect-secrets' plugins and filters import ``requests`` at module level, only to verify secrets online, which
this scanner never does (``adapter``: verification lives in methods we never call). ``requests`` and what it
pulls in (urllib3, charset_normalizer, http.cookiejar, ...) take about 0.1 s to import: two thirds of
detect-secrets' import, paid by every hook run that meets a candidate and by every pool worker.

While detect-secrets imports, ``sys.modules`` holds a stand-in under that name; its modules keep a reference
to the stand-in, which loads the real ``requests`` the first time any attribute is read from it (so a call
that did reach the network would still work). The two names its modules read at import time, as return
annotations, are answered without loading anything. Where ``requests`` or detect-secrets is already imported
(a host program using the API), nothing is stood in for.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

REQUESTS = "requests"
# Read at import time by detect-secrets' plugins, in ``def ... -> requests.Response`` annotations.
_ANNOTATION_NAMES = frozenset({"Response"})


class _DeferredRequests(types.ModuleType):
    """Stands for ``requests`` in detect-secrets' modules; any attribute loads the real module."""

    def __getattr__(self, name: str) -> Any:
        if name in _ANNOTATION_NAMES and self.__dict__.get("_importing", False):
            return object
        return getattr(_real_requests(), name)


def _real_requests() -> types.ModuleType:
    module = sys.modules.get(REQUESTS)
    if module is None or isinstance(module, _DeferredRequests):
        sys.modules.pop(REQUESTS, None)
        module = importlib.import_module(REQUESTS)
    return module


@contextmanager
def requests_deferred() -> Iterator[None]:
    """Within the block, ``import requests`` gives the stand-in (unless the real module is already loaded);
    afterwards ``sys.modules`` no longer holds it, so anyone else importing ``requests`` gets the real one."""
    if REQUESTS in sys.modules or "detect_secrets" in sys.modules:
        yield
        return
    stand_in = _DeferredRequests(REQUESTS, __doc__)
    stand_in.__dict__["_importing"] = True
    sys.modules[REQUESTS] = stand_in
    try:
        yield
    finally:
        stand_in.__dict__["_importing"] = False
        if sys.modules.get(REQUESTS) is stand_in:
            del sys.modules[REQUESTS]
