"""``flask --app tracker trd ...``: assess, import, export and reassess treatment histories."""

from __future__ import annotations

import json
import sys
from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import select

from tracker import rules
from tracker.extensions import db
from tracker.interchange.history import InvalidHistory
from tracker.interchange.history_dump import dump
from tracker.interchange.json_reader import MAX_DOCUMENT_BYTES
from tracker.interchange.reading import read_document
from tracker.models import Patient, User

trd_cli = AppGroup("trd", help="Assess, import and export treatment histories.")


def read_source(source: str) -> bytes:
    """Return at most one byte more than a document may hold, from a file or standard input."""
    limit = MAX_DOCUMENT_BYTES + 1
    try:
        if source == "-":
            return sys.stdin.buffer.read(limit)
        with open(source, "rb") as stream:
            return stream.read(limit)
    except OSError as error:
        raise InvalidHistory([f"$: cannot read the file ({error.strerror})"]) from None


def parse_file(source: str):
    """Read a history file or FHIR Bundle (``-`` for standard input); raise ``InvalidHistory``."""
    return read_document(read_source(source)).document


def _print_problems(source: str, error: InvalidHistory) -> None:
    for problem in error.problems:
        click.echo(f"{source}: {problem}", err=True)


def document_or_exit(source: str):
    """Return the document ``source`` holds; else print every problem and exit with 2."""
    try:
        return parse_file(source)
    except InvalidHistory as error:
        _print_problems(source, error)
        sys.exit(2)


@trd_cli.command("assess")
@click.argument("source", metavar="FILE")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Assess as of this date (default: today).")
@click.option("--profile", type=click.Choice(list(rules.PROFILES)), default=rules.DEFAULT_PROFILE)
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text")
def assess(source: str, as_of, profile: str, fmt: str) -> None:
    """Assess a history file or FHIR Bundle (or - for standard input) without a database."""
    from tracker.reporting import assessment_text

    document = document_or_exit(source)
    day = as_of.date() if as_of else date.today()
    result = rules.assess(document.history, rules.get_profile(profile), day)
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    else:
        click.echo(assessment_text(result, document.patient))


@trd_cli.command("import")
@click.argument("sources", metavar="FILE...", nargs=-1, required=True)
@click.option("--clinician", "email", required=True, help="Email of the clinician who cares.")
def import_histories(sources: tuple[str, ...], email: str) -> None:
    """Create or replace patients by MRN from history files or FHIR Bundles, all or none."""
    from tracker.interchange.transfer import import_document

    clinician = db.session.scalars(select(User).where(User.email == email.lower())).first()
    if clinician is None:
        raise click.ClickException(f"no account with the email {email}")
    documents, failed = [], False
    for source in sources:
        try:
            documents.append(parse_file(source))
        except InvalidHistory as error:
            failed = True
            _print_problems(source, error)
    if failed:
        click.echo("Nothing was imported.", err=True)
        sys.exit(2)
    for document in documents:
        import_document(document, clinician)
    db.session.commit()
    click.echo(f"Imported {len(documents)} histories for {clinician.email}.")


@trd_cli.command("export")
@click.argument("mrn")
def export_history(mrn: str) -> None:
    """Print a patient's history in the interchange format."""
    from tracker.interchange.transfer import export_document

    patient = db.session.scalars(select(Patient).where(Patient.mrn == mrn)).first()
    if patient is None:
        raise click.ClickException(f"no patient with the MRN {mrn}")
    click.echo(json.dumps(dump(export_document(patient)), indent=2))


@trd_cli.command("reassess")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Processes that read and assess batches in parallel.")
def reassess(workers: int) -> None:
    """Recompute every patient's stored verdict (after a catalogue or profile change)."""
    from tracker.reassessment import every_patient

    _recompute(every_patient(), workers, "Reassessing", "Reassessed")


@trd_cli.command("refresh")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
def refresh(workers: int) -> None:
    """Recompute the stored verdicts that expired by today (run it nightly)."""
    from tracker.reassessment import expired_patients

    _recompute(expired_patients(date.today()), workers, "Refreshing", "Refreshed")


def _recompute(ids: list[int], workers: int, doing: str, done: str) -> None:
    from tracker.reassessment import reassess_all

    with click.progressbar(length=len(ids), label=doing, show_pos=True) as bar:
        count = reassess_all(ids, date.today(), workers, bar.update)
    click.echo(f"{done} {count} patients.")
