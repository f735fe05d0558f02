"""The declarative table behind the secrets detector: each detect-secrets plugin, its gate, its rules.

Pure data, no detect-secrets import. ``secrets.py`` turns this table into a running detector.

A **gate** is a cheap necessary condition for a plugin to match: a line that holds no gate hit can never
produce a detection, so the plugin's regexes never see it. Gates are either case-insensitive literals
(every match of every plugin regex contains one of them) or one RE2 pattern that is a superset of the
plugin's regexes on a single line. ``tests/detectors/test_secrets_detector.py`` proves, per plugin, that
a positive example survives the gate. Gate patterns are RE2 syntax: ``\\p{Nd}`` stands where the plugin
writes ``\\d`` (Python's ``\\d`` is every Unicode decimal digit; RE2's is ASCII only).

A plugin can feed several **rules**: the first rule whose ``shape`` matches the raw value wins (``None``
matches anything), so Slack webhooks and Slack tokens land in different categories.
"""

from __future__ import annotations

from dataclasses import dataclass

from cavra_safety.findings import Category, Severity, Specificity

_CONNECTOR = Category.CONNECTOR_CREDENTIAL


@dataclass(frozen=True)
class SecretRule:
    slug: str
    title: str
    category: Category
    severity: Severity
    advice: str
    shape: str | None = None
    specificity: Specificity = Specificity.SHAPE  # see ``precedence``: what one match says about the value

    @property
    def rule_id(self) -> str:
        return f"secret/{self.slug}"


@dataclass(frozen=True)
class PluginSpec:
    """One detect-secrets plugin. ``generic`` plugins (keyword, entropy) match no provider format, so they
    get the extra precision filters (placeholders, hashes, indirect references, non-text files)."""

    plugin: str
    rules: tuple[SecretRule, ...]
    gate_literals: tuple[str, ...] = ()
    gate_pattern: str | None = None
    generic: bool = False
    limit: float | None = None
    trim: str = ""
    whole_match: bool = False


def _rule(
    slug: str,
    title: str,
    severity: Severity,
    advice: str,
    *,
    category: Category = _CONNECTOR,
    shape: str | None = None,
    specificity: Specificity = Specificity.SHAPE,
) -> SecretRule:
    return SecretRule(slug, title, category, severity, advice, shape, specificity)


_CRITICAL, _HIGH, _MEDIUM, _LOW = Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW

# Entropy limits: detect-secrets' defaults, so that every value detect-secrets reports reaches our filters.
# Most random strings on real code (77 hex strings on Django alone: digests and test vectors) are then
# removed by named precision filters (``precision``: a value must be bound to a credential name).
BASE64_LIMIT = 4.5
HEX_LIMIT = 3.0

# The keyword plugin's regexes all need a denylisted word ({deny}, filled in from the installed plugin's
# DENYLIST) followed, after more word characters and closing quotes/brackets, by an assignment, comparison
# or call (``:``, ``=``, ``!``, ``(``, ``[``, ``.assign(``), or a quoted value ending in ``;`` on the line;
# or a comparison operator before it (``"value" == password``). \w and \s are written out as Unicode
# classes, as Python reads them. A bare ``key`` is not on the denylist: this gate passes ~1 line in 10
# of those that merely contain key/pass/secret.
_WORD = r"[\p{L}\p{N}_]"
_SPACE = r"[\s\p{Z}\x{1c}-\x{1f}\x{85}]"
KEYWORD_GATE = (
    "(?i)(?:{deny})" + _WORD + "*(?:[\\]'\"]{0,2}" + _SPACE + "*[:=!(\\[]|[^\\n]assign\\(|[^\\n]*;)"
    "|[!=][!=]" + _SPACE + "*" + _WORD + "*(?:{deny})"
)

# Order matters: when two plugins report the same span of a line, the earlier (more specific) one is kept,
# so a Stripe key inside ``password = "..."`` is reported once, as a Stripe key.
PLUGIN_SPECS: tuple[PluginSpec, ...] = (
    PluginSpec(
        "PrivateKeyDetector",
        gate_literals=("private key", "putty-user-key-file-2"),
        rules=(
            _rule(
                "private-key",
                "Private key",
                _CRITICAL,
                "Remove the key file, generate a new key pair and revoke the old public key wherever it is "
                "trusted (servers, deploy keys, certificates).",
            ),
        ),
    ),
    PluginSpec(
        "AWSKeyDetector",
        gate_literals=("a3t", "abia", "acca", "akia", "asia", "aws"),
        rules=(
            _rule(
                "aws-access-key",
                "AWS access key ID",
                _CRITICAL,
                "Deactivate and delete the access key in AWS IAM, then issue a new one.",
                shape=r"^(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)",
            ),
            _rule(
                "aws-secret-key",
                "AWS secret access key",
                _CRITICAL,
                "Deactivate and delete the access key pair in AWS IAM, then issue a new one.",
            ),
        ),
    ),
    PluginSpec(
        "AzureStorageKeyDetector",
        gate_literals=("accountkey=",),
        rules=(
            _rule(
                "azure-storage-key",
                "Azure storage account key",
                _CRITICAL,
                "Regenerate the storage account key in the Azure portal.",
            ),
        ),
    ),
    # The GitHub and GitLab plugins put the token *prefix* in a capturing group, so detect-secrets reports
    # "ghp" as the secret (and, for glcbt- tokens, nothing): every token would share one fingerprint. We take
    # the whole match of the plugin's own regexes instead.
    PluginSpec(
        "GitHubTokenDetector",
        whole_match=True,
        gate_literals=("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        rules=(_rule("github-token", "GitHub token", _CRITICAL, "Revoke the token in GitHub's developer settings."),),
    ),
    PluginSpec(
        "GitLabTokenDetector",
        whole_match=True,
        gate_literals=(
            "glpat-",
            "gldt-",
            "glft-",
            "glsoat-",
            "glrt-",
            "gr1348941",
            "glcbt-",
            "glimt-",
            "glptt-",
            "glagent-",
            "gloas-",
        ),
        rules=(
            _rule("gitlab-token", "GitLab token", _CRITICAL, "Revoke the token in GitLab's access token settings."),
        ),
    ),
    PluginSpec(
        "SlackDetector",
        gate_literals=("xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "hooks.slack.com"),
        rules=(
            _rule(
                "slack-webhook",
                "Slack incoming webhook URL",
                _HIGH,
                "Delete the webhook in the Slack app settings and create a new one.",
                category=Category.WEBHOOK_SECRET,
                shape=r"^https?://",
            ),
            _rule("slack-token", "Slack token", _HIGH, "Revoke the token in the Slack app settings."),
        ),
    ),
    # Stripe's publishable keys (pk_live_) are public by design; the plugin rightly looks only for secret
    # (sk_live_) and restricted (rk_live_) keys.
    PluginSpec(
        "StripeDetector",
        gate_literals=("sk_live_", "rk_live_"),
        rules=(
            _rule(
                "stripe-key",
                "Stripe live secret key",
                _CRITICAL,
                "Roll the key in the Stripe dashboard.",
                category=Category.BILLING_SECRET,
            ),
        ),
    ),
    # Square is a payment provider: its OAuth application secret is a billing secret.
    PluginSpec(
        "SquareOAuthDetector",
        gate_literals=("sq0csp-",),
        rules=(
            _rule(
                "square-oauth-secret",
                "Square OAuth application secret",
                _CRITICAL,
                "Replace the application secret in the Square developer dashboard.",
                category=Category.BILLING_SECRET,
            ),
        ),
    ),
    PluginSpec(
        "OpenAIDetector",
        gate_literals=("t3blbkfj",),
        rules=(_rule("openai-key", "OpenAI API key", _CRITICAL, "Revoke the key in the OpenAI API key settings."),),
    ),
    PluginSpec(
        "PypiTokenDetector",
        gate_literals=("pypi-agei", "pypi-agen"),
        rules=(_rule("pypi-token", "PyPI API token", _CRITICAL, "Remove the token in the PyPI account settings."),),
    ),
    PluginSpec(
        "NpmDetector",
        gate_literals=(":_authtoken=",),
        rules=(_rule("npm-token", "npm access token", _CRITICAL, "Revoke the token with `npm token revoke`."),),
    ),
    PluginSpec(
        "SendGridDetector",
        gate_literals=("sg.",),
        rules=(_rule("sendgrid-key", "SendGrid API key", _HIGH, "Delete the key in the SendGrid API key settings."),),
    ),
    PluginSpec(
        "MailchimpDetector",
        gate_literals=("-us",),
        rules=(
            _rule("mailchimp-key", "Mailchimp API key", _HIGH, "Disable the key in the Mailchimp account settings."),
        ),
    ),
    # Twilio's account SIDs (AC...) are identifiers and API key SIDs (SK...) are not the key secret, but
    # the plugin cannot tell them from credentials and they let an attacker aim at the account.
    PluginSpec(
        "TwilioKeyDetector",
        gate_pattern=r"(?:AC|SK)[a-z0-9]{32}",
        rules=(
            _rule(
                "twilio-key",
                "Twilio account or API key identifier",
                _HIGH,
                "Rotate the API key or auth token in the Twilio console.",
            ),
        ),
    ),
    # A bot token authenticates as the bot (read and post everywhere it is invited): a connector
    # credential, not a webhook.
    # The token's first two parts: a bare ``.word.`` (every dotted module path) passed ~1 file in 5.
    PluginSpec(
        "DiscordBotTokenDetector",
        gate_pattern=r"[MNO][a-zA-Z\p{Nd}_-]{23,25}\.[a-zA-Z\p{Nd}_-]{6}\.",
        rules=(
            _rule("discord-bot-token", "Discord bot token", _HIGH, "Reset the token in the Discord developer portal."),
        ),
    ),
    PluginSpec(
        "TelegramBotTokenDetector",
        gate_pattern=r"\p{Nd}{8}:",
        rules=(
            _rule("telegram-bot-token", "Telegram bot token", _HIGH, "Revoke the token with @BotFather (/revoke)."),
        ),
    ),
    # The plugin's regexes include the delimiters around the token (space, ``=``, ``:``, quote): trimmed.
    PluginSpec(
        "ArtifactoryDetector",
        trim=' \t\r\f\v=:"',
        gate_pattern=r"(?m)(?:^|[\s\p{Z}\x{1c}-\x{1f}\x{85}=:\"])(?:AKC|AP[\p{Nd}A-F])",
        rules=(
            _rule(
                "artifactory-token",
                "Artifactory API token or password",
                _HIGH,
                "Revoke the token or change the password in Artifactory.",
            ),
        ),
    ),
    PluginSpec(
        "CloudantDetector",
        gate_literals=("clou", "cl_", "cl-", "clapi", "clkey", "clpw", "clpass", "cltoken"),
        rules=(
            _rule(
                "cloudant-credential",
                "IBM Cloudant credential",
                _HIGH,
                "Rotate the API key or password in the Cloudant dashboard.",
            ),
        ),
    ),
    PluginSpec(
        "SoftlayerDetector",
        gate_literals=("softlayer", "sl_", "sl-", "slapi", "slkey", "slpwd", "slpass", "sltoken"),
        rules=(
            _rule(
                "softlayer-credential",
                "IBM SoftLayer API key",
                _HIGH,
                "Regenerate the API key in the IBM Cloud console.",
            ),
        ),
    ),
    # The IBM plugins accept any (or no) prefix before their keyword, so the gate is the keyword, the
    # assignment and (IAM) the start of the value. Gates with an unbounded gap before a counted run
    # ("key", anything, 44 characters) make RE2's DFA blow up on random data; these stay linear.
    PluginSpec(
        "IbmCloudIamDetector",
        gate_pattern=r"(?i)(?:key|pwd|pass|token)[\"']?\]?[ =:>]*[\"']?[a-z0-9_-]{44}",
        rules=(_rule("ibm-cloud-iam-key", "IBM Cloud IAM API key", _HIGH, "Delete the API key in IBM Cloud IAM."),),
    ),
    PluginSpec(
        "IbmCosHmacDetector",
        gate_pattern=r"(?i)secret[-_]?(?:access)?[-_]?key",
        rules=(
            _rule(
                "ibm-cos-hmac",
                "IBM Cloud Object Storage HMAC secret",
                _HIGH,
                "Delete the HMAC credential in IBM Cloud Object Storage and create a new one.",
            ),
        ),
    ),
    PluginSpec(
        "JwtTokenDetector",
        gate_literals=("eyj",),
        rules=(
            _rule(
                "jwt",
                "JSON Web Token",
                _HIGH,
                "Invalidate the token (rotate the signing key if it does not expire soon).",
            ),
        ),
    ),
    # Credentials inside a URL authority (scheme://user:password@host) name a provider endpoint and
    # the way into it: DESIGN lists "URLs with embedded credentials" under provider-url.
    PluginSpec(
        "BasicAuthDetector",
        gate_pattern=r"://[^\s/@]+@",
        rules=(
            _rule(
                "basic-auth-url",
                "Password in a URL",
                _HIGH,
                "Change the password of that account.",
                category=Category.PROVIDER_URL,
                specificity=Specificity.CONTEXT,
            ),
        ),
    ),
    PluginSpec(
        "KeywordDetector",
        generic=True,
        gate_pattern=KEYWORD_GATE,
        rules=(
            _rule(
                "secret-keyword",
                "Hard-coded password or secret",
                _MEDIUM,
                "Change it wherever it is used.",
                specificity=Specificity.GENERIC,
            ),
        ),
    ),
    PluginSpec(
        "Base64HighEntropyString",
        generic=True,
        limit=BASE64_LIMIT,
        rules=(
            _rule(
                "high-entropy-base64",
                "Random-looking base64 string",
                _MEDIUM,
                "If it is a credential, revoke it at its issuer.",
                specificity=Specificity.ENTROPY,
            ),
        ),
    ),
    PluginSpec(
        "HexHighEntropyString",
        generic=True,
        limit=HEX_LIMIT,
        rules=(
            _rule(
                "high-entropy-hex",
                "Random-looking hex string",
                _MEDIUM,
                "If it is a credential, revoke it at its issuer.",
                specificity=Specificity.ENTROPY,
            ),
        ),
    ),
    # A public IPv4 address is not a secret. It matters only where it names a host the code connects to
    # (it may be the SaaS back end), so it is provider-url, LOW, and reported only in a host context.
    PluginSpec(
        "IPPublicDetector",
        gate_pattern=r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}",
        rules=(
            _rule(
                "public-ip",
                "Public IP address of a host",
                _LOW,
                "Read the host from configuration (in examples, use a documentation address such as 192.0.2.1).",
                category=Category.PROVIDER_URL,
            ),
        ),
    ),
)


def entropy_gate(plugin: str, limit: float) -> str:
    """A quoted run of the plugin's charset, just long enough to pass the limit.

    Shannon entropy over n characters is at most log2(n), so a string of n <= 2**limit characters can never
    exceed the limit: the shortest that can is ``floor(2**limit) + 1``. Either quote may open or close (the
    plugin insists on the same quote both sides), so the gate is a superset of the plugin's matches.
    """
    shortest = int(2**limit) + 1
    charset = r"0-9a-fA-F" if plugin == "HexHighEntropyString" else r"A-Za-z0-9+/\\=_-"
    return rf"""["'][{charset}]{{{shortest},}}["']"""


def message(rule: SecretRule) -> str:
    """What was found and how to fix it; the same text for every finding of the rule."""
    return (
        f"{rule.title} in the source. Remove it and load it from a secret store or an environment variable. "
        f"It was exposed, so rotate it: {rule.advice} If it is a test value, mark the line "
        f"`cavra: allow {rule.rule_id} -- <reason>`."
    )
