"""Workflows that change data. They add and flush; the request or command commits."""

from __future__ import annotations

import secrets
from datetime import date
from typing import NamedTuple

from sqlalchemy import func, select

from tracker.assessments import store_assessment
from tracker.auth.passwords import password_problem
from tracker.catalogue import default_catalogue
from tracker.extensions import db
from tracker.models import DoseStep, Episode, Measurement, Patient, Role, Treatment, Trial, User
from tracker.rules.vocab import (
    Adherence,
    Instrument,
    Response,
    Severity,
    Sex,
    StopReason,
    TreatmentKind,
)
from tracker.vocab import Laterality, Modality


class StepInput(NamedTuple):
    """A dose step as entered: the daily total, and the dose as prescribed when given."""

    start: date
    mg_per_day: float
    amount_mg: float | None = None
    times_per_day: int | None = None


class AccountError(ValueError):
    """An account that cannot be saved as asked; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str = "password"):
        super().__init__(message)
        self.field = field


def create_account(email: str, name: str, role: Role, password: str) -> User:
    """Create a user; raise ``AccountError`` for a taken email or a weak password."""
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f"{email!r} is not an email address", "email")
    problem = password_problem(password, email, name)
    if problem:
        raise AccountError(problem)
    if db.session.scalars(select(User).where(User.email == email)).first():
        raise AccountError(f"an account with the email {email} exists already", "email")
    user = User(email=email, name=name.strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def update_account(user: User, data: dict, admin: User) -> User:
    """Change an account's name, role, active flag and (when given) password.

    Raise ``AccountError`` when an admin would lock themself out or the password is weak.
    A deactivated user keeps their history; deactivation and a new password end all their
    sessions (re-activation revives none of them).
    """
    role, active = Role(data["role"]), bool(data["active"])
    if user.id == admin.id and (role is not Role.ADMIN or not active):
        raise AccountError("You cannot remove your own admin role or deactivate yourself.",
                           "role")
    if user.active and not active:
        from tracker.auth.sessions import end_sessions_of

        end_sessions_of(user, "account deactivated")
        user.session_token = secrets.token_urlsafe(24)
    user.name, user.role, user.active = data["name"].strip(), role, active
    if data.get("password"):
        problem = password_problem(data["password"], user.email, user.name)
        if problem:
            raise AccountError(problem)
        user.set_password(data["password"])
    db.session.flush()
    return user


def change_care_team(patient: Patient, clinician: User, add: bool) -> None:
    """Add ``clinician`` to the patient's care team, or take them off it."""
    if add and clinician not in patient.clinicians:
        patient.clinicians.append(clinician)
    elif not add and clinician in patient.clinicians:
        patient.clinicians.remove(clinician)
    db.session.flush()


class PatientError(ValueError):
    """A patient that cannot be saved as asked."""


MRN_REFUSED = ("This MRN cannot be used. Check it; if it is right, ask a clinic admin, "
               "who can see where it is used.")


def _free_mrn(mrn: str, patient: Patient | None = None) -> str:
    """Return the trimmed MRN; raise ``PatientError`` when another patient holds it.

    The message does not say that a patient holds it (they may be in another care team);
    the refusal is audited with the holder's id, so an admin can resolve it and see probing.
    """
    mrn = mrn.strip()
    # "d-1001" is the MRN "D-1001" typed in another case: refused the same way
    holder = select(Patient.id).where(func.lower(Patient.mrn) == mrn.lower())
    if patient is not None:
        holder = holder.where(Patient.id != patient.id)
    holder_id = db.session.scalars(holder).first()
    if holder_id is not None:
        from tracker import audit

        audit.record("mrn_refused", entity="patient", entity_id=holder_id,
                     detail={"for_patient": patient.id if patient else None})
        raise PatientError(MRN_REFUSED)
    return mrn


def create_patient(clinician: User, data: dict) -> Patient:
    """Add a patient cared for by ``clinician``; raise ``PatientError`` for a taken MRN."""
    mrn = _free_mrn(data["mrn"])
    patient = Patient(mrn=mrn, name=data["name"].strip(), birth_date=data["birth_date"],
                      sex=Sex(data["sex"]), clinicians=[clinician])
    db.session.add(patient)
    db.session.flush()
    store_assessment(patient)
    return patient


class ConflictError(ValueError):
    """Someone else saved the record since this form was opened."""


def update_patient(patient: Patient, data: dict) -> Patient:
    """Change the patient's identity fields; raise ``PatientError`` for a taken MRN."""
    mrn = _free_mrn(data["mrn"], patient)
    patient.mrn, patient.name = mrn, data["name"].strip()
    patient.birth_date, patient.sex = data["birth_date"], Sex(data["sex"])
    db.session.flush()
    return patient


def save_trial(patient: Patient, trial: Trial | None, data: dict,
               steps: list[StepInput], above_max: bool = False) -> Trial:
    """Create or change a trial with its dose steps, then refresh the patient's verdict.

    ``data["version"]`` is the version the form was opened at; a newer one in the database
    raises ``ConflictError`` so a second editor never overwrites the first. ``above_max`` says
    a step is above the label maximum and the clinician confirmed it.
    """
    if trial is None:
        trial = Trial(patient=patient)
        db.session.add(trial)
    elif str(trial.version) != str(data.get("version") or ""):
        raise ConflictError("This trial was changed by someone else while you edited it.")
    agent, suffix = default_catalogue().resolve_with_formulation(data["drug"])
    trial.drug = agent.generic
    trial.formulation = (data.get("formulation") or "").strip() or suffix
    trial.episode = next((e for e in patient.episodes if str(e.id) == data["episode"]), None)
    trial.started = steps[0].start
    trial.stopped = data["stopped"]
    trial.stop_reason = StopReason(data["stop_reason"]) if data["stop_reason"] else None
    trial.adherence = Adherence(data["adherence"])
    trial.response = Response(data["response"])
    trial.notes = data["notes"] or ""
    trial.above_max_confirmed = above_max and bool(data.get("confirm_above_max"))
    _keep_steps(trial, steps)
    db.session.flush()
    store_assessment(patient)
    return trial


def _keep_steps(trial: Trial, steps: list[StepInput]) -> None:
    """Make the trial's dose steps those of ``steps``, matched by start date: a step that is
    unchanged stays as it is (the audit trail records only what the edit changed), a changed
    one is updated, a new date is added and a date no longer there is deleted."""
    wanted = {s.start: s for s in steps}
    for step in [step for step in trial.doses if step.start not in wanted]:
        trial.doses.remove(step)
    kept = {step.start: step for step in trial.doses}
    for s in steps:
        step = kept.get(s.start)
        if step is None:
            trial.doses.append(DoseStep(start=s.start, mg_per_day=s.mg_per_day,
                                        amount_mg=s.amount_mg, times_per_day=s.times_per_day))
            continue
        for name in ("mg_per_day", "amount_mg", "times_per_day"):
            if getattr(step, name) != getattr(s, name):
                setattr(step, name, getattr(s, name))
    trial.doses.sort(key=lambda step: step.start)  # as loaded: by start date


def add_episode(patient: Patient, data: dict) -> Episode:
    """Add an episode with the next free key (e1, e2, ...), then refresh the verdict."""
    taken = {e.key for e in patient.episodes}
    key = next(f"e{n}" for n in range(1, len(taken) + 2) if f"e{n}" not in taken)
    episode = Episode(key=key, onset=data["onset"], remission=data["remission"],
                      severity=Severity(data["severity"]), psychotic=bool(data["psychotic"]),
                      icd10=data.get("icd10") or "")
    patient.episodes.append(episode)
    db.session.flush()
    store_assessment(patient)
    return episode


def add_measurement(patient: Patient, data: dict) -> Measurement:
    """Add a symptom score, then refresh the verdict."""
    items = [str(v) for v in data.get("items") or () if v not in (None, "")]
    measurement = Measurement(taken_on=data["taken_on"], instrument=Instrument(data["instrument"]),
                              score=data["score"], items="".join(items) or None)
    patient.measurements.append(measurement)
    db.session.flush()
    store_assessment(patient)
    return measurement


def add_treatment(patient: Patient, data: dict) -> Treatment:
    """Add an ECT, rTMS, esketamine, psychotherapy or other course, then refresh the verdict."""
    kind = TreatmentKind(data["kind"])
    laterality = data.get("laterality") or ("unknown" if kind is TreatmentKind.ECT else "")
    treatment = Treatment(kind=kind, detail=data["detail"] or "",
                          start=data["start"], end=data["end"], sessions=data["sessions"],
                          laterality=Laterality(laterality) if laterality else None,
                          modality=Modality(data["modality"]) if data.get("modality") else None)
    patient.treatments.append(treatment)
    db.session.flush()
    store_assessment(patient)
    return treatment


def update_episode(episode: Episode, data: dict) -> Episode:
    """Change an episode's dates and severity, then refresh the patient's verdict."""
    episode.onset, episode.remission = data["onset"], data["remission"]
    episode.severity, episode.psychotic = Severity(data["severity"]), bool(data["psychotic"])
    episode.icd10 = data.get("icd10") or ""
    db.session.flush()
    store_assessment(episode.patient)
    return episode


def mark_entered_in_error(patient: Patient, record, user: User, reason: str) -> None:
    """Mark one of the patient's records entered in error, then refresh the verdict.

    The row is kept, with who, when and why; it leaves the patient's record as it stands.
    """
    record.mark_entered_in_error(user.id, reason.strip())
    db.session.flush()
    db.session.expire(patient, ["episodes", "trials", "measurements", "treatments"])
    store_assessment(patient)
