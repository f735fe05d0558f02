"""Policy packs: loading, validation and the compiled rules. (Interface stub; the policy work replaces it.)"""

from __future__ import annotations

from dataclasses import dataclass

from cavra_safety.config import Config
from cavra_safety.findings import RuleInfo


@dataclass(frozen=True)
class Policy:
    rules: tuple[RuleInfo, ...] = ()


def load_policy(config: Config) -> Policy:
    return Policy()
