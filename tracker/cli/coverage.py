"""``flask --app tracker trd coverage FILE --policy ID|all``: payers' criteria for a history."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click
from sqlalchemy.exc import SQLAlchemyError

from tracker.coverage import InvalidPolicy, parse_policy, shipped_policies
from tracker.coverage.registry import known_policies
from tracker.coverage.text import coverage_text
from tracker.extensions import db
from tracker.rules.coverage import Policy, evaluate


def chosen_policies(choice: str) -> list[Policy]:
    """Return the policies ``--policy`` names: an id, ``all``, or a policy file (.toml)."""
    if choice.endswith(".toml"):
        try:
            text = Path(choice).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise click.ClickException(
                f"{choice}: cannot read the policy file ({error})") from None
        try:
            return [parse_policy(text)]
        except InvalidPolicy as error:
            for problem in error.problems:
                click.echo(f"{choice}: {problem}", err=True)
            click.echo("The policy file was refused.", err=True)
            sys.exit(2)
    policies = _known()
    if choice == "all":
        return list(policies.values())
    if choice not in policies:
        raise click.BadParameter(f"unknown policy {choice!r}; known: {', '.join(policies)}, "
                                 "all, or a policy file ending in .toml", param_hint="--policy")
    return [policies[choice]]


def _known() -> dict[str, Policy]:
    """Return the shipped and uploaded policies; the shipped ones alone without a database."""
    try:
        return known_policies()
    except SQLAlchemyError:
        db.session.rollback()
        click.echo("No database: uploaded policies are not read, shipped ones are.", err=True)
        return shipped_policies()


@click.command("coverage")
@click.argument("source", metavar="FILE")
@click.option("--policy", "choice", required=True, metavar="ID|all|FILE.toml",
              help="A policy id, all, or a policy file to check and use.")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Judge as of this date (default: today).")
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text")
def coverage(source: str, choice: str, as_of, fmt: str) -> None:
    """Check a history file against payers' criteria for esketamine or TMS."""
    from tracker.cli.trd import document_or_exit

    policies = chosen_policies(choice)
    document = document_or_exit(source)
    day = as_of.date() if as_of else date.today()
    results = [(p, evaluate(p, document.history, day)) for p in policies]
    if fmt == "json":
        dicts = [r.to_dict() for _, r in results]
        click.echo(json.dumps(dicts if choice == "all" else dicts[0], indent=2))
    else:
        click.echo("\n\n".join(coverage_text(p, r) for p, r in results))
