"""Policy packs: the TOML format, its loader and validation, and the compiled rules the policy detector runs.

``load_policy(config)`` is the entry point; ``Policy`` is what the detectors receive. One TOML file is one pack:

- ``[pack]``: ``name`` ([a-z0-9-]+), ``version``, optional ``description`` and ``visibility`` (public, private,
  enterprise).
- ``[categories.<id>]``: ``title`` and optional ``description`` of one of the ten categories; each category at
  most once across the loaded packs, and the default packs together define all ten.
- ``[[rules]]``: ``id`` (unique; rule id ``policy/<id>``), ``category``, ``severity``, ``title``, ``message``,
  ``kind`` (regex | record), ``keywords`` (case-insensitive literals gating the rule), optional value filters
  ``allow-patterns``, ``stop-words``, ``min-length``, ``min-entropy``, optional ``paths = {include, exclude}``,
  and ``examples`` / ``negative-examples`` (strings or ``{text, path}`` tables). Regex rules have ``patterns``
  (RE2; the value is group ``secret``, else group 1, else the match: see ``patterns``); record rules have
  ``identifier-keys``, ``companion-keys``, ``min-companions`` and ``window`` (see ``records``).
- ``[[denylist]]``: ``id`` (rule id ``policy/denylist-<id>``), ``category``, ``severity``, ``title``,
  ``message``, ``algorithm`` (optional, ``blake2b-256``), ``salt``, ``case-sensitive``, ``hashes`` (see
  ``denylist``).

Unknown fields are errors, and every error of every file is reported at once (``fields``). Placeholders and
look-ups are never reported by any rule (``placeholders``).
"""

from __future__ import annotations

from cavra_safety.policy.loader import PackFile, assemble, default_pack_files, load_policy, read_pack_files
from cavra_safety.policy.model import (
    CategoryInfo,
    DenyList,
    Example,
    Kind,
    PackInfo,
    PathFilter,
    Policy,
    PolicyRule,
    RecordRule,
    RegexRule,
    ValueFilter,
    Visibility,
)

__all__ = [
    "CategoryInfo",
    "DenyList",
    "Example",
    "Kind",
    "PackFile",
    "PackInfo",
    "PathFilter",
    "Policy",
    "PolicyRule",
    "RecordRule",
    "RegexRule",
    "ValueFilter",
    "Visibility",
    "assemble",
    "default_pack_files",
    "load_policy",
    "read_pack_files",
]
