"""``cavra-safety policy ...``: list and show the loaded rules, check packs, hash private values for deny-lists.

Commands return exit codes (0 fine, 2 problems) and raise ``UserError`` for bad input; ``cli.main`` maps both.
"""

from __future__ import annotations

import json
import re
import secrets
import sys
from pathlib import Path

import click

from cavra_safety.commands.options import policy_options, with_options
from cavra_safety.commands.output import WholeSummaryGroup, echo
from cavra_safety.config import Config, load_config
from cavra_safety.errors import EXIT_CLEAN, EXIT_USER_ERROR, UserError
from cavra_safety.findings import Category, Severity
from cavra_safety.policy import DenyList, Example, Policy, PolicyRule, RecordRule, assemble, load_policy
from cavra_safety.policy.denylist import SALT_BYTES, read_values, render_block
from cavra_safety.policy.loader import close_matches, read_pack_files
from cavra_safety.policy.parse import RULE_ID
from cavra_safety.redaction import quoted, redact_secrets


def _config(policy_files: tuple[Path, ...], no_default_policy: bool, config_file: Path | None) -> Config:
    return with_options(load_config(Path.cwd(), config_file, defer_problems=True), policy_files, no_default_policy)


def _load(policy_files: tuple[Path, ...], no_default_policy: bool, config_file: Path | None) -> Policy:
    return load_policy(_config(policy_files, no_default_policy, config_file))


@click.group(cls=WholeSummaryGroup)
def policy() -> None:
    """Inspect, check and extend the policy packs."""


@policy.command("list")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--policy-only",
    is_flag=True,
    help="Only the rules of the policy packs (policy/*), not those of the secrets and Python detectors.",
)
@policy_options
def list_rules(
    output_format: str,
    policy_only: bool,
    policy_files: tuple[Path, ...],
    no_default_policy: bool,
    config_file: Path | None,
) -> int:
    """List every rule a scan runs (policy/*, secret/*, python/*): id, category, severity, title."""
    config = _config(policy_files, no_default_policy, config_file)
    loaded = load_policy(config, deferred=not policy_only)  # the engine reports every problem at once
    if policy_only:
        disabled = config.disabled_rules
        infos = sorted((i for i in loaded.rule_infos if i.rule_id not in disabled), key=lambda info: info.rule_id)
    else:
        from cavra_safety.pipeline.engine import Engine  # builds every registered detector, as a scan does

        infos = list(Engine(config, loaded).rules)
    if output_format == "json":
        rows = [
            {"rule_id": i.rule_id, "category": i.category.value, "severity": i.severity.label, "title": i.title}
            for i in infos
        ]
        echo(json.dumps({"rules": rows}, indent=2))
        return EXIT_CLEAN
    if not infos:
        echo("no policy rules loaded")
        return EXIT_CLEAN
    widths = [
        max(len(text) for text in column)
        for column in ([i.rule_id for i in infos], [i.category.value for i in infos], [i.severity.label for i in infos])
    ]
    for info in infos:
        echo(
            f"{info.rule_id:<{widths[0]}}  {info.category.value:<{widths[1]}}  "
            f"{info.severity.label:<{widths[2]}}  {info.title}"
        )
    return EXIT_CLEAN


def _example_lines(label: str, examples: tuple[Example, ...]) -> list[str]:
    lines = [f"{label}:"]
    for example in examples:
        suffix = f"    (as {example.path})" if example.path != Example("").path else ""
        lines.append(f"  {example.text!r}{suffix}")
    return lines


def _describe(item: PolicyRule | DenyList, policy: Policy) -> list[str]:
    info = item.info
    category = policy.categories.get(info.category)
    lines = [
        info.rule_id,
        f"title: {info.title}",
        f"category: {info.category.value}" + (f" ({category.title})" if category else ""),
        f"severity: {info.severity.label}",
        f"pack: {item.pack} ({item.source})",
        f"message: {item.message}",
    ]
    if isinstance(item, DenyList):
        lines += [
            "kind: deny-list (salted hashes of private values)",
            f"case-sensitive: {'true' if item.case_sensitive else 'false'}",
            f"values listed: {len(item.hashes)}",
        ]
        return lines
    lines += [f"kind: {item.kind.value}", f"keywords: {', '.join(item.keywords)}"]
    if isinstance(item, RecordRule):
        lines += [
            f"identifier-keys: {', '.join(item.identifier_keys)}",
            f"companion-keys: {', '.join(item.companion_keys)}",
            f"min-companions: {item.min_companions}",
            f"window: {item.window}",
        ]
    else:
        lines += ["patterns:", *(f"  {pattern.source}" for pattern in item.patterns)]
    values = item.values
    if values.allow:
        lines += ["allow-patterns:", *(f"  {pattern.source}" for pattern in values.allow)]
    if values.stop_words:
        lines.append(f"stop-words: {', '.join(values.stop_words)}")
    if values.min_length:
        lines.append(f"min-length: {values.min_length}")
    if values.min_entropy:
        lines.append(f"min-entropy: {values.min_entropy:g}")
    if item.paths is not None:
        lines.append(f"paths: include {list(item.paths.include)}, exclude {list(item.paths.exclude)}")
    return (
        lines + _example_lines("examples", item.examples) + _example_lines("negative-examples", item.negative_examples)
    )


@policy.command("show")
@click.argument("rule_id", metavar="RULE")
@policy_options
def show(rule_id: str, policy_files: tuple[Path, ...], no_default_policy: bool, config_file: Path | None) -> int:
    """Show everything about one rule (policy/<id> or <id>): patterns, keywords, filters, examples."""
    config = _config(policy_files, no_default_policy, config_file)
    loaded = load_policy(config)
    item = loaded.find_rule(rule_id)
    if item is not None:
        echo("\n".join(_describe(item, loaded)))
        return EXIT_CLEAN
    from cavra_safety.pipeline.engine import Engine  # the secrets and Python detectors' rules are code, not pack data

    every_rule = {info.rule_id: info for info in Engine(config, loaded).rules}
    info = every_rule.get(rule_id)
    if info is None:
        raise UserError(f"unknown rule {quoted(rule_id)}{close_matches(rule_id, every_rule)}")
    echo(
        "\n".join(
            [
                f"{info.rule_id}: {info.title}",
                f"category: {info.category.value}",
                f"severity: {info.severity.label}",
                *([f"message: {info.description}"] if info.description else []),
            ]
        )
    )
    return EXIT_CLEAN


@policy.command("check")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def check(files: tuple[Path, ...]) -> int:
    """Check policy pack FILES: each loads on its own and every rule's examples behave."""
    from cavra_safety.detectors.policy import check_examples  # the detector layer sits above policy

    failed = False
    for path in files:
        problems: list[str] = []
        pack_files = read_pack_files([path], problems)
        try:
            loaded = assemble(pack_files, extra_problems=problems)
        except UserError as error:
            problems = list(error.problems) or [error.message]
        else:
            problems = check_examples(loaded)
        shown = redact_secrets(str(path))
        if problems:
            failed = True
            echo(f"{shown}: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
            for problem in problems:
                echo(f"  {redact_secrets(problem)}")
        else:
            examples = sum(len(r.examples) + len(r.negative_examples) for r in loaded.rules)
            echo(f"{shown}: ok ({len(loaded.rules)} rules, {len(loaded.denylists)} deny-lists, {examples} examples)")
    return EXIT_USER_ERROR if failed else EXIT_CLEAN


# Split so that this source line is not itself read as an inline allow comment.
_ALLOW = "cavra" + ": allow"
_DEFAULT_MESSAGE = (
    "A value on the private deny-list was found. Remove it (use a placeholder such as <tenant-id>), "
    "rotate it if it is a credential, or add '" + _ALLOW + " {rule_id} -- <reason>' if it is "
    "deliberate."
)


@policy.command("hash-values")
@click.option(
    "--category",
    required=True,
    type=click.Choice([c.value for c in Category]),
    help="The category findings of this list carry.",
)
@click.option("--id", "list_id", help="The list id (rule id policy/denylist-<id>); default: known-<category>.")
@click.option("--severity", type=click.Choice([s.label for s in Severity]), default="high", show_default=True)
@click.option("--case-sensitive", is_flag=True, help="Match the exact case (default: any case).")
@click.option("--title", help="The rule title (default: 'Listed private value (<category>)').")
@click.option("--message", help="The finding message: what was found and how to fix it.")
def hash_values(
    category: str, list_id: str | None, severity: str, case_sensitive: bool, title: str | None, message: str | None
) -> int:
    """Read private values from stdin (one per line; blank lines and # comments ignored) and print a
    [[denylist]] block of their salted hashes, to paste into a policy pack. Values are never printed."""
    list_id = list_id or f"known-{category}"
    if not re.fullmatch(RULE_ID.pattern, list_id):
        raise UserError(f"--id {quoted(list_id)}: use lowercase letters, digits and '-' ({RULE_ID.pattern})")
    values, problems = read_values(sys.stdin.buffer.read())
    if problems:
        raise UserError(f"hash-values: {len(problems)} value(s) cannot be listed", tuple(problems))
    if not values:
        raise UserError("hash-values: no values on stdin (one per line)")
    rule_id = f"policy/denylist-{list_id}"
    echo(
        render_block(
            values,
            salt=secrets.token_bytes(SALT_BYTES),
            list_id=list_id,
            category=category,
            severity=severity,
            title=title or f"Listed private value ({category})",
            message=message or _DEFAULT_MESSAGE.format(rule_id=rule_id),
            case_sensitive=case_sensitive,
        ),
        nl=False,
    )
    click.echo(f"hashed {len(set(values))} value(s) into {rule_id}", err=True)
    return EXIT_CLEAN
