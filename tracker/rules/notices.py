"""Warnings (doses above the label maximum) and safety alerts (PHQ-9 item 9) beside a verdict."""

from __future__ import annotations

from datetime import date

from .episodes import in_current
from .history import History
from .verdicts import fmt_mg
from .vocab import Instrument

PHQ9_ITEM_9 = 8  # zero-based position of "thoughts that you would be better off dead..."


def dose_warnings(history: History, as_of: date) -> list[str]:
    """Say which dose steps exceed their agent's label maximum (Version 2 rule 10).

    Above three times the maximum a history is invalid, so only the band between the label
    maximum and three times it reaches the rules.
    """
    warnings = []
    for trial in history.trials:
        maximum = trial.agent.max_mg_per_day
        for step in trial.doses:
            if maximum is not None and step.mg_per_day > maximum and step.start <= as_of:
                warnings.append(
                    f"{trial.agent.generic}: {fmt_mg(step.mg_per_day)} mg/day from "
                    f"{step.start.isoformat()} is above the label maximum of "
                    f"{fmt_mg(maximum)} mg/day; check the dose")
    return warnings


def safety_alerts(history: History, as_of: date) -> list[str]:
    """Return an alert for each PHQ-9 in the current episode whose item 9 is above 0."""
    alerts = []
    for m in sorted(history.measurements, key=lambda m: m.day):
        if m.instrument != Instrument.PHQ9 or not m.items or m.day > as_of:
            continue
        answer = m.items[PHQ9_ITEM_9]
        if answer > 0 and in_current(history, None, m.day, as_of):
            alerts.append(
                f"PHQ-9 on {m.day.isoformat()}: item 9 (thoughts of being better off dead or "
                f"of self-harm) answered {answer} of 3; assess suicide risk")
    return alerts
