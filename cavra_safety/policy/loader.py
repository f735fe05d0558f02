"""Finding, reading and assembling policy packs into one ``Policy``; every problem reported at once.

The default packs are every ``*.toml`` of the packaged ``cavra_safety.default_policies`` folder (the
repository's top-level ``policies/``, mapped into the wheel). In an editable install that mapped package does
not import, so the loader falls back to the ``policies/`` folder beside the package.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import cavra_safety
from cavra_safety.config import UNKNOWN_RULE, Config, read_input_file, setup_error
from cavra_safety.errors import UserError
from cavra_safety.findings import Category
from cavra_safety.policy import cache
from cavra_safety.policy.model import RULE_PREFIX, CategoryInfo, Policy
from cavra_safety.policy.parse import ParsedPack, parse_pack
from cavra_safety.policy.python_section import merge_sections
from cavra_safety.redaction import quoted

DEFAULT_PACKAGE = "cavra_safety.default_policies"
# A pack of 10,000 rules takes about 4 MB; a larger file is refused rather than read into memory.
MAX_PACK_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class PackFile:
    """A pack file's bytes, where it came from, and how messages name it."""

    path: Path
    data: bytes
    source: str
    default: bool = False


def display_path(path: Path) -> str:
    """Relative to the working directory when below it (``policies/x.toml``), else as absolute POSIX."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


def default_pack_files() -> list[PackFile]:
    try:
        folder = resources.files(DEFAULT_PACKAGE)
        entries = [
            (entry.name, Path(str(entry)), entry.read_bytes())
            for entry in folder.iterdir()
            if entry.name.endswith(".toml") and entry.is_file()
        ]
    except ModuleNotFoundError:
        fallback = Path(cavra_safety.__file__).resolve().parent.parent / "policies"
        entries = [(path.name, path, path.read_bytes()) for path in fallback.glob("*.toml") if path.is_file()]
    return [PackFile(path, data, display_path(path), default=True) for _, path, data in sorted(entries)]


def read_pack_files(paths: Iterable[Path], problems: list[str]) -> list[PackFile]:
    """The packs at ``paths``; one that cannot be read (missing, not a regular file, over 64 MiB) is a problem."""
    files: list[PackFile] = []
    for path in paths:
        try:
            files.append(PackFile(path, read_input_file(path, "policy pack", MAX_PACK_BYTES), display_path(path)))
        except FileNotFoundError as error:
            problems.append(f"{display_path(path)}: cannot read policy pack: {error.strerror or error}")
        except UserError as error:
            problems.append(str(error))
    return files


def _parse(file: PackFile, problems: list[str]) -> ParsedPack | None:
    if file.default:
        # A default pack's parsed document may come from the cache; if a cached one does not make a valid pack
        # (a tampered or damaged entry), the pack is parsed again from its TOML, so the cache can only be slower.
        try:
            document, cached = cache.parse_cached(file.data, _toml_document)
        except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
            document, cached = None, False  # reported by the uncached path below
        if document is not None:
            own: list[str] = []
            parsed = _parse_document(file, document, own)
            if not (cached and own):
                problems.extend(own)
                return parsed
        return _parse_toml(file, problems)
    # A user's pack: its patterns are compiled to check them, unless this very pack (same bytes, same RE2) was
    # found valid before; then they compile on first use, and a pack of thousands of rules loads as fast as
    # the default packs.
    validated = cache.cached_document(file.data, cache.VALIDATED)
    if validated is not None:
        own = []
        parsed = _parse_document(file, validated, own, deferred=True)
        if not own:
            return parsed
    before = len(problems)
    parsed = _parse_toml(file, problems)
    if parsed is not None and len(problems) == before:
        cache.store_document(file.data, _toml_document(file.data), cache.VALIDATED)
    return parsed


def _toml_document(data: bytes) -> dict[str, Any]:
    return tomllib.loads(data.decode("utf-8"))


def _parse_document(
    file: PackFile, document: Mapping[str, object], problems: list[str], *, deferred: bool = False
) -> ParsedPack | None:
    digest = hashlib.sha256(file.data).hexdigest()
    return parse_pack(document, file.source, file.path, digest, problems, deferred=deferred or file.default)


def _parse_toml(file: PackFile, problems: list[str]) -> ParsedPack | None:
    try:
        document = _toml_document(file.data)
    except UnicodeDecodeError:
        problems.append(f"{file.source}: not UTF-8 text")
        return None
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{file.source}: invalid TOML: {error}")
        return None
    except RecursionError:
        problems.append(f"{file.source}: invalid TOML: arrays or tables nested too deep")
        return None
    if file.default:
        cache.store_document(file.data, document)  # replaces a damaged entry
    return _parse_document(file, document, problems)


def close_matches(wanted: str, known: Iterable[str]) -> str:
    """`` (did you mean ...?)`` for rule ids, compared without the shared ``policy/`` prefix."""
    by_bare = {rule_id.removeprefix(RULE_PREFIX): rule_id for rule_id in known}
    import difflib  # a suggestion is rare: a clean run does not import difflib

    matches = difflib.get_close_matches(wanted.removeprefix(RULE_PREFIX), list(by_bare), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(by_bare[match] for match in matches)}?)" if matches else ""


def _check_unique(packs: Sequence[ParsedPack], problems: list[str]) -> None:
    pack_names: dict[str, str] = {}
    category_owner: dict[Category, str] = {}
    rule_owner: dict[str, str] = {}
    for pack in packs:
        source = pack.info.source
        if pack.info.name in pack_names:
            problems.append(
                f'{source}: pack.name: pack "{pack.info.name}" is already loaded from {pack_names[pack.info.name]}'
            )
        pack_names.setdefault(pack.info.name, source)
        for category in pack.categories:
            if category in category_owner:
                problems.append(f'{source}: category "{category}": already defined in {category_owner[category]}')
            category_owner.setdefault(category, source)
        for item in (*pack.rules, *pack.denylists):
            rule_id = item.info.rule_id
            if rule_id in rule_owner:
                problems.append(f'{source}: rule id "{rule_id}" is already defined in {rule_owner[rule_id]}')
            rule_owner.setdefault(rule_id, source)


def assemble(files: Sequence[PackFile], disabled: Iterable[str] = (), extra_problems: Sequence[str] = ()) -> Policy:
    """One policy from ``files`` in order; ``UserError`` listing every problem if anything is wrong.

    When some files are default packs, those together must title all ten categories.
    """
    problems = list(extra_problems)
    policy = _assembled(files, disabled, problems)
    if problems:
        count = len(problems)
        raise UserError(f"invalid policy: {count} problem{'s' if count != 1 else ''}", tuple(problems))
    return policy


def _assembled(files: Sequence[PackFile], disabled: Iterable[str], problems: list[str]) -> Policy:
    """The policy of the packs that parse, every problem appended to ``problems``."""
    parsed = [(file, _parse(file, problems)) for file in files]
    packs = [pack for _, pack in parsed if pack is not None]
    _check_unique(packs, problems)
    defaults = [file for file in files if file.default]
    if defaults:
        defined = {c for file, pack in parsed if file.default and pack is not None for c in pack.categories}
        missing = [c.value for c in Category if c not in defined]
        if missing:
            where = ", ".join(file.source for file in defaults)
            problems.append(f"default policy ({where}): categories not defined: {', '.join(missing)}")
    rules = [rule for pack in packs for rule in pack.rules]
    denylists = [deny for pack in packs for deny in pack.denylists]
    known = {item.info.rule_id for item in (*rules, *denylists)}
    for rule_id in sorted(disabled):
        if rule_id.startswith(RULE_PREFIX) and rule_id not in known:
            # Reported here with the packs' own problems; the engine checks the other detectors' ids.
            problems.append(f"{UNKNOWN_RULE}{quoted(rule_id)}{close_matches(rule_id, known)}")
    categories = {c: info for pack in packs for c, info in pack.categories.items()}
    for category in Category:
        categories.setdefault(category, CategoryInfo(title=category.value.replace("-", " ").capitalize()))
    return Policy(
        packs=tuple(pack.info for pack in packs),
        categories={category: categories[category] for category in Category},
        rules=tuple(rules),
        denylists=tuple(denylists),
        python=merge_sections(pack.python for pack in packs if pack.python is not None),
    )


def load_policy(config: Config, *, deferred: bool = False) -> Policy:
    """The default packs (when ``config.default_policy``), then ``config.policy_files`` in order.

    Every problem of the packs is reported in one ``UserError``, after the configuration's own
    (``config.problems``). ``deferred``: return the policy of the packs that parse, the packs' problems on
    ``Policy.problems``, for the engine to report together with the rule ids only it knows (``secret/*``,
    ``python/*``) - one run, every problem.
    """
    problems: list[str] = []
    files = default_pack_files() if config.default_policy else []
    if config.default_policy and not files:
        problems.append(f"default policy: no *.toml packs found ({DEFAULT_PACKAGE} or policies/)")
    files += read_pack_files(config.policy_files, problems)
    policy = _assembled(files, config.disabled_rules, problems)
    if deferred:
        return replace(policy, problems=tuple(problems))
    error = setup_error(config, problems)
    if error is not None:
        raise error
    return policy
