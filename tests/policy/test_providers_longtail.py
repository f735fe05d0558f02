"""The long-tail provider pack (``policies/providers-longtail.toml``): every rule is documented and specific, each
rule finds a fresh random token of its documented shape, and none reports the same token cut short.

The shapes below are templates, not tokens: ``{k:n}`` is ``n`` random characters of alphabet ``k`` (see
``ALPHABETS``), drawn anew on every run, so that a rule is tested on the provider's documented alphabet and
length rather than on the one synthetic value its examples carry. A drawn token that the rule's own value filter
refuses (too little entropy by chance) is drawn again: the test asks whether the pattern finds what the rule
means to report. No secret-shaped literal is written here, so the repository passes its own scan.
"""

from __future__ import annotations

import random
import tomllib
from pathlib import Path

import pytest
from pack_fixtures import ALPHABETS, SLOT, draw, env_findings, fresh_token, normalized

from cavra_safety.config import Config
from cavra_safety.detectors.policy import PolicyDetector, build_policy_detector
from cavra_safety.findings import Category, Finding
from cavra_safety.policy import Policy, PolicyRule, RegexRule, load_policy
from cavra_safety.sources import FileRef, Source
from cavra_safety.sources.text import read_source

REPO = Path(__file__).resolve().parents[2]
PACK_FILE = REPO / "policies" / "providers-longtail.toml"
PACK_NAME = "cavra-community-providers-longtail"
OTHER_PROVIDER_PACKS = (
    "cavra-community-providers-cloud",
    "cavra-community-providers-devtools",
    "cavra-community-providers-saas",
)

# Keywords gate every rule's regex; a word that most files contain gates nothing.
COMMON_WORDS = frozenset(
    "key api token secret auth pass password bearer client access live test user app the and http https url "
    "id private public config value data line".split()
)
REMEDY_VERBS = ("revoke", "rotate", "regenerate", "reset", "reissue", "delete")


# (rule id, token shape, the line it is written on as a .env entry)
SHAPES: tuple[tuple[str, str, str], ...] = (
    ("defined-networking-api-key", "dnkey-{n:26}-{n:52}", "DN_API_KEY={token}"),
    ("scalingo-api-token", "tk-us-{u:48}", "SCALINGO_API_TOKEN={token}"),
    ("infracost-api-key", "ico-{a:32}", "INFRACOST_API_KEY={token}"),
    ("lob-live-api-key", "live_{h:35}", "LOB_API_KEY={token}"),
    ("adobe-client-secret", "p8e-{u:32}", "ADOBE_CLIENT_SECRET={token}"),
    ("intra42-client-secret", "s-s4t2ud-{h:64}", "INTRA42_CLIENT_SECRET={token}"),
    ("openshift-user-token", "sha256~{u:43}", "OPENSHIFT_TOKEN={token}"),
    ("maxmind-license-key", "{a:6}_{a:29}_mmk", "MAXMIND_LICENSE_KEY={token}"),
    ("apify-api-token", "apify_api_{a:36}", "APIFY_TOKEN={token}"),
    ("zuplo-api-key", "zpka_{h:32}_{h:8}", "ZUPLO_API_KEY={token}"),
    ("riot-games-api-key", "RGAPI-{h:8}-{h:4}-{h:4}-{h:4}-{h:12}", "RIOT_API_KEY={token}"),
    ("pubnub-secret-key", "sec-c-{b:48}", "PUBNUB_SECRET_KEY={token}"),
    ("africastalking-api-key", "atsk_{h:72}", "AT_API_KEY={token}"),
    ("arcgis-api-key", "AAPK{h:32}{u:68}", "ARCGIS_API_KEY={token}"),
    ("llamacloud-api-key", "llx-{a:48}", "LLAMA_CLOUD_API_KEY={token}"),
    ("firecrawl-api-key", "fc-{h:32}", "FIRECRAWL_API_KEY={token}"),
    ("browserbase-api-key", "bb_live_{u:27}", "BROWSERBASE_API_KEY={token}"),
    ("miro-access-token", "eyJtaXJvLm9yaWdpbiI6ImV1MDEifQ_{u:27}", "MIRO_ACCESS_TOKEN={token}"),
    ("clickhouse-cloud-key-secret", "4b1d{a:38}", "CLICKHOUSE_CLOUD_API_SECRET={token}"),
    ("cloudinary-url", "cloudinary://{d:15}:{u:27}@demo-media", "CLOUDINARY_URL={token}"),
    ("segment-public-api-token", "sgp_{a:64}", "SEGMENT_PUBLIC_API_TOKEN={token}"),
    ("algolia-admin-api-key", "{h:32}", "ALGOLIA_ADMIN_API_KEY={token}"),
    ("etsy-api-keystring", "{l:24}", "ETSY_API_KEY={token}"),
    ("finicity-credential", "{a:20}", "FINICITY_PARTNER_SECRET={token}"),
    ("freshbooks-client-secret", "{h:64}", "FRESHBOOKS_CLIENT_SECRET={token}"),
    ("kraken-api-secret", "{b:86}==", "KRAKEN_API_SECRET={token}"),
    ("kucoin-api-secret", "{h:8}-{h:4}-{h:4}-{h:4}-{h:12}", "KUCOIN_API_SECRET={token}"),
    ("nytimes-api-key", "{a:32}", "NYTIMES_API_KEY={token}"),
    ("mux-token-secret", "{b:75}", "MUX_TOKEN_SECRET={token}"),
    ("webex-access-token", "{a:64}_{U:4}_{h:8}-{h:4}-{h:4}-{h:4}-{h:12}", "WEBEX_ACCESS_TOKEN={token}"),
    ("spotify-client-secret", "{h:32}", "SPOTIFY_CLIENT_SECRET={token}"),
    ("beamer-api-key", "b_{u:44}", "BEAMER_API_KEY={token}"),
    ("mattermost-access-token", "{l:26}", "MATTERMOST_TOKEN={token}"),
    ("meraki-api-key", "{h:40}", "MERAKI_DASHBOARD_API_KEY={token}"),
    ("opsgenie-api-key", "{h:8}-{h:4}-{h:4}-{h:4}-{h:12}", "OPSGENIE_API_KEY={token}"),
    ("lokalise-api-token", "{h:40}", "LOKALISE_API_TOKEN={token}"),
    ("mailtrap-api-token", "{h:32}", "MAILTRAP_API_TOKEN={token}"),
    ("gitter-access-token", "{h:40}", "GITTER_TOKEN={token}"),
    ("flickr-api-secret", "{h:16}", "FLICKR_API_SECRET={token}"),
    ("finnhub-api-key", "{l:20}", "FINNHUB_API_KEY={token}"),
    ("alpaca-api-secret", "{a:40}", "APCA_API_SECRET_KEY={token}"),
    ("zerotier-api-token", "{a:32}", "ZEROTIER_CENTRAL_TOKEN={token}"),
    ("openweather-api-key", "{h:32}", "OPENWEATHER_API_KEY={token}"),
    ("vimeo-access-token", "{h:32}", "VIMEO_ACCESS_TOKEN={token}"),
    ("steam-web-api-key", "{H:32}", "STEAM_API_KEY={token}"),
    ("braze-rest-api-key", "{h:8}-{h:4}-{h:4}-{h:4}-{h:12}", "BRAZE_REST_API_KEY={token}"),
    ("mixpanel-api-secret", "{a:32}", "MIXPANEL_API_SECRET={token}"),
    ("amplitude-secret-key", "{h:32}", "AMPLITUDE_SECRET_KEY={token}"),
    ("squarespace-api-key", "{h:8}-{h:4}-{h:4}-{h:4}-{h:12}", "SQUARESPACE_API_KEY={token}"),
    ("serpapi-api-key", "{h:64}", "SERPAPI_API_KEY={token}"),
    ("zulip-api-key", "{a:32}", "ZULIP_API_KEY={token}"),
    ("line-channel-access-token", "{b:171}=", "LINE_CHANNEL_ACCESS_TOKEN={token}"),
    ("veracode-api-key", "{h:128}", "VERACODE_API_KEY_SECRET={token}"),
    ("ghost-admin-api-key", "{h:24}:{h:64}", "GHOST_ADMIN_API_KEY={token}"),
    ("pagerduty-api-key", "u+{u:18}", "PAGERDUTY_API_KEY={token}"),
    ("wakatime-api-key", "waka_{h:8}-{h:4}-{h:4}-{h:4}-{h:12}", "WAKATIME_API_KEY={token}"),
    ("neptune-api-token", "eyJhcGlfYWRkcmVzcyI6I{b:160}", "NEPTUNE_API_TOKEN={token}"),
    ("inngest-signing-key", "signkey-prod-{h:64}", "INNGEST_SIGNING_KEY={token}"),
    ("dbt-cloud-token", "dbtc_{u:50}", "DBT_CLOUD_API_TOKEN={token}"),
    ("foursquare-api-key", "fsq3{b:43}=", "FOURSQUARE_API_KEY={token}"),
    ("calcom-api-key", "cal_live_{h:32}", "CAL_API_KEY={token}"),
    ("polar-access-token", "polar_oat_{a:43}", "POLAR_ACCESS_TOKEN={token}"),
    ("deepl-api-key", "{h:8}-{h:4}-{h:4}-{h:4}-{h:12}:fx", "DEEPL_AUTH_KEY={token}"),
    ("modal-token-secret", "as-{a:22}", "MODAL_TOKEN_SECRET={token}"),
    ("bitly-access-token", "{h:40}", "BITLY_ACCESS_TOKEN={token}"),
    ("strapi-api-token", "{h:256}", "STRAPI_API_TOKEN={token}"),
    ("crowdin-access-token", "{h:80}", "CROWDIN_PERSONAL_TOKEN={token}"),
    ("transifex-api-token", "1/{h:40}", "TRANSIFEX_API_TOKEN={token}"),
    ("discourse-api-key", "{h:64}", "DISCOURSE_API_KEY={token}"),
    ("imgur-client-secret", "{h:40}", "IMGUR_CLIENT_SECRET={token}"),
    ("tmdb-api-key", "{h:32}", "TMDB_API_KEY={token}"),
    ("strava-client-secret", "{h:40}", "STRAVA_CLIENT_SECRET={token}"),
    ("yelp-api-key", "{u:128}", "YELP_API_KEY={token}"),
    ("toggl-api-token", "{h:32}", "TOGGL_API_TOKEN={token}"),
    ("unsplash-secret-key", "{u:43}", "UNSPLASH_SECRET_KEY={token}"),
    ("customerio-api-key", "{h:32}", "CUSTOMERIO_APP_API_KEY={token}"),
    ("pexels-api-key", "{a:56}", "PEXELS_API_KEY={token}"),
    ("blockfrost-project-id", "mainnet{a:32}", "BLOCKFROST_PROJECT_ID={token}"),
    ("coingecko-api-key", "CG-{a:24}", "COINGECKO_API_KEY={token}"),
    ("etherscan-api-key", "{U:34}", "ETHERSCAN_API_KEY={token}"),
    ("infura-api-secret", "{h:32}", "INFURA_API_KEY_SECRET={token}"),
    ("alchemy-api-key", "{u:32}", "ALCHEMY_API_KEY={token}"),
    ("coinmarketcap-api-key", "{h:8}-{h:4}-{h:4}-{h:4}-{h:12}", "COINMARKETCAP_API_KEY={token}"),
    ("spoonacular-api-key", "{h:32}", "SPOONACULAR_API_KEY={token}"),
    ("newsapi-api-key", "{h:32}", "NEWSAPI_API_KEY={token}"),
    ("alphavantage-api-key", "{U:16}", "ALPHAVANTAGE_API_KEY={token}"),
    ("hellosign-api-key", "{h:64}", "HELLOSIGN_API_KEY={token}"),
    ("docusign-secret-key", "{h:8}-{h:4}-{h:4}-{h:4}-{h:12}", "DOCUSIGN_SECRET_KEY={token}"),
    ("eventbrite-private-token", "{U:20}", "EVENTBRITE_PRIVATE_TOKEN={token}"),
    ("cronitor-api-key", "{h:32}", "CRONITOR_API_KEY={token}"),
    ("healthchecks-api-key", "{u:32}", "HEALTHCHECKS_API_KEY={token}"),
    ("logtail-source-token", "{a:24}", "LOGTAIL_SOURCE_TOKEN={token}"),
)


def _policy() -> Policy:
    policy = load_policy(Config(root=REPO))
    assert isinstance(policy, Policy)
    return policy


POLICY = _policy()
RULES = [rule for rule in POLICY.rules if rule.pack == PACK_NAME]


def _provider(rule_id: str) -> str:
    return rule_id.split("-")[0]


def _rule(rule_id: str) -> PolicyRule:
    return next(rule for rule in RULES if rule.id == rule_id)


@pytest.fixture(scope="module")
def detector() -> PolicyDetector:
    return build_policy_detector(Config(root=REPO), POLICY)


def test_pack_is_a_public_default_pack_of_many_providers() -> None:
    pack = tomllib.loads(PACK_FILE.read_text(encoding="utf-8"))["pack"]
    assert (pack["name"], pack["visibility"]) == (PACK_NAME, "public")
    assert all(isinstance(rule, RegexRule) for rule in RULES)
    assert len({_provider(rule.id) for rule in RULES}) >= 90


def test_no_provider_is_named_by_another_provider_pack() -> None:
    """The long tail adds providers: a provider another provider pack already has a rule for belongs there."""
    elsewhere = {_provider(rule.id) for rule in POLICY.rules if rule.pack in OTHER_PROVIDER_PACKS}
    assert sorted({_provider(rule.id) for rule in RULES} & elsewhere) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_is_documented_and_specific(rule: PolicyRule) -> None:
    assert isinstance(rule, RegexRule)
    assert len(rule.examples) >= 3, "at least three examples"
    assert len(rule.negative_examples) >= 4, "at least four negative examples"
    assert len({example.path for example in rule.examples}) >= 3, "examples in more than one file type"
    for keyword in rule.keywords:
        assert keyword == keyword.lower(), f"keyword {keyword!r} is not lower-case (the gate lower-cases the text)"
        assert len(keyword) >= 3 and keyword not in COMMON_WORDS, f"keyword {keyword!r} gates nothing"
    assert _provider(rule.id) in normalized(rule.info.title), f"the title {rule.info.title!r} names no provider"
    assert "secret store" in rule.message and "environment variable" in rule.message, "the message says where to"
    assert any(verb in rule.message.lower() for verb in REMEDY_VERBS), "the message says how to revoke it"
    assert all("(?P<secret>" in pattern.source and pattern.source.isascii() for pattern in rule.patterns)
    expected = {Category.BILLING_SECRET, Category.CONNECTOR_CREDENTIAL, Category.LICENSE_KEY, Category.WEBHOOK_SECRET}
    assert rule.info.category in expected, f"{rule.id}: a provider key is a connector, billing, licence or signing key"


# Values a provider documents as public (they sit in browser or mobile code) or as test-mode, next to the rule that
# must not report them: (rule id, the line, with a token shape in it).
PUBLIC_VALUES: tuple[tuple[str, str], ...] = (
    ("algolia-admin-api-key", "ALGOLIA_SEARCH_KEY={h:32}"),
    ("algolia-admin-api-key", "ALGOLIA_SEARCH_ONLY_API_KEY={h:32}"),
    ("amplitude-secret-key", "AMPLITUDE_API_KEY={h:32}"),
    ("pubnub-secret-key", "PUBNUB_PUBLISH_KEY=pub-c-{h:8}-{h:4}-{h:4}-{h:4}-{h:12}"),
    ("lob-live-api-key", "LOB_API_KEY=test_{h:35}"),
    ("lob-live-api-key", "LOB_PUBLISHABLE_KEY=live_pub_{h:31}"),
    ("intra42-client-secret", "INTRA42_CLIENT_ID=u-s4t2ud-{h:64}"),
)


def test_every_rule_has_a_shape() -> None:
    assert sorted(rule_id for rule_id, _, _ in SHAPES) == sorted(rule.id for rule in RULES)


@pytest.mark.parametrize(("rule_id", "shape", "line"), SHAPES, ids=[rule_id for rule_id, _, _ in SHAPES])
def test_rule_finds_a_fresh_token_of_its_shape(
    detector: PolicyDetector, tmp_path: Path, rule_id: str, shape: str, line: str
) -> None:
    rule = _rule(rule_id)
    token = fresh_token(rule, shape)
    found = env_findings(detector, tmp_path, rule_id, line.format(token=token))
    assert [f.line for f in found] == [2], f"{rule_id}: a token of shape {shape!r} is not found (len {len(token)})"
    assert found[0].category is rule.info.category


@pytest.mark.parametrize(("rule_id", "shape", "line"), SHAPES, ids=[rule_id for rule_id, _, _ in SHAPES])
def test_rule_ignores_a_token_cut_short(
    detector: PolicyDetector, tmp_path: Path, rule_id: str, shape: str, line: str
) -> None:
    """Half a token followed by an ellipsis (a shortened value in docs) is no credential of the full shape."""
    rule = _rule(rule_id)
    token = fresh_token(rule, shape)
    found = env_findings(detector, tmp_path, rule_id, line.format(token=token[: len(token) // 2] + "..."))
    assert found == [], f"{rule_id}: a token cut to {len(token) // 2} characters is reported"


# Shapes that end in a random run: appending more of that run's alphabet makes a longer value.
EXTENDABLE = tuple(entry for entry in SHAPES if entry[1].endswith("}"))


@pytest.mark.parametrize(("rule_id", "shape", "line"), EXTENDABLE, ids=[rule_id for rule_id, _, _ in EXTENDABLE])
def test_rule_ignores_a_longer_run_of_the_same_alphabet(
    detector: PolicyDetector, tmp_path: Path, rule_id: str, shape: str, line: str
) -> None:
    """A token with characters of its own alphabet appended is another value: no rule cuts it to size."""
    rule = _rule(rule_id)
    token = fresh_token(rule, shape)
    alphabet = ALPHABETS[SLOT.findall(shape)[-1][0]]
    tail = "".join(random.SystemRandom().choice(alphabet) for _ in range(130))
    found = env_findings(detector, tmp_path, rule_id, line.format(token=token + tail))
    assert found == [], f"{rule_id}: a value longer than the documented shape is reported"


@pytest.mark.parametrize(("rule_id", "line"), PUBLIC_VALUES, ids=[line.split("=")[0] for _, line in PUBLIC_VALUES])
def test_rule_ignores_the_providers_public_or_test_values(
    detector: PolicyDetector, tmp_path: Path, rule_id: str, line: str
) -> None:
    """Search-only, publishable, publish / subscribe and test-mode values grant nothing a reviewer must revoke."""
    assert rule_id in {rule.id for rule in RULES}
    found = env_findings(detector, tmp_path, rule_id, draw(line, random.SystemRandom()))
    assert found == [], f"{rule_id} reports a public or test value"


def _allenv_findings(detector: PolicyDetector, tmp_path: Path, line: str) -> list[Finding]:
    target = tmp_path / "deploy" / ".env"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("# provider settings\n" + line + "\n", encoding="utf-8")
    source = read_source(FileRef(path="deploy/.env", fspath=str(target), size=target.stat().st_size), 1 << 20)
    assert isinstance(source, Source), source
    return [f for f in detector.detect(source) if isinstance(f, Finding)]


@pytest.mark.parametrize(("rule_id", "shape", "line"), SHAPES, ids=[rule_id for rule_id, _, _ in SHAPES])
def test_no_other_rule_puts_the_token_in_another_category(
    detector: PolicyDetector, tmp_path: Path, rule_id: str, shape: str, line: str
) -> None:
    """Generic rules may see the same value too, as a connector credential (the category every more specific one
    outranks, DESIGN section 2), but never under another category that would win the tie-break: FOURSQUARE_API_KEY
    holds SQUARE, a payment provider's name, and is no billing secret."""
    rule = _rule(rule_id)
    found = _allenv_findings(detector, tmp_path, line.format(token=fresh_token(rule, shape)))
    expected = {rule.info.category, Category.CONNECTOR_CREDENTIAL}
    others = sorted({(f.rule_id, f.category.value) for f in found if f.category not in expected})
    assert others == [], f"{rule_id}: the same token is also reported as {others}"
