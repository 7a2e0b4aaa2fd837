"""Checks made before a record is saved: doses against the label maximum, and duplicates.

These guard data entry (typing errors, a trial logged twice); they decide nothing clinical.
The label maximum is the dose table's ``max_mg_per_day``; a daily dose above it needs the
clinician's confirmation, and one above ``REFUSE_FACTOR`` times it is refused as a typing error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tracker.rules.history import Agent

REFUSE_FACTOR = 3


def _mg(value: float) -> str:
    return f"{value:g}"


def refused_dose(agent: Agent, mg_per_day: float) -> str | None:
    """Return why a daily dose is refused (over 3x the label maximum), else None."""
    maximum = agent.max_mg_per_day
    if maximum and mg_per_day > REFUSE_FACTOR * maximum:
        return (f"{_mg(mg_per_day)} mg/day is more than {REFUSE_FACTOR} times the label maximum "
                f"of {_mg(maximum)} mg/day for {agent.generic}: check the dose.")
    return None


def above_label_maximum(agent: Agent, mg_per_day: float) -> str | None:
    """Return a warning for a daily dose above the label maximum (needs a confirmation)."""
    maximum = agent.max_mg_per_day
    if maximum and mg_per_day > maximum:
        return (f"{_mg(mg_per_day)} mg/day is above the label maximum of {_mg(maximum)} mg/day "
                f"for {agent.generic}.")
    return None


@dataclass(frozen=True)
class Window:
    """A trial's dates: first dose to stop (None while running)."""

    drug: str
    start: date
    stop: date | None

    def overlaps(self, other: Window) -> bool:
        ends_after = other.stop is None or self.start <= other.stop
        starts_before = self.stop is None or other.start <= self.stop
        return self.drug == other.drug and ends_after and starts_before

    def describe(self) -> str:
        end = self.stop.isoformat() if self.stop else "ongoing"
        return f"{self.drug} from {self.start.isoformat()} to {end}"


def overlapping_trial(new: Window, recorded: Iterable[Window]) -> str | None:
    """Return a warning when a recorded trial of the same drug overlaps ``new``, else None."""
    for window in recorded:
        if new.overlaps(window):
            return (f"{window.describe()} is already recorded and overlaps this trial. "
                    "Is this the same trial logged twice?")
    return None


def same_day_score(instrument: str, day: date,
                   recorded: Iterable[tuple[str, date, int]]) -> str | None:
    """Return a warning when the same instrument is already scored on ``day``, else None."""
    for other, other_day, score in recorded:
        if other == instrument and other_day == day:
            return (f"A {instrument} of {score} is already recorded on {day.isoformat()}. "
                    "Is this the same score entered twice?")
    return None
