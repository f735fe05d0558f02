"""A fake detector for testing the pipeline without the real rules: it flags ``LEAK-<token>`` values."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cavra_safety.config import Config
from cavra_safety.findings import Category, Finding, Note, RuleInfo, Severity
from cavra_safety.policy import Policy
from cavra_safety.sources import Source

LEAK_RULE = RuleInfo("fake/leak", Category.CONNECTOR_CREDENTIAL, Severity.HIGH, "Fake leak")
TENANT_RULE = RuleInfo("fake/tenant", Category.TENANT_ID, Severity.LOW, "Fake tenant")
_LEAK = re.compile(r"LEAK-(\w+)")
_TENANT = re.compile(r"TENANT-(\w+)")


class FakeDetector:
    rules = (LEAK_RULE, TENANT_RULE)

    def detect(self, source: Source) -> Iterator[Finding | Note]:
        for number, line in enumerate(source.lines, start=1):
            for rule, pattern in ((LEAK_RULE, _LEAK), (TENANT_RULE, _TENANT)):
                for match in pattern.finditer(line):
                    yield Finding.create(
                        rule,
                        path=source.path,
                        line=number,
                        column=match.start() + 1,
                        secret=match.group(0),
                        message=f"{rule.title} found",
                        commit=source.commit,
                    )
            if "BROKEN-NOTE" in line:
                yield Note(source.path, number, "fake note")


def build_fake(config: Config, policy: Policy) -> FakeDetector:
    return FakeDetector()


FAKES = {"fake": build_fake}
