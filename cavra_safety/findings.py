"""The values every layer shares: categories, severities, rules and findings.

Findings are frozen and sortable. They never hold the secret itself: only a fingerprint (a hash) and a
redacted preview of at most four characters.

Fingerprints leave the machine (the baseline committed to the public repository, JSON, SARIF, audit reports),
so they must not give a value back to someone who guesses it. A random key cannot be guessed, and its
fingerprint stays the plain ``sha256(rule id, value)`` (its *identity*). A value a dictionary could reach
(``globex-prod-17``, a word-like password, a short licence key) is published as ``scrypt:`` + scrypt of its
identity, salted with the baseline's random salt (``Fingerprints``): about 10 ms of one core per guess, so a
million guesses take hours, and a table computed for one repository is useless for another. The identity
itself never leaves the process.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, replace

from cavra_safety.redaction import quoted, redact, shannon_entropy


class Category(enum.StrEnum):
    """The must-not-contain items of the CAVRA Community rule; every finding carries exactly one."""

    TENANT_RECORD = "tenant-record"
    TENANT_ID = "tenant-id"
    BILLING_SECRET = "billing-secret"
    LICENSE_KEY = "license-key"
    PRIVATE_POLICY_PACK = "private-policy-pack"
    CONNECTOR_CREDENTIAL = "connector-credential"
    PROVIDER_URL = "provider-url"
    WEBHOOK_SECRET = "webhook-secret"
    SAAS_BACKEND_SOURCE = "saas-backend-source"
    ENTERPRISE_IMPLEMENTATION = "enterprise-implementation"

    @classmethod
    def parse(cls, value: str) -> Category:
        try:
            return cls(value)
        except ValueError:
            valid = ", ".join(c.value for c in cls)
            raise ValueError(f"unknown category {quoted(value)} (valid: {valid})") from None


class Severity(enum.IntEnum):
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls[value.upper()]
        except KeyError:
            valid = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {quoted(value)} (valid: {valid})") from None


class Specificity(enum.IntEnum):
    """How much a rule's match says about what the value is. When two rules see one value, the category comes
    first (DESIGN.md section 2), then this: the provider's own format says more than a form such as a header,
    which says more than a sensitive name, which says more than randomness alone."""

    ENTROPY = 0  # random-looking text, nothing else known
    GENERIC = 1  # a literal bound to a sensitive name (password, secret, api_key)
    CONTEXT = 2  # a form that says what the value is for (header, URL, connection string, credential file)
    SHAPE = 3  # the provider's documented format (prefix, length, checksum), or a CAVRA-specific construct
    LISTED = 4  # a value the policy lists by name (deny-lists)

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Specificity:
        """What a pack rule may declare: every level but ``listed``, which belongs to deny-lists."""
        choices = {level.label: level for level in cls if level is not cls.LISTED}
        try:
            return choices[value.lower()]
        except KeyError:
            raise ValueError(f"unknown specificity {quoted(value)} (valid: {', '.join(choices)})") from None


@dataclass(frozen=True)
class RuleInfo:
    """What a reporter needs to know about a rule that ran (SARIF ``tool.driver.rules``, ``policy list``)."""

    rule_id: str
    category: Category
    severity: Severity
    title: str
    description: str = ""
    specificity: Specificity = Specificity.SHAPE


def fingerprint(rule_id: str, secret: str) -> str:
    """The identity of a value: a stable hash of rule id and value that holds no secret text and ignores where
    the line sits. Published as it is only for values no guess can reach (``guessable``)."""
    return hashlib.sha256(f"{rule_id}\0{secret}".encode("utf-8", "surrogatepass")).hexdigest()


# A value is taken for random (and its plain hash published) only when it is long, varied and changes
# character class like machine output: anything else may sit in a dictionary and gets the slow derivation.
# Mistakes here cost time, never safety: a random key judged guessable is only fingerprinted slowly.
STRONG_MIN_LENGTH = 20
STRONG_MIN_ENTROPY = 3.5
STRONG_MIN_RANDOMNESS = 0.35


def randomness(value: str) -> float:
    """How often two neighbouring letters or digits change class (lower, upper, digit).

    Random base62 changes class at ~60% of neighbours, random lowercase hex at ~47%; words, phrases and
    human passwords (``testclient``, ``FORBIDDEN_VALUE2``, ``superS3cret``) at 0-30%; the bar is 35%.
    Entropy alone cannot tell ``passwordPASSWORDpassword`` (3.7 bits) from a key.
    """
    pairs = changes = 0
    previous = ""
    for char in value:
        kind = "d" if char.isdigit() else "u" if char.isupper() else "l" if char.isalpha() else ""
        if kind and previous:
            pairs += 1
            changes += kind != previous
        previous = kind
    return changes / pairs if pairs else 0.0


def guessable(secret: str) -> bool:
    """Whether a dictionary or a pattern could reach ``secret`` (tenant ids, words, short or regular values)."""
    return not (
        len(secret) >= STRONG_MIN_LENGTH
        and not any(char.isspace() for char in secret)
        and shannon_entropy(secret) >= STRONG_MIN_ENTROPY
        and randomness(secret) >= STRONG_MIN_RANDOMNESS
    )


SLOW_PREFIX = "scrypt:"
# scrypt at N=2^12, r=8 (4 MiB): about 10 ms of one core per derivation, so a million guesses at one
# fingerprint take about three hours; memory-hard, so a GPU gains far less than on a plain hash.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 1 << 12, 8, 1
# Used when no baseline gives a salt of its own (``scan --no-baseline``, a folder without a baseline):
# guesses still cost a derivation each, but one table would serve every such scan.
DEFAULT_SALT = "cavra-safety-default-salt-v1"


def slow_fingerprint(identity: str, salt: str) -> str:
    derived = hashlib.scrypt(
        bytes.fromhex(identity),
        salt=b"cavra-safety fingerprint\0" + salt.encode("utf-8"),
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        maxmem=64 * 1024 * 1024,
        dklen=32,
    )
    return SLOW_PREFIX + derived.hex()


class Fingerprints:
    """Publishes the fingerprints of one run with one salt, each guessable value derived once."""

    def __init__(self, salt: str = DEFAULT_SALT) -> None:
        self.salt = salt
        self._derived: dict[str, str] = {}

    def publish(self, finding: Finding) -> Finding:
        if not finding.guessable or finding.fingerprint != finding.identity:
            return finding  # a random value, or published already
        published = self._derived.get(finding.identity)
        if published is None:
            published = self._derived[finding.identity] = slow_fingerprint(finding.identity, self.salt)
        return replace(finding, fingerprint=published)


@dataclass(frozen=True)
class Finding:
    """One violation, as every reporter and the baseline see it."""

    path: str
    line: int
    column: int
    rule_id: str
    category: Category
    severity: Severity
    message: str
    fingerprint: str
    redacted: str
    end_line: int
    end_column: int
    commit: str | None = None
    # History scans only: when the introducing commit was authored (ISO 8601), whether the value is still in
    # the scanned branch's tip, and in how many commits the same value was added.
    author_date: str | None = None
    in_head: bool | None = None
    occurrences: int = 1
    # History scans only: the author's name as the introducing commit records it, never the e-mail address (a
    # report is uploaded and kept; the name is enough to ask whom, and the commit gives the rest to a reader
    # of the repository).
    author: str | None = None
    # The plain hash of rule id and value (``fingerprint()``), for "the same value" within a run and to match
    # baselines written before slow fingerprints; never written out. ``guessable``: the published fingerprint
    # is the slow one (``Fingerprints.publish``).
    identity: str = ""
    guessable: bool = False

    @property
    def value_key(self) -> tuple[str, str]:
        """(rule id, identity): the same value, wherever and whenever it was met, whatever the salt."""
        return (self.rule_id, self.identity or self.fingerprint)

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """A total order (place, then rule), so that every report is deterministic."""
        return (self.path, self.line, self.column, self.rule_id, self.commit or "", self.identity or self.fingerprint)

    @classmethod
    def create(
        cls,
        rule: RuleInfo,
        *,
        path: str,
        line: int,
        column: int,
        secret: str,
        message: str,
        end_line: int | None = None,
        end_column: int | None = None,
        commit: str | None = None,
        identity_of: str | None = None,
    ) -> Finding:
        """Build a finding from the matched text; ``column`` is 1-based, ``end_column`` exclusive. Its fingerprint
        is the identity until the scan publishes it (``Fingerprints``). ``identity_of``: what the value is, when
        that is not the matched text (a private key is its key material, not the header that was matched)."""
        keyed_on = secret if identity_of is None else identity_of
        identity = fingerprint(rule.rule_id, keyed_on)
        return cls(
            path=path,
            line=line,
            column=column,
            rule_id=rule.rule_id,
            category=rule.category,
            severity=rule.severity,
            message=message,
            fingerprint=identity,
            redacted=redact(secret),
            end_line=end_line if end_line is not None else line,
            end_column=end_column if end_column is not None else column + len(secret),
            commit=commit,
            identity=identity,
            guessable=guessable(keyed_on),
        )


@dataclass(frozen=True, order=True)
class Skipped:
    """A file the scan did not read, and why (binary, too large, unreadable, symlink...)."""

    path: str
    reason: str

    @property
    def kind(self) -> str:
        """The reason without its detail: "binary (.png)" -> "binary", "unreadable: ..." -> "unreadable"."""
        return self.reason.split(":", 1)[0].split(" (", 1)[0]


@dataclass(frozen=True, order=True)
class Note:
    """Something a reviewer should see that is not a violation: an allow comment without a rule id,
    a Python file that does not parse, a regex that hit its limits."""

    path: str
    line: int
    message: str


class SuppressionKind(enum.StrEnum):
    """What waved a finding through: an inline allow comment (``cavra: allow <rule-id> -- <reason>`` or
    detect-secrets' ``pragma: allowlist secret``), or an accepted entry of the baseline file."""

    INLINE = "inline"
    BASELINE = "baseline"


@dataclass(frozen=True)
class Suppressed:
    """A finding that a filter suppressed, and why: reported, never failing a scan.

    It holds the (already redacted) ``Finding`` and no secret. ``justification`` is the allow comment's
    ``-- reason`` or the baseline entry's reason ("" when the comment gives none); ``comment_line`` is the
    line of the allow comment (inline only: the finding's own line or the one above it).
    """

    finding: Finding
    kind: SuppressionKind
    justification: str = ""
    comment_line: int | None = None

    def sort_key(self) -> tuple[tuple[str, int, int, str, str, str], str]:
        return (self.finding.sort_key(), self.kind.value)


@dataclass(frozen=True)
class ScanResult:
    """Everything a reporter renders. Sorted and free of timestamps, so that machine formats are deterministic;
    ``seconds`` is only for the human summary on stderr."""

    findings: tuple[Finding, ...]
    rules: tuple[RuleInfo, ...]
    skipped: tuple[Skipped, ...] = ()
    notes: tuple[Note, ...] = ()
    files_scanned: int = 0
    bytes_scanned: int = 0
    # What the inline allows and the baseline waved through, sorted like findings (the counts derive from it).
    suppressed: tuple[Suppressed, ...] = ()
    seconds: float = 0.0
    # History scans: how many commits were walked (``files_scanned`` counts their files); None for other scans.
    commits_scanned: int | None = None

    @property
    def suppressed_inline(self) -> int:
        return sum(1 for item in self.suppressed if item.kind is SuppressionKind.INLINE)

    @property
    def suppressed_baseline(self) -> int:
        return sum(1 for item in self.suppressed if item.kind is SuppressionKind.BASELINE)

    def counts_by_category(self) -> dict[Category, int]:
        counts = {category: 0 for category in Category}
        for finding in self.findings:
            counts[finding.category] += 1
        return counts
