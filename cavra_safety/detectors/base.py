"""The detector contract: built once per process from the config and policy, then pure per source."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from cavra_safety.config import Config
from cavra_safety.findings import Finding, Note, RuleInfo
from cavra_safety.policy import Policy
from cavra_safety.sources import Source


class Detector(Protocol):
    """``detect`` reads one source and yields what it sees: no printing, no network, no writes.

    It may yield findings on any line; the pipeline applies category filters, disabled rules, inline allows
    and the added-lines restriction of diff sources afterwards.
    """

    @property
    def rules(self) -> tuple[RuleInfo, ...]: ...

    def detect(self, source: Source) -> Iterator[Finding | Note]: ...


DetectorFactory = Callable[[Config, Policy], Detector]
