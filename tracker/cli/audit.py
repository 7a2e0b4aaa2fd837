"""``flask --app tracker audit ...``: check the audit trail and anchor it outside the database."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from tracker import audit, audit_anchor
from tracker.extensions import db

audit_cli = AppGroup("audit", help="Check the audit trail.")


@audit_cli.command("verify")
@click.option("--anchor", "anchor_file", type=click.Path(exists=True, dir_okay=False),
              help="An anchor file written by `audit anchor`: also check every checkpoint.")
def verify(anchor_file: str | None) -> None:
    """Check every event's hash and link; name the first broken one (exit status 1)."""
    result = audit.verify(db.session)
    if not result.intact:
        click.echo(f"Audit trail BROKEN at event {result.broken_at}: {result.problem}. "
                   f"The {result.events} events before it are intact.", err=True)
        sys.exit(1)
    if anchor_file:
        checkpoints = audit_anchor.read(Path(anchor_file).read_text())
        for checkpoint in checkpoints:
            problem = audit_anchor.check(db.session, checkpoint)
            if problem:
                click.echo(f"Audit trail BROKEN: {problem}.", err=True)
                sys.exit(1)
        click.echo(f"All {len(checkpoints)} checkpoints of {anchor_file} hold.")
    click.echo(f"Audit trail intact: {result.events} events, newest hash {result.head}.")


@audit_cli.command("anchor")
@click.argument("anchor_file", type=click.Path(dir_okay=False))
def anchor(anchor_file: str) -> None:
    """Append a signed checkpoint (head hash, count) to ANCHOR_FILE; keep it off this server."""
    try:
        checkpoint = audit_anchor.take(db.session)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    with open(anchor_file, "a", encoding="utf-8") as stream:
        stream.write(checkpoint.line() + "\n")
    click.echo(f"Checkpoint written to {anchor_file}: {checkpoint.events} events, "
               f"newest hash {checkpoint.head}.")
