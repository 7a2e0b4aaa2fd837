"""Thin views: load the patient (access checked), validate the form, call one operation, commit."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError
from wtforms.fields.choices import SelectChoice

from tracker import audit
from tracker.auth.access import patient_or_404
from tracker.catalogue import default_catalogue
from tracker.extensions import db
from tracker.models import Trial
from tracker.operations import (
    ConflictError,
    PatientError,
    add_episode,
    add_measurement,
    add_treatment,
    mark_entered_in_error,
    save_trial,
    update_episode,
    update_patient,
)
from tracker.patients.forms import PatientForm
from tracker.records import bp
from tracker.records.checks import mark_above_maximum, score_checks, trial_checks
from tracker.records.forms import (
    EnteredInErrorForm,
    EpisodeForm,
    MeasurementForm,
    TreatmentForm,
    TrialForm,
    after_birth,
    focus_id,
)
from tracker.vocab import FORMULATIONS


def _one_of(records, record_id: int):
    """Return the record of this patient with ``record_id``; another patient's id answers 404."""
    found = next((r for r in records if r.id == record_id), None)
    if found is None:
        abort(404)
    return found


# Where "Save and ..." buttons lead next (the chart otherwise): a history is entered in a row.
NEXT_FORMS = {"episode": "records.new_episode", "trial": "records.new_trial",
              "treatment": "records.new_treatment"}
def _page(template: str, patient, status: int = 200, **context):
    """Render a page of ``patient``'s record and audit that it was seen (a refused save too)."""
    html = render_template(template, patient=patient, **context)
    audit.record_view(request.endpoint, patient)
    db.session.commit()
    return html, status


def _to_chart(patient, message: str):
    db.session.commit()
    flash(message, "success")
    endpoint = NEXT_FORMS.get(request.form.get("then", ""), "patients.chart")
    return redirect(url_for(endpoint, patient_id=patient.id))


@bp.route("/<int:patient_id>/edit", methods=["GET", "POST"])
def edit_patient(patient_id: int):
    patient = patient_or_404(patient_id)
    form = PatientForm(obj=patient, sex=str(patient.sex))
    if form.validate_on_submit():
        try:
            update_patient(patient, form.data)
        except PatientError as error:
            form.mrn.errors.append(str(error))
        else:
            return _to_chart(patient, "Patient details saved.")
    return _page("patients/form.html", patient, form=form)


def _trial_form(patient, trial: Trial | None) -> TrialForm:
    form = TrialForm()
    form.episode.choices = [SelectChoice("", "by first dose date")] + [
        SelectChoice(str(e.id), f"{e.key}: from {e.onset.isoformat()}") for e in patient.episodes]
    if trial is not None and not form.is_submitted():
        form.drug.data, form.notes.data = trial.drug, trial.notes
        form.episode.data = str(trial.episode_id or "")
        form.stopped.data = trial.stopped
        form.stop_reason.data = str(trial.stop_reason or "")
        form.adherence.data, form.response.data = str(trial.adherence), str(trial.response)
        form.version.data = str(trial.version)
        form.formulation.data = trial.formulation
        form.confirm_above_max.data = trial.above_max_confirmed
        while len(form.doses) < len(trial.doses):
            form.doses.append_entry()
        for entry, step in zip(form.doses, trial.doses, strict=False):
            entry.form.start.data = step.start
            if step.amount_mg is None:  # recorded as a daily total only: shown as such
                entry.form.mg_per_day.data = step.mg_per_day
            else:
                entry.form.amount_mg.data = step.amount_mg
                entry.form.times_per_day.data = str(step.times_per_day)
    return form


def _trial_view(patient, trial: Trial | None):
    form = _trial_form(patient, trial)
    focus = form.drug.id
    if form.is_submitted() and form.add_step.data:
        form.doses.append_entry()  # no JavaScript needed: the page comes back with a new row
        focus = form.doses[-1].form.start.id
    elif (form.validate_on_submit() and after_birth(form, patient.birth_date)
          and trial_checks(form, patient, trial)):
        try:
            save_trial(patient, trial, form.data, form.steps(), form.max_step is not None)
            return _to_chart(patient, "Trial saved. The verdict below is up to date.")
        except (ConflictError, StaleDataError):
            db.session.rollback()
            form.version.errors.append(
                "Someone else changed this trial while you edited it. Nothing was saved: "
                "reload the trial to see their change, then edit again.")
    if form.max_step is None:
        mark_above_maximum(form)  # an edited trial shows its confirmation, kept
    status = 409 if form.version.errors else 200
    return _page("records/trial.html", patient, status, form=form, trial=trial,
                 drug_names=default_catalogue().names(), formulations=FORMULATIONS,
                 focus_id=focus_id(form, focus))


@bp.route("/<int:patient_id>/trials/new", methods=["GET", "POST"])
def new_trial(patient_id: int):
    return _trial_view(patient_or_404(patient_id), None)


@bp.route("/<int:patient_id>/trials/<int:trial_id>/edit", methods=["GET", "POST"])
def edit_trial(patient_id: int, trial_id: int):
    patient = patient_or_404(patient_id)
    return _trial_view(patient, _one_of(patient.trials, trial_id))


def _simple_view(patient_id: int, form_class, operation, template: str, message: str):
    patient = patient_or_404(patient_id)
    form = form_class()
    if form.validate_on_submit() and after_birth(form, patient.birth_date):
        operation(patient, form.data)
        return _to_chart(patient, message)
    return _page(template, patient, form=form)


@bp.route("/<int:patient_id>/episodes/new", methods=["GET", "POST"])
def new_episode(patient_id: int):
    return _simple_view(patient_id, EpisodeForm, add_episode, "records/episode.html",
                        "Episode added.")


@bp.route("/<int:patient_id>/episodes/<int:episode_id>/edit", methods=["GET", "POST"])
def edit_episode(patient_id: int, episode_id: int):
    patient = patient_or_404(patient_id)
    episode = _one_of(patient.episodes, episode_id)
    form = EpisodeForm(obj=episode, severity=str(episode.severity))
    if form.validate_on_submit() and after_birth(form, patient.birth_date):
        update_episode(episode, form.data)
        return _to_chart(patient, f"Episode {episode.key} saved.")
    return _page("records/episode.html", patient, form=form,
                 heading=f"Edit episode {episode.key}")


@bp.route("/<int:patient_id>/measurements/new", methods=["GET", "POST"])
def new_measurement(patient_id: int):
    patient = patient_or_404(patient_id)
    form = MeasurementForm()
    if (form.validate_on_submit() and after_birth(form, patient.birth_date)
            and score_checks(form, patient)):
        add_measurement(patient, form.data)
        return _to_chart(patient, "Score added.")
    return _page("records/measurement.html", patient, form=form,
                 focus_id=focus_id(form, form.taken_on.id))


@bp.route("/<int:patient_id>/treatments/new", methods=["GET", "POST"])
def new_treatment(patient_id: int):
    return _simple_view(patient_id, TreatmentForm, add_treatment, "records/treatment.html",
                        "Treatment added.")


RECORD_KINDS = {"trials": "trial", "measurements": "score", "treatments": "treatment",
                "episodes": "episode"}


@bp.route("/<int:patient_id>/<any(trials, measurements, treatments, episodes):kind>"
          "/<int:record_id>/entered-in-error", methods=["GET", "POST"])
def entered_in_error(patient_id: int, kind: str, record_id: int):
    """Mark a trial, score, treatment or episode entered in error, with a reason."""
    patient = patient_or_404(patient_id)
    record = _one_of(getattr(patient, kind), record_id)
    form = EnteredInErrorForm()
    if form.validate_on_submit():
        mark_entered_in_error(patient, record, current_user, form.reason.data)
        return _to_chart(patient, f"The {RECORD_KINDS[kind]} is marked entered in error. "
                                  "It stays in the record for the audit.")
    return _page("records/entered_in_error.html", patient, form=form, record=record,
                 what=RECORD_KINDS[kind])
