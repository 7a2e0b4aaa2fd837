"""``flask --app tracker backup FILE``: a consistent copy of the embedded SQLite database."""

from __future__ import annotations

import sqlite3

import click
from flask.cli import with_appcontext

from tracker.extensions import db


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False))
@with_appcontext
def backup(target: str) -> None:
    """Copy the SQLite database to TARGET while the app serves (SQLite's online backup)."""
    if db.engine.dialect.name != "sqlite" or not db.engine.url.database:
        raise click.ClickException("This is not an SQLite file: on PostgreSQL use "
                                   "pg_dump --format=custom (README, Backup and restore).")
    source = sqlite3.connect(db.engine.url.database, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # one step: a snapshot of one moment, writers wait meanwhile
    finally:
        copy.close()
        source.close()
    click.echo(f"Backed up {db.engine.url.database} to {target}.")
