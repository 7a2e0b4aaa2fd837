"""Download routes. Each checks access, records the export in the audit trail, and sends."""

from __future__ import annotations

import json
import re
from datetime import date

from flask import Response, abort, request
from flask_login import current_user

from tracker import audit, rules
from tracker.auth.access import patient_or_404
from tracker.extensions import db
from tracker.interchange.csv_export import csv_response
from tracker.interchange.fhir.export import patient_bundle
from tracker.interchange.history_dump import dump
from tracker.interchange.transfer import export_document
from tracker.models import Patient
from tracker.patients.panel import refresh_stale
from tracker.reports import bp
from tracker.reports.pdf import summary_pdf
from tracker.reports.research import HEADER as RESEARCH_HEADER
from tracker.reports.research import research_extract
from tracker.reports.summary import build_summary
from tracker.reports.tables import (
    DOSE_STEP_HEADER,
    PANEL_HEADER,
    TRIAL_HEADER,
    dose_step_rows,
    panel_rows,
    trial_rows,
)


def _filename(patient: Patient, suffix: str) -> str:
    """Return a download name from the MRN, with anything unusual in it replaced."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", patient.mrn) + suffix


def _exported(patient: Patient | None, what: str) -> None:
    audit.record_export(what, patient)
    db.session.commit()


def _download(body: bytes | str, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store"})


def _profile() -> str:
    profile = request.args.get("profile", rules.DEFAULT_PROFILE)
    return profile if profile in rules.PROFILES else rules.DEFAULT_PROFILE


@bp.route("/patients/<int:patient_id>/report.pdf")
def summary(patient_id: int):
    """The treatment-history summary for prior authorisation, as a PDF."""
    patient = patient_or_404(patient_id)
    body = summary_pdf(build_summary(patient, _profile()), current_user)
    _exported(patient, "pdf")
    return _download(body, "application/pdf", _filename(patient, "-treatment-history.pdf"))


@bp.route("/patients/<int:patient_id>/trials.csv")
def trials_csv(patient_id: int):
    patient = patient_or_404(patient_id)
    rows = list(trial_rows(build_summary(patient, _profile())))
    _exported(patient, "trials.csv")
    return csv_response(_filename(patient, "-trials.csv"), TRIAL_HEADER, rows)


@bp.route("/patients/<int:patient_id>/dose-steps.csv")
def dose_steps_csv(patient_id: int):
    """One row per dose step of every trial, with its start and end."""
    patient = patient_or_404(patient_id)
    rows = list(dose_step_rows(build_summary(patient, _profile())))
    _exported(patient, "dose-steps.csv")
    return csv_response(_filename(patient, "-dose-steps.csv"), DOSE_STEP_HEADER, rows)


@bp.route("/patients/<int:patient_id>/fhir.json")
def fhir(patient_id: int):
    patient = patient_or_404(patient_id)
    body = patient_bundle(patient).model_dump_json(indent=2, exclude_none=True)
    _exported(patient, "fhir")
    return _download(body, "application/fhir+json", _filename(patient, "-fhir.json"))


@bp.route("/patients/<int:patient_id>/history.json")
def history(patient_id: int):
    patient = patient_or_404(patient_id)
    body = json.dumps(dump(export_document(patient)), indent=2, ensure_ascii=False)
    _exported(patient, "history")
    return _download(body, "application/json", _filename(patient, "-history.json"))


@bp.route("/reports/panel.csv")
def panel_csv():
    """Every patient the user cares for, with the stored flag, agents and staging."""
    if refresh_stale(current_user, date.today()):
        db.session.commit()
    _exported(None, "panel.csv")
    return csv_response("panel.csv", PANEL_HEADER, panel_rows(current_user))


@bp.route("/reports/research.csv")
def research_csv():
    """The de-identified extract of every patient, for admins only."""
    if not current_user.is_admin:
        abort(403)
    rows = research_extract(date.today())
    _exported(None, "research.csv")
    return csv_response("research.csv", RESEARCH_HEADER, rows)
