"""The quick-entry page: a whole history, or what is missing from one, saved all or nothing."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import audit
from tracker.auth.access import patient_or_404
from tracker.catalogue import default_catalogue
from tracker.extensions import db
from tracker.operations import PatientError, create_patient
from tracker.quick_entry import save_history
from tracker.records import bp
from tracker.records.forms import focus_id
from tracker.records.quick_checks import check_rows
from tracker.records.quick_forms import NewPatientQuickEntryForm, QuickEntryForm, rows

SECTIONS = ("episodes", "trials", "scores", "treatments")


def _first_problem(form) -> str | None:
    """Return the id of the first field of the first row with a problem or a warning."""
    for section in SECTIONS:
        for row in rows(form, section):
            if row.problems:
                return next(iter(row)).id
            if row.warnings and not row.confirm.data:
                return row.confirm.id
    return None


def _quick_view(patient):
    form = QuickEntryForm() if patient is not None else NewPatientQuickEntryForm()
    focus = form.episodes[0].form.onset.id if patient else form.patient.form.mrn.id
    section = request.form.get("add_row")
    if form.is_submitted() and section in SECTIONS:
        form[section].append_entry()  # without JavaScript: the page comes back with a row more
        focus = next(iter(form[section][-1].form)).id
    elif form.is_submitted():
        valid = form.validate()
        birth = patient.birth_date if patient else form.patient.form.birth_date.data
        if check_rows(form, patient, birth) and valid:
            try:
                patient = patient or create_patient(current_user, form.patient.data)
            except PatientError as error:
                form.patient.form.mrn.errors = [str(error)]
            else:
                counts = save_history(patient, form)
                db.session.commit()
                flash(saved_words(counts), "success")
                return redirect(url_for("patients.chart", patient_id=patient.id))
        focus = focus_id(form, _first_problem(form) or focus)
    html = render_template("records/quick.html", form=form, patient=patient, focus_id=focus,
                           drug_names=default_catalogue().names())
    if patient is not None:  # the page shows this patient's record: audit that it was seen
        audit.record_view(request.endpoint, patient)
        db.session.commit()
    return html


SINGULAR = {"episodes": "episode", "trials": "trial", "scores": "score",
            "treatments": "other treatment"}
PLURAL = {"treatments": "other treatments"}


def saved_words(counts: dict[str, int]) -> str:
    """Say what was saved: "History saved: 1 episode, 2 trials." (or that nothing was)."""
    parts = [f"{n} {SINGULAR[what] if n == 1 else PLURAL.get(what, what)}"
             for what, n in counts.items() if n]
    return "History saved: " + ", ".join(parts) + "." if parts else \
        "Saved; no history rows were filled in."


@bp.route("/quick", methods=["GET", "POST"])
def quick_new():
    """A new patient with their history, on one page."""
    return _quick_view(None)


@bp.route("/<int:patient_id>/quick", methods=["GET", "POST"])
def quick(patient_id: int):
    """Enter or complete a patient's history on one page."""
    return _quick_view(patient_or_404(patient_id))
