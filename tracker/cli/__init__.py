"""Command-line tools under ``flask --app tracker``, one module per group."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from tracker.cli.accounts import demo_cli, users_cli
    from tracker.cli.audit import audit_cli
    from tracker.cli.backup import backup
    from tracker.cli.coverage import coverage
    from tracker.cli.report import report_cli
    from tracker.cli.trd import trd_cli

    trd_cli.add_command(coverage)
    for group in (users_cli, demo_cli, trd_cli, audit_cli, report_cli):
        app.cli.add_command(group)
    app.cli.add_command(backup)
