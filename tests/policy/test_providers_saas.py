"""The SaaS provider pack (``policies/providers-saas.toml``): every rule is documented and specific, and each rule
finds a fresh random token of its documented shape.

The shapes below are templates, not tokens: ``{k:n}`` is ``n`` random characters of alphabet ``k`` (see
``ALPHABETS``), drawn anew on every run, so that a rule is tested on the provider's documented alphabet and
length rather than on the one synthetic value its examples carry. A drawn token that the rule's own value filter
refuses (too little entropy by chance, a letters-only value the rule allows) is drawn again: the test asks
whether the pattern finds what the rule means to report.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pack_fixtures import env_findings, fresh_token, normalized

from cavra_safety.config import Config
from cavra_safety.detectors.policy import PolicyDetector, build_policy_detector
from cavra_safety.policy import Policy, PolicyRule, load_policy

REPO = Path(__file__).resolve().parents[2]
PACK_FILE = REPO / "policies" / "providers-saas.toml"
PACK_NAME = "cavra-community-providers-saas"

# Keywords gate every rule's regex; a word that most files contain gates nothing.
COMMON_WORDS = frozenset(
    "key api token secret auth pass password bearer client access live test user app the and http https url "
    "id private public config value data".split()
)


# (rule id, token shape, the line it is written on as a .env entry)
SHAPES: tuple[tuple[str, str, str], ...] = (
    ("slack-app-level-token", "xapp-1-A{U:10}-{d:13}-{h:64}", "SLACK_APP_TOKEN={token}"),
    ("slack-config-access-token", "xoxe.xoxp-1-{a:150}", "SLACK_CONFIG_TOKEN={token}"),
    ("slack-config-refresh-token", "xoxe-1-{a:146}", "SLACK_CONFIG_REFRESH_TOKEN={token}"),
    ("twilio-auth-token", "{h:32}", "TWILIO_AUTH_TOKEN={token}"),
    ("mailgun-private-key", "key-{h:32}", "MAILGUN_API_KEY={token}"),
    ("mailgun-api-key", "{h:32}-{h:8}-{h:8}", "MAILGUN_API_KEY={token}"),
    ("postmark-server-token", "{h:8}-{h:4}-4{h:3}-a{h:3}-{h:12}", "POSTMARK_SERVER_TOKEN={token}"),
    ("sparkpost-api-key", "{h:40}", "SPARKPOST_API_KEY={token}"),
    ("mandrill-api-key", "md-{a:22}", "MANDRILL_API_KEY={token}"),
    ("brevo-api-key", "xkeysib-{h:64}-{a:16}", "BREVO_API_KEY={token}"),
    ("brevo-smtp-key", "xsmtpsib-{h:64}-{a:16}", "BREVO_SMTP_KEY={token}"),
    ("messagebird-access-key", "{a:25}", "MESSAGEBIRD_ACCESS_KEY={token}"),
    ("vonage-api-secret", "{a:16}", "VONAGE_API_SECRET={token}"),
    ("plivo-auth-token", "{a:40}", "PLIVO_AUTH_TOKEN={token}"),
    ("pusher-app-secret", "{h:20}", "PUSHER_APP_SECRET={token}"),
    ("resend-api-key", "re_{a:8}_{a:24}", "RESEND_API_KEY={token}"),
    ("mailersend-api-token", "mlsn.{h:64}", "MAILERSEND_API_KEY={token}"),
    ("mailjet-api-secret", "{h:32}", "MAILJET_API_SECRET={token}"),
    ("telnyx-api-key", "KEY{H:32}_{a:22}", "TELNYX_API_KEY={token}"),
    ("telegram-bot-token", "{d:10}:AA{u:33}", "TELEGRAM_BOT_TOKEN={token}"),
    ("ably-api-key", "{a:6}.{a:6}:{u:43}", "ABLY_API_KEY={token}"),
    ("sendbird-api-token", "{h:40}", "SENDBIRD_API_TOKEN={token}"),
    ("getstream-api-secret", "{l:64}", "STREAM_API_SECRET={token}"),
    ("agora-app-certificate", "{h:32}", "AGORA_APP_CERTIFICATE={token}"),
    ("zoom-client-secret", "{a:32}", "ZOOM_CLIENT_SECRET={token}"),
    ("klaviyo-private-key", "pk_{h:34}", "KLAVIYO_PRIVATE_KEY={token}"),
    ("onesignal-rest-api-key", "os_v2_app_{z:113}", "ONESIGNAL_REST_API_KEY={token}"),
    ("pushbullet-access-token", "o.{a:32}", "PUSHBULLET_TOKEN={token}"),
    ("pushover-api-token", "{l:30}", "PUSHOVER_API_TOKEN={token}"),
    ("zapier-webhook-url", "https://hooks.zapier.com/hooks/catch/{d:8}/{l:7}/", "ZAPIER_WEBHOOK_URL={token}"),
    ("ifttt-webhook-key", "https://maker.ifttt.com/trigger/door_open/with/key/{u:22}", "IFTTT_WEBHOOK_URL={token}"),
    ("make-webhook-url", "https://hook.eu1.make.com/{l:32}", "MAKE_WEBHOOK_URL={token}"),
    ("zendesk-api-token", "{a:40}", "ZENDESK_API_TOKEN={token}"),
    ("intercom-access-token", "dG9rO{b:54}=", "INTERCOM_ACCESS_TOKEN={token}"),
    ("hubspot-private-app-token", "pat-na1-{h:8}-{h:4}-4{h:3}-8{h:3}-{h:12}", "HUBSPOT_ACCESS_TOKEN={token}"),
    ("hubspot-api-key", "{h:8}-{h:4}-4{h:3}-9{h:3}-{h:12}", "HUBSPOT_API_KEY={token}"),
    ("freshdesk-api-key", "{a:20}", "FRESHDESK_API_KEY={token}"),
    ("typeform-personal-token", "tfp_{a:44}_{a:14}", "TYPEFORM_TOKEN={token}"),
    ("contentful-personal-access-token", "CFPAT-{u:43}", "CONTENTFUL_MANAGEMENT_TOKEN={token}"),
    ("airtable-personal-access-token", "pat{a:14}.{h:64}", "AIRTABLE_TOKEN={token}"),
    ("airtable-api-key", "key{a:14}", "AIRTABLE_API_KEY={token}"),
    ("notion-integration-token", "ntn_{d:11}{a:35}", "NOTION_TOKEN={token}"),
    ("notion-legacy-integration-token", "secret_{a:43}", "NOTION_API_KEY={token}"),
    ("dropbox-short-lived-token", "sl.{u:138}", "DROPBOX_ACCESS_TOKEN={token}"),
    ("dropbox-long-lived-token", "{a:11}AAAAAAAAAA{u:43}", "DROPBOX_ACCESS_TOKEN={token}"),
    ("box-client-secret", "{a:32}", "BOX_CLIENT_SECRET={token}"),
    ("asana-personal-access-token", "2/{d:16}/{d:16}:{h:32}", "ASANA_ACCESS_TOKEN={token}"),
    ("trello-api-token", "ATTA{h:64}{H:8}", "TRELLO_TOKEN={token}"),
    ("trello-legacy-token", "{h:64}", "TRELLO_TOKEN={token}"),
    ("monday-api-token", "eyJ{u:20}.eyJ{u:60}.{u:43}", "MONDAY_API_TOKEN={token}"),
    ("clickup-api-token", "pk_{d:8}_{U:32}", "CLICKUP_API_TOKEN={token}"),
    ("smartsheet-access-token", "{a:37}", "SMARTSHEET_ACCESS_TOKEN={token}"),
    ("todoist-api-token", "{h:40}", "TODOIST_API_TOKEN={token}"),
    ("calendly-api-token", "eyJ{u:40}.eyJ{u:100}.{u:86}", "CALENDLY_TOKEN={token}"),
    ("pipedrive-api-token", "{h:40}", "PIPEDRIVE_API_TOKEN={token}"),
    ("salesforce-access-token", "00D{a:15}!{a:96}", "SALESFORCE_ACCESS_TOKEN={token}"),
    ("jotform-api-key", "{h:32}", "JOTFORM_API_KEY={token}"),
    ("shopify-access-token", "shpat_{h:32}", "SHOPIFY_ACCESS_TOKEN={token}"),
    ("shopify-shared-secret", "shpss_{h:32}", "SHOPIFY_API_SECRET={token}"),
    ("woocommerce-consumer-secret", "cs_{h:40}", "WOOCOMMERCE_CONSUMER_SECRET={token}"),
    ("bigcommerce-access-token", "{l:31}", "BIGCOMMERCE_ACCESS_TOKEN={token}"),
    ("ebay-client-secret", "PRD-{h:12}-{h:4}-{h:4}-{h:4}-{h:4}", "EBAY_CLIENT_SECRET={token}"),
    ("amazon-lwa-refresh-token", "Atzr|IwEB{u:300}", "SP_API_REFRESH_TOKEN={token}"),
    ("amazon-lwa-client-secret", "amzn1.oa2-cs.v1.{h:64}", "LWA_CLIENT_SECRET={token}"),
    ("shippo-live-token", "shippo_live_{h:40}", "SHIPPO_API_TOKEN={token}"),
    ("easypost-production-key", "EZAK{a:54}", "EASYPOST_API_KEY={token}"),
    ("duffel-live-token", "duffel_live_{u:43}", "DUFFEL_ACCESS_TOKEN={token}"),
    ("paypal-client-secret", "E{u:79}", "PAYPAL_CLIENT_SECRET={token}"),
    ("braintree-private-key", "{h:32}", "BRAINTREE_PRIVATE_KEY={token}"),
    ("adyen-api-key", "AQE{b:93}==-{b:43}=", "ADYEN_API_KEY={token}"),
    ("adyen-hmac-key", "{H:64}", "ADYEN_HMAC_KEY={token}"),
    ("razorpay-key-secret", "{a:24}", "RAZORPAY_KEY_SECRET={token}"),
    ("paystack-secret-key", "sk_live_{h:40}", "PAYSTACK_SECRET_KEY={token}"),
    ("flutterwave-secret-key", "FLWSECK-{h:32}-X", "FLW_SECRET_KEY={token}"),
    ("coinbase-api-secret", "{a:32}", "COINBASE_API_SECRET={token}"),
    ("gocardless-live-access-token", "live_{u:40}", "GOCARDLESS_ACCESS_TOKEN={token}"),
    ("checkout-secret-key", "sk_{h:8}-{h:4}-{h:4}-{h:4}-{h:12}", "CKO_SECRET_KEY={token}"),
    ("mollie-live-api-key", "live_{a:30}", "MOLLIE_API_KEY={token}"),
    ("mollie-access-token", "access_{a:40}", "MOLLIE_ACCESS_TOKEN={token}"),
    ("lemonsqueezy-api-key", "eyJ{u:36}.eyJ{u:120}.{u:120}", "LEMONSQUEEZY_API_KEY={token}"),
    ("plaid-secret", "{h:30}", "PLAID_SECRET={token}"),
    ("plaid-access-token", "access-production-{h:8}-{h:4}-{h:4}-{h:4}-{h:12}", "PLAID_ACCESS_TOKEN={token}"),
    ("wise-api-token", "{h:8}-{h:4}-4{h:3}-b{h:3}-{h:12}", "WISE_API_TOKEN={token}"),
    ("authorizenet-transaction-key", "{a:16}", "AUTHORIZE_NET_TRANSACTION_KEY={token}"),
    ("midtrans-server-key", "Mid-server-{u:24}", "MIDTRANS_SERVER_KEY={token}"),
    ("xendit-secret-key", "xnd_production_{a:70}", "XENDIT_SECRET_KEY={token}"),
    ("omise-secret-key", "skey_{l:19}", "OMISE_SECRET_KEY={token}"),
    ("klarna-live-api-key", "klarna_live_api_{u:64}", "KLARNA_API_KEY={token}"),
    ("binance-api-secret", "{a:64}", "BINANCE_API_SECRET={token}"),
    ("openai-project-key", "sk-proj-{u:74}T3BlbkFJ{u:74}", "OPENAI_API_KEY={token}"),
    ("openai-admin-key", "sk-admin-{u:74}T3BlbkFJ{u:74}", "OPENAI_ADMIN_KEY={token}"),
    ("openrouter-api-key", "sk-or-v1-{h:64}", "OPENROUTER_API_KEY={token}"),
    ("fireworks-api-key", "fw_{a:24}", "FIREWORKS_API_KEY={token}"),
    ("together-api-key", "tgp_v1_{u:43}", "TOGETHER_API_KEY={token}"),
    ("together-legacy-api-key", "{h:64}", "TOGETHER_API_KEY={token}"),
    ("cohere-api-key", "{a:40}", "COHERE_API_KEY={token}"),
    ("mistral-api-key", "{a:32}", "MISTRAL_API_KEY={token}"),
    ("deepseek-api-key", "sk-{h:32}", "DEEPSEEK_API_KEY={token}"),
    ("elevenlabs-api-key", "sk_{h:48}", "ELEVENLABS_API_KEY={token}"),
    ("assemblyai-api-key", "{h:32}", "ASSEMBLYAI_API_KEY={token}"),
    ("deepgram-api-key", "{h:40}", "DEEPGRAM_API_KEY={token}"),
    ("pinecone-api-key", "pcsk_{a:6}_{a:63}", "PINECONE_API_KEY={token}"),
    ("pinecone-legacy-api-key", "{h:8}-{h:4}-4{h:3}-a{h:3}-{h:12}", "PINECONE_API_KEY={token}"),
    ("langsmith-api-key", "lsv2_pt_{h:32}_{h:10}", "LANGSMITH_API_KEY={token}"),
    ("wandb-api-key", "{h:40}", "WANDB_API_KEY={token}"),
    ("voyage-api-key", "pa-{u:43}", "VOYAGE_API_KEY={token}"),
    ("tavily-api-key", "tvly-dev-{a:32}", "TAVILY_API_KEY={token}"),
    ("exa-api-key", "{h:8}-{h:4}-4{h:3}-a{h:3}-{h:12}", "EXA_API_KEY={token}"),
    ("cerebras-api-key", "csk-{l:48}", "CEREBRAS_API_KEY={token}"),
    ("nvidia-api-key", "nvapi-{u:64}", "NVIDIA_API_KEY={token}"),
    ("stability-api-key", "sk-{a:48}", "STABILITY_API_KEY={token}"),
    ("langfuse-secret-key", "sk-lf-{h:8}-{h:4}-{h:4}-{h:4}-{h:12}", "LANGFUSE_SECRET_KEY={token}"),
    ("jina-api-key", "jina_{h:32}{a:28}", "JINA_API_KEY={token}"),
    ("fal-api-key", "{h:8}-{h:4}-4{h:3}-a{h:3}-{h:12}:{h:32}", "FAL_KEY={token}"),
    ("clarifai-pat", "{h:32}", "CLARIFAI_PAT={token}"),
    ("mapbox-secret-token", "sk.eyJ1Ijoi{u:30}.{u:22}", "MAPBOX_SECRET_TOKEN={token}"),
    ("here-api-key", "{u:43}", "HERE_API_KEY={token}"),
    ("here-access-key-secret", "{u:86}", "HERE_ACCESS_KEY_SECRET={token}"),
    ("tomtom-api-key", "{a:32}", "TOMTOM_API_KEY={token}"),
    ("auth0-client-secret", "{u:64}", "AUTH0_CLIENT_SECRET={token}"),
    ("clerk-secret-key", "sk_live_{a:43}", "CLERK_SECRET_KEY={token}"),
    ("stytch-secret", "secret-live-{u:36}", "STYTCH_SECRET={token}"),
    ("workos-api-key", "sk_{a:64}", "WORKOS_API_KEY={token}"),
    ("duo-secret-key", "{a:40}", "DUO_SECRET_KEY={token}"),
    ("onelogin-client-secret", "{h:64}", "ONELOGIN_CLIENT_SECRET={token}"),
    ("jumpcloud-api-key", "{h:40}", "JUMPCLOUD_API_KEY={token}"),
    ("facebook-access-token", "EAAG{a:180}", "FACEBOOK_ACCESS_TOKEN={token}"),
    ("facebook-app-secret", "{h:32}", "FACEBOOK_APP_SECRET={token}"),
    ("instagram-access-token", "IGQV{u:160}", "INSTAGRAM_ACCESS_TOKEN={token}"),
    ("twitter-bearer-token", "AAAAAAAAAAAAAAAAAAAAA{a:8}AAAAAAA{a:20}%2B{a:40}", "TWITTER_BEARER_TOKEN={token}"),
    ("twitter-api-secret", "{a:50}", "TWITTER_API_SECRET={token}"),
    ("twitter-access-token", "{d:19}-{a:30}", "TWITTER_ACCESS_TOKEN={token}"),
    ("linkedin-client-secret", "WPL_AP1.{a:16}.{a:8}==", "LINKEDIN_CLIENT_SECRET={token}"),
    ("twitch-oauth-token", "oauth:{l:30}", "TWITCH_OAUTH_TOKEN={token}"),
    ("reddit-client-secret", "{u:27}", "REDDIT_CLIENT_SECRET={token}"),
    ("pinterest-access-token", "pina_{U:96}", "PINTEREST_ACCESS_TOKEN={token}"),
    ("mastodon-access-token", "{u:43}", "MASTODON_ACCESS_TOKEN={token}"),
    ("adafruit-io-key", "aio_{a:28}", "ADAFRUIT_IO_KEY={token}"),
    ("particle-access-token", "{h:40}", "PARTICLE_ACCESS_TOKEN={token}"),
    ("blynk-auth-token", "{u:32}", "BLYNK_AUTH_TOKEN={token}"),
    ("thingspeak-api-key", "{U:16}", "THINGSPEAK_WRITE_KEY={token}"),
    ("ubidots-token", "BBFF-{a:30}", "UBIDOTS_TOKEN={token}"),
    ("samsara-api-token", "samsara_api_{a:30}", "SAMSARA_API_TOKEN={token}"),
    ("tuya-client-secret", "{l:32}", "TUYA_ACCESS_SECRET={token}"),
    ("smartthings-token", "{h:8}-{h:4}-4{h:3}-8{h:3}-{h:12}", "SMARTTHINGS_TOKEN={token}"),
    ("home-assistant-token", "eyJ{u:36}.eyJ{u:50}.{u:43}", "HASS_TOKEN={token}"),
)


def _pack_rules() -> list[PolicyRule]:
    policy = load_policy(Config(root=REPO))
    return [rule for rule in policy.rules if rule.pack == PACK_NAME]


RULES = _pack_rules()


@pytest.fixture(scope="module")
def detector() -> PolicyDetector:
    config = Config(root=REPO)
    policy = load_policy(config)
    assert isinstance(policy, Policy)
    return build_policy_detector(config, policy)


def test_pack_is_a_public_default_pack_of_many_providers() -> None:
    pack = tomllib.loads(PACK_FILE.read_text(encoding="utf-8"))["pack"]
    assert (pack["name"], pack["visibility"]) == (PACK_NAME, "public")
    assert len(RULES) >= 100
    assert len({rule.id.split("-")[0] for rule in RULES}) >= 90


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.id)
def test_rule_is_documented_and_specific(rule: PolicyRule) -> None:
    assert len(rule.examples) >= 2, "at least two examples"
    assert len(rule.negative_examples) >= 3, "at least three negative examples"
    assert len({example.path for example in rule.examples}) >= 2, "examples in more than one file type or place"
    for keyword in rule.keywords:
        assert len(keyword) >= 3 and keyword not in COMMON_WORDS, f"keyword {keyword!r} gates nothing"
    provider = rule.id.split("-")[0]
    assert provider in normalized(rule.info.title), f"the title {rule.info.title!r} does not name {provider!r}"
    assert "secret store" in rule.message or "environment variable" in rule.message, "the message says how to fix it"


def test_every_rule_has_a_shape() -> None:
    assert sorted(rule_id for rule_id, _, _ in SHAPES) == sorted(rule.id for rule in RULES)


@pytest.mark.parametrize(("rule_id", "shape", "line"), SHAPES, ids=[rule_id for rule_id, _, _ in SHAPES])
def test_rule_finds_a_fresh_token_of_its_shape(
    detector: PolicyDetector, tmp_path: Path, rule_id: str, shape: str, line: str
) -> None:
    rule = next(rule for rule in RULES if rule.id == rule_id)
    token = fresh_token(rule, shape)
    found = env_findings(detector, tmp_path, rule_id, line.format(token=token))
    assert [f.line for f in found] == [2], f"{rule_id}: a token of shape {shape!r} is not found (len {len(token)})"
    assert found[0].category is rule.info.category
