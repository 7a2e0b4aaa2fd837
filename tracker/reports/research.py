"""The de-identified research extract (HIPAA Safe Harbor style, 45 CFR 164.514(b)(2)).

No names, MRNs or other direct identifiers; a random study id stored per patient (not derived
from anything about them); every date becomes a day offset from the onset of the patient's
current episode (or their first recorded date); birth year only, with ages over 89 grouped.
Free text (notes, treatment detail) is left out: it may name people or places.
Rows entered in error are kept and flagged, for data-quality work.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Patient
from tracker.reports.summary import Summary
from tracker.reports.tables import dose_steps, summaries, trial_values

HEADER = [
    "study_id", "birth_year", "sex", "trd_status", "failed_agents", "thase_rush",
    "maudsley_score", "mgh", "trial", "drug", "class", "role", "in_current_episode",
    "first_dose_day", "stopped_day", "stop_reason", "dose_steps", "max_mg_per_day",
    "min_adequate_mg_per_day", "days_at_adequate_dose", "adherence", "response", "instrument",
    "baseline_day", "baseline_score", "last_day", "last_score", "improvement_pct", "verdict",
    "entered_in_error",
]
OVER_89 = "90 or older"


def birth_year(born: date, today: date) -> str:
    """Return the birth year, or the single group Safe Harbor asks for past the age of 89."""
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return OVER_89 if age > 89 else str(born.year)


def reference_day(summary: Summary) -> date:
    """Return day 0 of the patient's offsets: the current episode's onset, else the first
    clinical date, else the export date."""
    if summary.episode is not None:
        return summary.episode.onset
    days = [t.started for t in summary.patient.all_trials]
    days += [m.taken_on for m in summary.patient.measurements]
    return min(days, default=summary.as_of)


def research_rows(summary: Summary, study_id: str, today: date) -> Iterator[list]:
    """Yield one de-identified row per trial (those entered in error too, flagged)."""
    patient, a = summary.patient, summary.assessment
    zero = reference_day(summary)

    def offset(day: date | None) -> int | None:
        return (day - zero).days if day is not None else None

    def step_day(day: date) -> str:
        return f"day {offset(day)}"

    head = [study_id, birth_year(patient.birth_date, today), patient.sex, a.status,
            len(a.failed_adequate_agents), a.staging.thase_rush, a.staging.maudsley_score,
            a.staging.mgh]
    by_id = {row.trial.id: row for row in summary.trials}
    for number, trial in enumerate(patient.all_trials, start=1):
        row = by_id.get(trial.id)
        if row is None:  # entered in error: the engine did not see it
            yield [*head, number, trial.drug, "", "", "", offset(trial.started),
                   offset(trial.stopped), trial.stop_reason, dose_steps(trial, step_day),
                   max(s.mg_per_day for s in trial.doses), "", "", trial.adherence,
                   trial.response, "", "", "", "", "", "", "", True]
            continue
        yield [*head, number, *trial_values(row, offset, step_day), False]


def research_extract(today: date, each_patient: Callable[[], None] = lambda: None
                     ) -> Iterator[list]:
    """Return the rows of every patient, in study-id order; ``each_patient`` is called once
    per patient (a progress bar). The patient ids are read now, the rows as they are used."""
    ids = db.session.scalars(select(Patient.id).order_by(Patient.study_id)).all()

    def rows():
        for summary in summaries(ids, today):
            each_patient()
            yield from research_rows(summary, summary.patient.study_id, today)

    return rows()


def patient_count() -> int:
    return db.session.scalar(select(db.func.count()).select_from(Patient))
