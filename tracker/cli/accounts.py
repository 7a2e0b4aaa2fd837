"""``flask --app tracker users ...`` and ``demo ...``: accounts and demonstration data."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.extensions import db
from tracker.models import Role

users_cli = AppGroup("users", help="Manage accounts.")
demo_cli = AppGroup("demo", help="Demonstration data.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.CLINICIAN.value)
@click.password_option("--password", help="Read from a prompt when not given.")
def create_user(email: str, name: str, role: str, password: str) -> None:
    """Create an account."""
    from tracker.operations import AccountError, create_account

    try:
        user = create_account(email, name, Role(role), password)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}.")


@demo_cli.command("load")
def load_demo() -> None:
    """Load demo patients and the demo clinician (once; later runs change nothing).

    Refused in production: the demo accounts' passwords are published in the README."""
    from flask import current_app

    from tracker.demo import DEMO_EMAIL, DEMO_PASSWORD, load

    if current_app.config.get("REQUIRE_PRODUCTION_SETTINGS"):
        raise click.ClickException("The demo data (with its published passwords) is not "
                                   "loaded under FLASK_CONFIG=production.")

    created = load()
    db.session.commit()
    if created:
        click.echo(f"Loaded {created} demo patients. Sign in as {DEMO_EMAIL} / {DEMO_PASSWORD}.")
    else:
        click.echo("Demo data already loaded.")
