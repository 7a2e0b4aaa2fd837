"""What the chart shows besides the verdict: the patient's age and current medications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.catalogue import default_catalogue
from tracker.models import Patient


@dataclass(frozen=True)
class CurrentMedication:
    """A drug the patient takes on ``as_of``: the dose of the step then running."""

    drug: str
    mg_per_day: float
    since: date
    started: date
    augmentation: bool


def age_on(born: date, day: date) -> int:
    """Return the age in whole years on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def current_medications(patient: Patient, as_of: date) -> list[CurrentMedication]:
    """Return the trials running on ``as_of`` (begun, not yet stopped), oldest first."""
    catalogue = default_catalogue()
    current = []
    for trial in patient.trials:
        steps = [s for s in trial.doses if s.start <= as_of]
        if not steps or (trial.stopped and trial.stopped <= as_of):
            continue
        agent = catalogue.resolve(trial.drug)
        current.append(CurrentMedication(agent.generic, steps[-1].mg_per_day, steps[-1].start,
                                         trial.started, not agent.is_antidepressant))
    return current
