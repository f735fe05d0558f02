"""Secrets by context: a literal string bound to a sensitive name.

Binding forms: assignments and annotated assignments (names, attributes, subscripts such as
``os.environ["X"] = ...``, tuple unpacking), keyword arguments (``Client(api_key=...)``, ``dict(...)``), dict
literals, default parameter values, and the defaults of ``os.getenv`` / ``.get`` / ``.setdefault`` look-ups.
What the name means and which values count is ``sensitive``'s business.
"""

from __future__ import annotations

import ast
import re

from cavra_safety.detectors.python import gates
from cavra_safety.detectors.python.base import Check, Invalid, Valid, dotted_name
from cavra_safety.detectors.python.rules import BINDING_CATEGORIES, binding_rule, category_noun
from cavra_safety.detectors.python.sensitive import binding_category, env_var_name, worth_reporting
from cavra_safety.detectors.python.strings import StaticText, static_text, string_value
from cavra_safety.findings import Category

# A dict key or looked-up name that names a field, header or variable (not "AWS::SecretsManager::Secret").
_KEY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_LOOKUPS = frozenset({"get", "getenv", "setdefault", "pop"})


def _fake(*parts: str) -> str:
    """Example values are assembled at import time, so that this file passes the repository's own scan."""
    return "".join(parts)


TENANT = _fake("acme", "-prod-", "7731")
LICENSE = _fake("Q7KX", "-M2PD-", "9RTA-", "4WZN")
WEBHOOK = _fake("whsec_", "K3v9Qx", "7L2mNp8R")
BILLING = _fake("rk_", "live_", "51HxYq2e", "ZvKYlo2C9dQm")
PASSWORD = _fake("Tr0ub4", "dor&3")
API_KEY = _fake("sk-", "proj-", "7hG2kLm9", "Qw3eRt5y")
TENANT_ID, LICENSE_KEY, WEBHOOK_SECRET, BILLING_SECRET, CREDENTIAL = BINDING_CATEGORIES
assert Category.TENANT_ID is TENANT_ID


# A literal part of an f-string is a fragment ("-padding" in f"value-{n}-padding"): reported only when it is
# long enough to be a secret on its own.
MIN_FRAGMENT = 16


def reported_value(category: Category, text: StaticText, name: str) -> str | None:
    """The literal run of ``text`` worth reporting (the whole value when it has no holes), or None."""
    for run in text.runs:
        if (text.complete or len(run) >= MIN_FRAGMENT) and worth_reporting(category, run, name):
            return run
    return None


class _BindingCheck(Check):
    GATE = gates.bindings

    def judge(self, name: str, value: ast.expr, *, fixable: bool) -> None:
        category = binding_category(name)
        if category is None:
            return
        text = static_text(value)
        secret = reported_value(category, text, name) if text is not None else None
        if secret is None or text is None:
            return
        fixable = fixable and text.complete  # a value with f-string holes is reported, not rewritten
        env = env_var_name(name)
        self.report(
            self.context.span(value),
            binding_rule(category),
            secret,
            f"A literal {category_noun(category)} is bound to `{name}`. Read it from the environment "
            f'(os.environ["{env}"]) or a secrets store instead'
            + (" (`cavra-safety fix` makes this change)" if fixable else "")
            + ", and rotate it if it was ever real.",
            env_name=env if fixable else None,
        )


def _subscript_key(target: ast.Subscript) -> str | None:
    return string_value(target.slice)


def _field_default(value: ast.expr) -> ast.expr | None:
    """The default of a declared field: ``Field("...")`` / ``Field(default="...")`` (pydantic, SQLModel) and
    ``field(default="...")`` (dataclasses, attrs), under any module prefix."""
    if not isinstance(value, ast.Call):
        return None
    name = dotted_name(value.func)
    if name is None or name.rsplit(".", 1)[-1] not in ("Field", "field"):
        return None
    default = next((keyword.value for keyword in value.keywords if keyword.arg == "default"), None)
    if default is None and name.rsplit(".", 1)[-1] == "Field" and value.args:
        default = value.args[0]  # pydantic's Field takes the default first
    return default


class AssignmentBinding(_BindingCheck):
    """``name = "..."``, ``name: str = "..."``, ``self.name = "..."``, ``mapping["name"] = "..."``,
    ``(name := "...")``, and field declarations: ``name: SecretStr = Field("...")``."""

    VALID = (
        Valid('TENANT_ID_FIELD = "tenant_id"\nTENANT_HEADER = "X-Tenant-ID"\n'),
        Valid('tenant_id = os.environ["TENANT_ID"]\napi_key = settings.API_KEY\npassword = get_password()\n'),
        Valid('password = ""\napi_key = "<api-key>"\nlicense_key = "YOUR_LICENSE_KEY"\ntoken = "${TOKEN}"\n'),
        Valid('API_KEY = "api_key"\nSECRET_KEY_SETTING = "SECRET_KEY"\npassword = "password"\n'),
        Valid('test_password = "test-Pa55word"\nfake_api_key = "fake-1234567890abcdef"\n'),
        Valid('token = "Invalid token: %s"\nlicense = "MIT"\nsecret_path = "/run/secrets/db"\n'),
        Valid('make(secret=f"value-{n:04d}-padding")\ntoken = f"{prefix}-Zq8m{n}"\n'),
        Valid('tenant_id = None\ntenant_id: str\ntenant_id = f"{prefix}-{index}"\n'),
        Valid('INTERNAL_RESET_TOKEN = "_password_reset_token"\nCSRF_TOKEN = "1bcdefghij2bcdefghij3bcdefghij"\n'),
        Valid('db_password = "p@ssword"\nPASSWORD = "some:password"\ntoken = "1111-aaaaa"\npasswd = "pass\\0word"\n'),
        Valid(f'TEST_API_KEY = "{API_KEY}"\nsample_token = "{API_KEY}"\nmock_password = "{PASSWORD}"\n'),
        Valid('token_url = "https://auth.example.org/oauth/token"\npassword_hint = "Your pet\'s name"\n'),
        Valid('api_key: SecretStr = Field(..., description="The API key")\ntoken: str = field(default_factory=str)\n'),
        Valid('password: str = Field(alias="pwd", default=None)\nsecret: str = other(default="Zx81-kq2LmN0pQ")\n'),
    )
    INVALID = (
        Invalid(f'tenant_id = ▶"{TENANT}"\n', TENANT_ID),
        Invalid(f'TENANT_ID: str = ▶"{TENANT}"\n', TENANT_ID),
        Invalid(f'class Settings:\n    license_key = ▶"{LICENSE}"\n', LICENSE_KEY),
        Invalid(f'class Client:\n    def __init__(self):\n        self.apiKey = ▶"{API_KEY}"\n', CREDENTIAL),
        Invalid(f'STRIPE_SECRET_KEY = ▶b"{BILLING}"\n', BILLING_SECRET),
        Invalid(f'os.environ["WEBHOOK_SECRET"] = ▶"{WEBHOOK}"\n', WEBHOOK_SECRET),
        Invalid(f'DB_PASSWORD = (\n    ▶"{PASSWORD[:4]}"\n    "{PASSWORD[4:]}"\n)\n', CREDENTIAL),
        Invalid(f'user, password = "admin", ▶"{PASSWORD}"\n', CREDENTIAL),
        Invalid(f'api_key = ▶f"{API_KEY}{{suffix}}"\n', CREDENTIAL),
        Invalid(f'if (token := ▶"{API_KEY}"):\n    pass\n', CREDENTIAL),
        Invalid(f'class Settings(BaseSettings):\n    api_key: SecretStr = Field(▶"{API_KEY}")\n', CREDENTIAL),
        Invalid(
            f'class Settings(BaseModel):\n    tenant_id: str = pydantic.Field(default=▶"{TENANT}", min_length=4)\n',
            TENANT_ID,
        ),
        Invalid(
            f'@dataclass\nclass Hook:\n    signing_secret: str = field(repr=False, default=▶"{WEBHOOK}")\n',
            WEBHOOK_SECRET,
        ),
    )

    def _targets(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name | ast.Attribute):
            name = target.id if isinstance(target, ast.Name) else target.attr
            default = _field_default(value)
            self.judge(name, value if default is None else default, fixable=default is None)
        elif isinstance(target, ast.Subscript):
            key = _subscript_key(target)
            if key is not None:
                self.judge(key, value, fixable=False)
        elif (
            isinstance(target, ast.Tuple | ast.List)
            and isinstance(value, ast.Tuple | ast.List)
            and len(target.elts) == len(value.elts)
            and not any(isinstance(item, ast.Starred) for item in (*target.elts, *value.elts))
        ):
            for left, right in zip(target.elts, value.elts, strict=True):
                self._targets(left, right)

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._targets(target, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._targets(node.target, node.value)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.judge(node.target.id, node.value, fixable=True)


class KeywordArgumentBinding(_BindingCheck):
    """``Client(api_key="...")`` and ``dict(password="...")``."""

    VALID = (
        Valid("client = Client(api_key=api_key, token=os.environ['TOKEN'])\n"),
        Valid("job.run(tenant_id=tenant_id, password=None)\n"),
        Valid('connect(password="")\nform.field(password="password", label="Password")\n'),
        Valid('client.login(username="admin", password="password1")\n'),
        Valid('sorted(keys, key="name")\nrender(token_type="bearer")\n'),
    )
    INVALID = (
        Invalid(f'client = Client(api_key=▶"{API_KEY}")\n', CREDENTIAL),
        Invalid(f'config = dict(tenant_id=▶"{TENANT}")\n', TENANT_ID),
        Invalid(f'pay(\n    amount=5,\n    stripe_api_key=▶"{BILLING}",\n)\n', BILLING_SECRET),
    )

    def visit_Call(self, node: ast.Call) -> None:
        for keyword in node.keywords:
            if keyword.arg is not None:
                self.judge(keyword.arg, keyword.value, fixable=True)


class DictLiteralBinding(_BindingCheck):
    """``{"license_key": "..."}``."""

    VALID = (
        Valid('headers = {"X-Tenant-ID": tenant_id, "Authorization": token}\n'),
        Valid('schema = {"tenant_id": "string", "password": "password"}\n'),
        Valid('{"webhook_secret": "<webhook-secret>", "api_key": ""}\n'),
    )
    INVALID = (
        Invalid(f'headers = {{"X-Tenant-ID": ▶"{TENANT}"}}\n', TENANT_ID),
        Invalid(f'settings = {{\n    "debug": True,\n    "license_key": ▶"{LICENSE}",\n}}\n', LICENSE_KEY),
        Invalid(f'hooks = {{"signing_secret": ▶"{WEBHOOK}"}}\n', WEBHOOK_SECRET),
    )

    def visit_Dict(self, node: ast.Dict) -> None:
        for key_node, value in zip(node.keys, node.values, strict=True):
            key = string_value(key_node) if key_node is not None else None  # None: a `**mapping` entry
            if key is not None and _KEY_NAME.fullmatch(key):
                self.judge(key, value, fixable=False)


class DefaultParameterBinding(_BindingCheck):
    """``def connect(password="..."):`` and lambdas."""

    VALID = (
        Valid("def connect(host, password=None, token=DEFAULT_TOKEN):\n    pass\n"),
        Valid('def login(user, password=""):\n    pass\n'),
        Valid('def render(tenant_id="<tenant-id>"):\n    pass\n'),
    )
    INVALID = (
        Invalid(f'def connect(host, password=▶"{PASSWORD}"):\n    pass\n', CREDENTIAL),
        Invalid(f'async def activate(*, license_key: str = ▶"{LICENSE}") -> None:\n    pass\n', LICENSE_KEY),
        Invalid(f'sign = lambda body, signing_key=▶"{WEBHOOK}": body\n', WEBHOOK_SECRET),
    )

    def visit_arguments(self, node: ast.arguments) -> None:
        positional = [*node.posonlyargs, *node.args]
        # Defaults belong to the last positional parameters; keyword-only ones have a default each, or None.
        pairs = [
            *zip(positional[len(positional) - len(node.defaults) :], node.defaults, strict=True),
            *zip(node.kwonlyargs, node.kw_defaults, strict=True),
        ]
        for parameter, default in pairs:
            if default is not None:
                self.judge(parameter.arg, default, fixable=True)


class LookupDefaultBinding(_BindingCheck):
    """The default of an environment or mapping look-up: ``os.getenv("API_KEY", "...")``,
    ``os.environ.setdefault("TOKEN", "...")``, ``config.get("password", "...")``."""

    VALID = (
        Valid('api_key = os.getenv("API_KEY")\ntoken = os.environ.get("TOKEN", "")\n'),
        Valid('password = config.get("password", default_password)\n'),
        Valid('mode = os.getenv("MODE", "production")\n'),
        Valid('tenant = os.environ.setdefault("TENANT_ID", "<tenant-id>")\n'),
    )
    INVALID = (
        Invalid(f'api_key = os.getenv("API_KEY", ▶"{API_KEY}")\n', CREDENTIAL),
        Invalid(f'os.environ.setdefault("TENANT_ID", ▶"{TENANT}")\n', TENANT_ID),
        Invalid(f'secret = config.get("webhook_secret", ▶"{WEBHOOK}")\n', WEBHOOK_SECRET),
        Invalid(f'key = getenv("BILLING_API_KEY", default=▶"{BILLING}")\n', BILLING_SECRET),
    )

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        method = func.attr if isinstance(func, ast.Attribute) else dotted_name(func)
        if method not in _LOOKUPS or not node.args:
            return
        name = string_value(node.args[0])
        if name is None or not _KEY_NAME.fullmatch(name):
            return
        if len(node.args) > 1:
            self.judge(name, node.args[1], fixable=False)
            return
        for keyword in node.keywords:
            if keyword.arg in ("default", "value"):
                self.judge(name, keyword.value, fixable=False)
                return
