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
from tracker.interchange.history import InvalidHistory, dump
from tracker.interchange.reading import read_history
from tracker.models import Patient, User

trd_cli = AppGroup("trd", help="Assess, import and export treatment histories.")


def parse_file(source: str):
    """Read a history file or FHIR Bundle (``-`` for standard input); raise ``InvalidHistory``."""
    try:
        stream = sys.stdin if source == "-" else open(source, encoding="utf-8")  # noqa: SIM115
    except OSError as error:
        raise InvalidHistory([f"$: cannot read the file ({error.strerror})"]) from None
    with stream:
        try:
            raw = json.load(stream)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise InvalidHistory([f"$: not a JSON document ({error})"]) from None
    return _document(raw)


def _document(raw):
    """Return the history a decoded file holds, whether a history document or a FHIR Bundle."""
    return read_history(raw).document


def _print_problems(source: str, error: InvalidHistory) -> None:
    for problem in error.problems:
        click.echo(f"{source}: {problem}", err=True)


@trd_cli.command("assess")
@click.argument("source", metavar="FILE")
@click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Assess as of this date (default: today).")
@click.option("--profile", type=click.Choice(list(rules.PROFILES)), default=rules.DEFAULT_PROFILE)
@click.option("--format", "fmt", type=click.Choice(["json", "text"]), default="text")
def assess(source: str, as_of, profile: str, fmt: str) -> None:
    """Assess a history file or FHIR Bundle (or - for standard input) without a database."""
    from tracker.reporting import assessment_text

    try:
        document = parse_file(source)
    except InvalidHistory as error:
        _print_problems(source, error)
        sys.exit(2)
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
def reassess() -> None:
    """Recompute every patient's stored verdict (after a catalogue or profile change)."""
    from tracker.assessments import store_assessment

    ids = db.session.scalars(select(Patient.id).order_by(Patient.id)).all()
    with click.progressbar(ids, label="Reassessing", show_pos=True) as bar:
        for n, patient_id in enumerate(bar, start=1):
            store_assessment(db.session.get(Patient, patient_id))
            if n % 500 == 0:
                db.session.commit()
                db.session.expunge_all()
    db.session.commit()
    click.echo(f"Reassessed {len(ids)} patients.")
