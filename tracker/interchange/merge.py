"""Importing a history into a clinician's panel by adding what is new (the web import).

``plan_import`` says, record by record, what an import would create and what the patient's
record already holds; ``apply_import`` writes exactly that plan. A record already held is left
alone, so importing the same file twice changes nothing. Unlike ``transfer.import_document``
(the command line's replace), nothing is ever marked entered in error. Functions here flush,
never commit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from tracker import rules
from tracker.assessments import store_assessment
from tracker.catalogue import UnknownDrug, default_catalogue
from tracker.extensions import db
from tracker.interchange.history import Document
from tracker.interchange.transfer import (
    episode_row,
    measurement_row,
    set_treatment_details,
    set_trial_details,
    treatment_row,
    trial_row,
)
from tracker.models import Episode, Patient, User
from tracker.rules.vocab import Sex

PARTS = ("episodes", "trials", "measurements", "treatments")


class ImportRefused(ValueError):
    """A history that cannot go into this clinician's panel (the MRN is not theirs to use)."""


@dataclass
class Planned:
    """One record of the file and the row of the patient's record it matches, if any."""

    record: Any  # a tracker.rules history record
    match: Any = None  # the model row already holding it
    notes: str = ""  # a trial's free-text notes
    key: str = ""  # an episode's key on the chart (the file's, unless the chart uses it)

    @property
    def is_new(self) -> bool:
        return self.match is None


@dataclass
class ImportPlan:
    """What importing ``document`` into ``clinician``'s panel creates and matches."""

    document: Document
    patient: Patient | None  # None: the patient is new
    parts: dict[str, list[Planned]] = field(default_factory=dict)

    def count(self, part: str, new: bool) -> int:
        return sum(1 for p in self.parts[part] if p.is_new == new)

    @property
    def changes_anything(self) -> bool:
        return self.patient is None or any(p.is_new for ps in self.parts.values() for p in ps)

    def fingerprint(self) -> str:
        """Return a digest of what the plan does, to tell whether the chart changed meanwhile."""
        marks = [self.patient.id if self.patient else None] + [
            (part, p.match.id if p.match is not None else None)
            for part in PARTS for p in self.parts[part]]
        return hashlib.sha256(repr(marks).encode()).hexdigest()

    def chart_key(self, file_key: str | None) -> str | None:
        """Return the chart's key of the episode the file calls ``file_key``."""
        found = next((p.key for p in self.parts["episodes"] if p.record.key == file_key), None)
        return found or file_key

    def summary(self) -> dict[str, dict[str, int]]:
        """Return the counts of new and matched records per part, for the audit trail."""
        return {part: {"new": self.count(part, True), "matched": self.count(part, False)}
                for part in PARTS}


def _generic(drug: str) -> str:
    try:
        return default_catalogue().resolve(drug).generic
    except UnknownDrug:
        return drug


# The identity of each kind of record: rows with equal keys hold the same fact.
def _episode_key(e) -> tuple:
    return (e.onset, e.remission, str(e.severity), bool(e.psychotic))


def _trial_key(t) -> tuple:
    drug = t.agent.generic if isinstance(t, rules.Trial) else _generic(t.drug)
    doses = tuple((s.start, float(s.mg_per_day)) for s in t.doses)
    return (drug, tuple(sorted(doses)), t.stopped)


def _measurement_key(m) -> tuple:
    day = m.day if isinstance(m, rules.Measurement) else m.taken_on
    return (day, str(m.instrument), m.score)


def _treatment_key(t) -> tuple:
    return (str(t.kind), t.start, t.end)


KEYS = {"episodes": _episode_key, "trials": _trial_key, "measurements": _measurement_key,
        "treatments": _treatment_key}


def _match(part: str, records, notes, rows) -> list[Planned]:
    """Pair each record with an unused row of equal key (each row matches at most once)."""
    key = KEYS[part]
    free: dict[tuple, list] = {}
    for row in rows:
        free.setdefault(key(row), []).append(row)
    planned = []
    for record, note in zip(records, notes, strict=True):
        candidates = free.get(key(record), [])
        planned.append(Planned(record, candidates.pop(0) if candidates else None, note))
    return planned


def plan_import(document: Document, clinician: User) -> ImportPlan:
    """Return what importing ``document`` would do; raise ``ImportRefused`` for a foreign MRN."""
    mrn = document.patient.mrn
    patient = db.session.scalars(select(Patient).where(
        func.lower(Patient.mrn) == mrn.lower())).first()
    if patient is not None and clinician not in patient.clinicians:
        # Said the same way whether or not the MRN exists elsewhere: nothing about another
        # care team's patient is shown.
        raise ImportRefused(f"MRN {mrn} cannot be imported into your panel. If a colleague "
                            "cares for this patient, ask them or an administrator to add you "
                            "to the care team first.")
    history = document.history
    plan = ImportPlan(document, patient)
    for part in PARTS:
        records = getattr(history, part)
        notes = document.notes if part == "trials" else [""] * len(records)
        rows = list(getattr(patient, part)) if patient is not None else []
        plan.parts[part] = _match(part, records, notes, rows)
    taken = {e.key for e in patient.episodes} if patient is not None else set()
    for planned in plan.parts["episodes"]:
        planned.key = planned.match.key if planned.match is not None else _free_key(
            planned.record.key, taken)
        taken.add(planned.key)
    return plan


def _free_key(wanted: str, taken: set[str]) -> str:
    """Return ``wanted``, or the first ``eN`` not taken when another episode holds it."""
    if wanted not in taken:
        return wanted
    n = 1
    while f"e{n}" in taken:
        n += 1
    return f"e{n}"


def _episodes(plan: ImportPlan, patient: Patient) -> dict[str, Episode]:
    """Return the episode row each history key stands for, adding the new ones."""
    rows: dict[str, Episode] = {}
    for i, planned in enumerate(plan.parts["episodes"]):
        if planned.is_new:
            row = episode_row(planned.record, planned.key)
            row.icd10 = plan.document.details.episode_icd10(i) or ""
            patient.episodes.append(row)
        else:
            row = planned.match
        rows[planned.record.key] = row
    return rows


def apply_import(plan: ImportPlan, clinician: User) -> Patient:
    """Write the plan: the patient if new, then every record not already held."""
    patient = plan.patient
    if patient is None:
        info = plan.document.patient
        patient = Patient(mrn=info.mrn, name=info.name, birth_date=info.birth_date,
                          sex=Sex(info.sex), clinicians=[clinician])
        db.session.add(patient)
    if not plan.changes_anything:
        return patient
    episodes = _episodes(plan, patient)
    document = plan.document
    for i, planned in enumerate(plan.parts["trials"]):
        if planned.is_new:
            trial = trial_row(planned.record, planned.notes, episodes)
            set_trial_details(trial, document.details, i)
            patient.trials.append(trial)
    for planned in plan.parts["measurements"]:
        if planned.is_new:
            patient.measurements.append(measurement_row(planned.record))
    for i, planned in enumerate(plan.parts["treatments"]):
        if planned.is_new:
            treatment = treatment_row(planned.record, episodes)
            set_treatment_details(treatment, document, i)
            patient.treatments.append(treatment)
    db.session.flush()
    store_assessment(patient)
    return patient
