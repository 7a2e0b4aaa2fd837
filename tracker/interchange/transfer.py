"""Moving histories between the interchange format, the database and the rules.

``import_document`` and ``export_document`` carry history files in and out of the database.
Functions here add and flush, never commit.
"""

from __future__ import annotations

from sqlalchemy import func, select

from tracker import rules
from tracker.assessments import history_of, store_assessment
from tracker.extensions import db
from tracker.interchange.history import Document, PatientInfo
from tracker.interchange.history_details import Details, Regimen
from tracker.models import DoseStep, Episode, Measurement, Patient, Treatment, Trial, User
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

REPLACED = "replaced by a history import"


def export_document(patient: Patient) -> Document:
    """Return the patient's history as an interchange document."""
    info = PatientInfo(patient.mrn, patient.name, patient.birth_date, str(patient.sex))
    return Document(info, history_of(patient), tuple(t.notes for t in patient.trials),
                    details_of(patient))


def import_document(document: Document, clinician: User) -> Patient:
    """Create the patient of ``document``, or replace the one with its MRN, and add ``clinician``.

    Replacing keeps the patient's id and care team; the rows it replaces are marked entered
    in error (reason: replaced by a history import), never deleted.
    """
    info, history = document.patient, document.history
    patient = db.session.scalars(select(Patient).where(
        func.lower(Patient.mrn) == info.mrn.lower())).first()  # MRNs match in any case
    if patient is None:
        patient = Patient(mrn=info.mrn)
        db.session.add(patient)
    else:
        replaced = [*patient.episodes, *patient.trials, *patient.measurements, *patient.treatments]
        for record in replaced:
            record.mark_entered_in_error(clinician.id, REPLACED)
        db.session.flush()
        db.session.expire(patient, ["episodes", "trials", "measurements", "treatments"])
    patient.name, patient.birth_date, patient.sex = info.name, info.birth_date, Sex(info.sex)
    if clinician not in patient.clinicians:
        patient.clinicians.append(clinician)
    episodes = {e.key: episode_row(e) for e in history.episodes}
    patient.episodes.extend(episodes.values())
    trials = [trial_row(t, notes, episodes)
              for t, notes in zip(history.trials, document.notes, strict=True)]
    measurements = [measurement_row(m) for m in history.measurements]
    treatments = [treatment_row(t, episodes) for t in history.treatments]
    patient.trials.extend(trials)
    patient.measurements.extend(measurements)
    patient.treatments.extend(treatments)
    apply_details(document, list(episodes.values()), trials, treatments)
    db.session.flush()
    store_assessment(patient)
    return patient


# One place builds database rows from history records: the import above and the web import's
# merge (``tracker.interchange.merge``) both use these.
def episode_row(e: rules.Episode, key: str | None = None) -> Episode:
    """Return a new episode row for a history episode (under ``key`` when given)."""
    return Episode(key=key or e.key, onset=e.onset, remission=e.remission,
                   severity=Severity(e.severity), psychotic=e.psychotic)


def trial_row(t: rules.Trial, notes: str, episodes: dict[str, Episode]) -> Trial:
    """Return a new trial row with its dose steps; ``episodes`` maps history keys to rows."""
    return Trial(
        drug=t.agent.generic, episode=episodes.get(t.episode), started=t.started,
        stopped=t.stopped, stop_reason=StopReason(t.stop_reason) if t.stop_reason else None,
        adherence=Adherence(t.adherence), response=Response(t.response), notes=notes,
        doses=[DoseStep(start=s.start, mg_per_day=s.mg_per_day) for s in t.doses],
    )


def measurement_row(m: rules.Measurement) -> Measurement:
    """Return a new score row (with a PHQ-9's item answers when given)."""
    return Measurement(taken_on=m.day, instrument=Instrument(m.instrument), score=m.score,
                       items="".join(str(v) for v in m.items) if m.items else None)


def treatment_row(t: rules.Treatment, episodes: dict[str, Episode]) -> Treatment:
    """Return a new treatment-course row; ``episodes`` maps history keys to rows."""
    return Treatment(kind=TreatmentKind(t.kind), detail=t.detail, start=t.start, end=t.end,
                     sessions=t.sessions, episode=episodes.get(t.episode))
# History format 1.1: the columns beside the rules inputs, kept apart so that importing and
# exporting the version-1 fields reads on its own.

def details_of(patient: Patient) -> Details:
    """Return the patient's 1.1 details (codes, formulations, doses as prescribed, modalities)."""
    return Details(
        icd10=tuple(e.icd10 or None for e in patient.episodes),
        formulations=tuple(t.formulation for t in patient.trials),
        regimens=tuple(tuple(_regimen(s) for s in t.doses) for t in patient.trials),
        modalities=tuple(str(t.modality) if t.modality else None for t in patient.treatments),
    )


def _regimen(step: DoseStep) -> Regimen | None:
    if step.amount_mg is None or step.times_per_day is None:
        return None
    return Regimen(step.amount_mg, step.times_per_day)


def apply_details(document: Document, episodes: list[Episode], trials: list[Trial],
                  treatments: list[Treatment]) -> None:
    """Set the 1.1 columns of freshly made rows, given in the document's order."""
    for i, episode in enumerate(episodes):
        episode.icd10 = document.details.episode_icd10(i) or ""
    for i, trial in enumerate(trials):
        set_trial_details(trial, document.details, i)
    for i, treatment in enumerate(treatments):
        set_treatment_details(treatment, document, i)


def set_trial_details(trial: Trial, details: Details, i: int) -> None:
    """Set trial ``i``'s formulation and its dose steps' amounts as prescribed."""
    trial.formulation = details.formulation(i)
    for j, step in enumerate(trial.doses):
        regimen = details.regimen(i, j)
        step.amount_mg = regimen.amount_mg if regimen else None
        step.times_per_day = regimen.times_per_day if regimen else None


def set_treatment_details(row: Treatment, document: Document, i: int) -> None:
    """Set treatment ``i``'s ECT laterality or psychotherapy modality."""
    given = document.history.treatments[i]
    row.laterality = Laterality(given.laterality) if row.kind is TreatmentKind.ECT else None
    modality = document.details.modality(i)
    row.modality = Modality(modality) if modality else None
