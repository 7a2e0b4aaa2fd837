"""Rows for the CSV exports: a patient's trials, a clinician's panel, the research extract."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.extensions import db
from tracker.models import Patient, StoredAssessment, Trial, User, care_team
from tracker.reporting import dose_words
from tracker.reports.summary import Summary, TrialRow, build_summary

TRIAL_HEADER = [
    "mrn", "trial", "drug", "class", "role", "in_current_episode", "first_dose", "stopped",
    "stop_reason", "dose_steps", "max_mg_per_day", "min_adequate_mg_per_day",
    "days_at_adequate_dose", "adherence", "response", "instrument", "baseline_date",
    "baseline_score", "last_date", "last_score", "improvement_pct", "verdict", "notes",
]
DOSE_STEP_HEADER = [
    "mrn", "trial", "drug", "step", "start", "end", "days", "mg_per_day", "ongoing",
]
PANEL_HEADER = [
    "mrn", "name", "birth_date", "episode_onset", "trd_status", "trd", "failed_agents",
    "failed_count", "first_met", "thase_rush", "maudsley_score", "maudsley_band", "mgh",
    "profile", "computed_on",
]


def dose_steps(trial: Trial, day: Callable[[date], object] = date.isoformat) -> str:
    """Return the steps as ``2024-01-01 50 mg/day; 2024-01-15 150 mg/day (75 mg twice daily)``
    (dates written by ``day``)."""
    return "; ".join(f"{day(s.start)} {dose_words(s)}" for s in trial.doses)


def _pct(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _same(day: date | None):
    return day


def trial_values(row: TrialRow, day: Callable[[date], object] = _same,
                 step_day: Callable[[date], object] = date.isoformat) -> list:
    """Return the trial's cells from ``drug`` to ``verdict`` (the columns both exports share).

    Date cells go through ``day`` and dose-step dates through ``step_day``: the research
    export turns both into offsets from the episode onset.
    """
    t, change = row.trial, row.scores

    def when(value: date | None):
        return day(value) if value is not None else None

    return [
        row.agent.generic, row.agent.drug_class, row.agent.role.value, row.in_current_episode,
        when(t.started), when(t.stopped), t.stop_reason,
        dose_steps(t, step_day), row.max_mg,
        row.agent.min_adequate_mg_per_day, row.verdict.days_at_adequate_dose, t.adherence,
        t.response, change.instrument if change else None,
        when(change.baseline.day) if change else None, change.baseline.score if change else None,
        when(change.end.day) if change else None, change.end.score if change else None,
        _pct(change.change_pct) if change else None, row.verdict_words,
    ]


def trial_rows(summary: Summary) -> Iterator[list]:
    """Yield one row per trial of the patient, in the order logged."""
    for row in summary.trials:
        yield [summary.patient.mrn, row.number, *trial_values(row), row.trial.notes]


def dose_step_rows(summary: Summary) -> Iterator[list]:
    """Yield one row per dose step: its first and last day (inclusive), days and daily dose.

    A step ends the day before the next step starts, the last one the day before the stop
    date; the last step of a running trial has no end and is ``ongoing``.
    """
    for row in summary.trials:
        steps = list(row.trial.doses)
        for n, step in enumerate(steps, start=1):
            after = steps[n].start if n < len(steps) else row.trial.stopped
            end = after - timedelta(days=1) if after else None
            yield [summary.patient.mrn, row.number, row.agent.generic, n, step.start, end,
                   (end - step.start).days + 1 if end else None, step.mg_per_day, end is None]


def _one_per_item(agents: str) -> str:
    """Return the stored comma list as ``a; b``: a comma inside a CSV cell reads as a column."""
    return "; ".join(a for a in agents.split(", ") if a)


def panel_rows(user: User | None, batch: int = 2000) -> Iterator[list]:
    """Return rows of every patient ``user`` cares for (everyone when None), from the stored
    verdicts, fetched ``batch`` at a time as they are read."""
    query = (select(Patient, StoredAssessment)
             .join(StoredAssessment, StoredAssessment.patient_id == Patient.id)
             .order_by(Patient.sort_name, Patient.id).execution_options(yield_per=batch))
    if user is not None:  # bound now: a streamed response reads the rows after the view ends
        query = query.join(care_team, care_team.c.patient_id == Patient.id) \
            .where(care_team.c.user_id == user.id)
    return (
        [patient.mrn, patient.name, patient.birth_date, v.episode_onset, v.status, v.trd,
         _one_per_item(v.failed_agents), v.failed_count, v.first_met, v.thase_rush,
         v.maudsley_score, v.maudsley_band, v.mgh, v.profile, v.computed_on]
        for patient, v in db.session.execute(query)
    )


def patients_for_export(ids: list[int]) -> Iterator[Patient]:
    """Yield patients with their records loaded in batches (no query per record)."""
    for start in range(0, len(ids), 200):
        chunk = ids[start:start + 200]
        query = select(Patient).where(Patient.id.in_(chunk)).order_by(Patient.id).options(
            selectinload(Patient.episodes),
            selectinload(Patient.trials), selectinload(Patient.all_trials).selectinload(
                Trial.doses),
            selectinload(Patient.measurements), selectinload(Patient.treatments))
        yield from db.session.scalars(query)


def summaries(ids: list[int], as_of: date) -> Iterator[Summary]:
    for patient in patients_for_export(ids):
        yield build_summary(patient, as_of=as_of)
