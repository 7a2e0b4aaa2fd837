"""``flask --app tracker audit ...``: check the audit trail's hash chain."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from tracker import audit
from tracker.extensions import db

audit_cli = AppGroup("audit", help="Check the audit trail.")


@audit_cli.command("verify")
def verify() -> None:
    """Check every event's hash and link; name the first broken one (exit status 1)."""
    result = audit.verify(db.session)
    if result.intact:
        click.echo(f"Audit trail intact: {result.events} events, newest hash {result.head}.")
        return
    click.echo(f"Audit trail BROKEN at event {result.broken_at}: {result.problem}. "
               f"The {result.events} events before it are intact.", err=True)
    sys.exit(1)
