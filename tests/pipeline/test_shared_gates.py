"""The shared pass (``multipattern.SharedGates``) changes only how the gates are asked, never what a scan finds:
every gate it answers (the secrets plugins', the allow comments', the statement view's, the Python gates') gives
the same findings and suppressions as the gate's own RE2 search."""

from __future__ import annotations

from pathlib import Path

import pytest
from view_scan import build_engine, token

from cavra_safety import multipattern
from cavra_safety.multipattern import SHARED_GATES
from cavra_safety.pipeline.engine import BatchOutcome, Engine
from cavra_safety.sources import Source

pytestmark = pytest.mark.skipif(not multipattern.AVAILABLE, reason="no Hyperscan wheel on this platform")


def _sources() -> list[Source]:
    github = "ghp_" + token(36)
    stripe = "sk_live_" + token(24)
    return [
        Source(
            "app/settings.py",
            f'GITHUB_TOKEN = "{github}"\n'
            f'STRIPE_KEY = "{stripe}"  # cavra: allow policy/stripe-live-secret-key -- a test value\n',
        ),
        Source("app/billing.py", f'def charge():\n    api_key = "{stripe}"\n    return api_key\n'),
        Source("app/models.py", "class Tenant:\n    tenant_id = '" + "acme-" + "prod-4821'\n"),
        Source("db/schema.sql", "CREATE " + "POLICY tenant_isolation\n  ON invoices\n  USING (tenant_id = 42);\n"),
        Source("deploy/app.ini", f"[billing]\nsecret_key = {token(32)}\n"),
        Source("notes.txt", "nothing to see here\n"),
        Source("caf\u00e9.md", "Caf\u00e9 \u263a password = 'S3cr3t-" + token(12) + "'\n"),
        Source("fold.py", "to\u212aen = '" + token(30) + "'\n"),  # a text the pass declines
    ]


def _scan(engine: Engine, sources: list[Source]) -> list[tuple[object, ...]]:
    found: list[tuple[object, ...]] = []
    for source in sources:
        outcome: BatchOutcome = engine.scan_source(source)
        found += [(f.path, f.rule_id, f.line, f.column, f.fingerprint) for f in outcome.findings]
        found += [("suppressed", s.finding.rule_id, s.finding.line) for s in outcome.suppressed]
        found += [("note", n.path, n.line, n.message) for n in outcome.notes]
    return sorted(found, key=repr)


def test_the_shared_pass_finds_what_each_gate_finds(tmp_path: Path) -> None:
    engine = build_engine(tmp_path)
    sources = _sources()
    SHARED_GATES.disable()
    own_gates = _scan(engine, [Source(s.path, s.text) for s in sources])
    engine.prepare()  # a large scan's process: the shared pass answers
    assert SHARED_GATES.held is not None
    shared = _scan(engine, [Source(s.path, s.text) for s in sources])
    assert shared == own_gates
    rules = {item[1] for item in shared}
    assert {"secret/github-token", "policy/tenant-isolation-sql", "policy/billing-secret-assignment"} <= rules
    assert ("suppressed", "policy/stripe-live-secret-key", 2) in shared
