"""Saving a whole history typed on the quick-entry page. Adds and flushes; the request commits.

The rows were checked first (``tracker.records.quick_checks``), so this only builds records.
"""

from __future__ import annotations

from tracker.assessments import store_assessment
from tracker.extensions import db
from tracker.models import DoseStep, Episode, Measurement, Patient, Treatment, Trial
from tracker.records.quick_forms import QuickEntryForm, rows
from tracker.rules.vocab import (
    Adherence,
    Instrument,
    Response,
    Severity,
    StopReason,
    TreatmentKind,
)
from tracker.vocab import Laterality, Modality


def _episode(patient: Patient, row, taken: set[str]) -> Episode:
    key = next(f"e{n}" for n in range(1, len(taken) + 2) if f"e{n}" not in taken)
    taken.add(key)
    return Episode(patient=patient, key=key, onset=row.onset.data, remission=row.remission.data,
                   severity=Severity(row.severity.data), psychotic=bool(row.psychotic.data),
                   icd10=row.icd10.data or "")


def _trial(patient: Patient, row) -> Trial:
    return Trial(
        patient=patient, drug=row.agent.generic, formulation=row.formulation,
        started=row.steps[0].start, stopped=row.stopped.data,
        stop_reason=StopReason(row.stop_reason.data) if row.stop_reason.data else None,
        adherence=Adherence(row.adherence.data), response=Response(row.response.data),
        above_max_confirmed=row.above_max and bool(row.confirm.data),
        doses=[DoseStep(start=s.start, mg_per_day=s.mg_per_day, amount_mg=s.amount_mg,
                        times_per_day=s.times_per_day) for s in row.steps])


def _score(patient: Patient, row) -> Measurement:
    items = "".join(str(v) for v in row.items) if row.items else None
    return Measurement(patient=patient, taken_on=row.taken_on.data, score=row.score.data,
                       instrument=Instrument(row.instrument.data), items=items)


def _treatment(patient: Patient, row) -> Treatment:
    kind = TreatmentKind(row.kind.data)
    laterality = row.laterality.data or ("unknown" if kind is TreatmentKind.ECT else "")
    return Treatment(patient=patient, kind=kind, detail=row.detail.data or "",
                     start=row.start.data, end=row.end.data, sessions=row.sessions.data,
                     laterality=Laterality(laterality) if laterality else None,
                     modality=Modality(row.modality.data) if row.modality.data else None)


def save_history(patient: Patient, form: QuickEntryForm) -> dict[str, int]:
    """Add every row that is not blank to the patient, refresh the verdict; return the counts."""
    taken = {e.key for e in patient.episodes}
    made = {
        "episodes": [_episode(patient, r, taken) for r in rows(form, "episodes")],
        "trials": [_trial(patient, r) for r in rows(form, "trials")],
        "scores": [_score(patient, r) for r in rows(form, "scores")],
        "treatments": [_treatment(patient, r) for r in rows(form, "treatments")],
    }
    db.session.add_all([record for records in made.values() for record in records])
    db.session.flush()
    db.session.expire(patient, ["episodes", "trials", "measurements", "treatments"])
    store_assessment(patient)
    return {section: len(records) for section, records in made.items()}
