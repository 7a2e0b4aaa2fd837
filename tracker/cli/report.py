"""``flask --app tracker report ...``: the exports of the web pages, for batch use.

Commands act with the rights of whoever runs them on the server, and each export is recorded
in the audit trail as done from the command line.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from tracker import audit, rules
from tracker.extensions import db
from tracker.interchange.csv_export import write_rows
from tracker.interchange.history_dump import dump
from tracker.models import Patient, User

report_cli = AppGroup("report", help="Export summaries, CSV, FHIR and research extracts.")
as_of_option = click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]),
                            default=None, help="Assess as of this date (default: today).")
profile_option = click.option("--profile", type=click.Choice(list(rules.PROFILES)),
                              default=rules.DEFAULT_PROFILE)


def _patient(mrn: str) -> Patient:
    patient = db.session.scalars(select(Patient).where(Patient.mrn == mrn)).first()
    if patient is None:
        raise click.ClickException(f"no patient with the MRN {mrn}")
    return patient


def _user(email: str | None) -> User | None:
    if email is None:
        return None
    user = db.session.scalars(select(User).where(User.email == email.lower())).first()
    if user is None:
        raise click.ClickException(f"no account with the email {email}")
    return user


def _exported(patient: Patient | None, what: str, output: Path) -> None:
    audit.record_export(what, patient, detail={"file": str(output)})
    db.session.commit()
    click.echo(f"Wrote {output}")


@report_cli.command("pdf")
@click.argument("mrns", metavar="MRN...", nargs=-1)
@click.option("--all", "everyone", is_flag=True, help="Every patient (OUTPUT is a folder).")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="A file for one MRN, a folder for several.")
@click.option("--clinician", help="Email of the clinician who signs (default: the first on "
                                  "the patient's care team).")
@as_of_option
@profile_option
def pdf(mrns, everyone: bool, output: Path, clinician: str | None, as_of, profile: str):
    """Write treatment-history summaries (PDF) for prior authorisation."""
    from tracker.reports.pdf import summary_pdf
    from tracker.reports.summary import build_summary

    if everyone:
        mrns = db.session.scalars(select(Patient.mrn).order_by(Patient.mrn)).all()
    if not mrns:
        raise click.UsageError("give at least one MRN, or --all")
    signer = _user(clinician)
    many = everyone or len(mrns) > 1
    if many:
        output.mkdir(parents=True, exist_ok=True)
    with click.progressbar(mrns, label="Summaries", show_pos=True, hidden=not many) as bar:
        for mrn in bar:
            patient = _patient(mrn)
            summary = build_summary(patient, profile, as_of.date() if as_of else None)
            target = output / f"{mrn}-treatment-history.pdf" if many else output
            target.write_bytes(summary_pdf(summary, signer or patient.clinicians[0]))
            audit.record_export("pdf", patient, detail={"file": str(target)})
    db.session.commit()
    click.echo(f"Wrote {len(mrns)} summar{'ies' if len(mrns) != 1 else 'y'} to {output}")


@report_cli.command("trials")
@click.argument("mrn")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@as_of_option
@profile_option
def trials(mrn: str, output: Path, as_of, profile: str):
    """Write one patient's trials as CSV."""
    from tracker.reports.summary import build_summary
    from tracker.reports.tables import TRIAL_HEADER, trial_rows

    patient = _patient(mrn)
    summary = build_summary(patient, profile, as_of.date() if as_of else None)
    with output.open("w", encoding="utf-8", newline="") as stream:
        write_rows(stream, TRIAL_HEADER, trial_rows(summary))
    _exported(patient, "trials.csv", output)


@report_cli.command("dose-steps")
@click.argument("mrn")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def dose_steps(mrn: str, output: Path):
    """Write one patient's dose steps as CSV, one row per step with its start and end."""
    from tracker.reports.summary import build_summary
    from tracker.reports.tables import DOSE_STEP_HEADER, dose_step_rows

    patient = _patient(mrn)
    with output.open("w", encoding="utf-8", newline="") as stream:
        write_rows(stream, DOSE_STEP_HEADER, dose_step_rows(build_summary(patient)))
    _exported(patient, "dose-steps.csv", output)


@report_cli.command("fhir")
@click.argument("mrn")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def fhir(mrn: str, output: Path):
    """Write one patient's record as a FHIR R4 Bundle (JSON)."""
    from tracker.interchange.fhir.export import patient_bundle

    patient = _patient(mrn)
    output.write_text(patient_bundle(patient).model_dump_json(indent=2, exclude_none=True),
                      encoding="utf-8")
    _exported(patient, "fhir", output)


@report_cli.command("history")
@click.argument("mrn")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def history(mrn: str, output: Path):
    """Write one patient's history in the interchange format (history-v1)."""
    from tracker.interchange.transfer import export_document

    patient = _patient(mrn)
    output.write_text(json.dumps(dump(export_document(patient)), indent=2, ensure_ascii=False),
                      encoding="utf-8")
    _exported(patient, "history", output)


@report_cli.command("panel")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.option("--clinician", help="Only this clinician's patients (default: everyone).")
def panel(output: Path, clinician: str | None):
    """Write the panel (flag, agents, staging per patient) as CSV, from the stored verdicts."""
    from tracker.reports.tables import PANEL_HEADER, panel_rows

    user = _user(clinician)
    total = db.session.scalar(select(db.func.count()).select_from(Patient))
    with output.open("w", encoding="utf-8", newline="") as stream, click.progressbar(
            panel_rows(user), length=total, label="Panel", show_pos=True) as rows:
        write_rows(stream, PANEL_HEADER, rows)
    _exported(None, "panel.csv", output)


@report_cli.command("research")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
def research(output: Path):
    """Write the de-identified research extract of every patient as CSV."""
    from tracker.reports.research import HEADER, patient_count, research_extract

    with output.open("w", encoding="utf-8", newline="") as stream, click.progressbar(
            length=patient_count(), label="Patients", show_pos=True) as bar:
        write_rows(stream, HEADER, research_extract(date.today(), lambda: bar.update(1)))
    _exported(None, "research.csv", output)


@report_cli.command("coverage")
@click.argument("mrn")
@click.option("--policy", "policy_id", required=True, help="The id of a known policy.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.option("--clinician", help="Email of the prescriber who signs (default: the first on "
                                  "the patient's care team).")
@click.option("--reauthorisation", is_flag=True, help="The re-authorisation report instead.")
@as_of_option
def coverage_packet(mrn: str, policy_id: str, output: Path, clinician: str | None,
                    reauthorisation: bool, as_of) -> None:
    """Write a payer's prior-authorisation packet (PDF) for one patient."""
    from tracker.coverage.registry import known_policies
    from tracker.reports.packet import build_packet, packet_pdf

    policies = known_policies()
    if policy_id not in policies:
        raise click.BadParameter(f"unknown policy {policy_id!r}; known: "
                                 f"{', '.join(policies)}", param_hint="--policy")
    policy = policies[policy_id]
    if reauthorisation and policy.reauthorisation is None:
        raise click.ClickException(f"{policy_id} sets no re-authorisation criteria")
    patient = _patient(mrn)
    packet = build_packet(patient, policy, as_of.date() if as_of else None)
    output.write_bytes(packet_pdf(packet, _user(clinician) or patient.clinicians[0],
                                 reauthorisation))
    what = "coverage_reauthorisation_pdf" if reauthorisation else "coverage_packet_pdf"
    audit.record_export(what, patient, detail={"file": str(output), "policy": policy_id})
    db.session.commit()
    click.echo(f"Wrote {output}")
