"""Joining medication records of one agent into trials (and esketamine into treatments).

Records whose covered days overlap or touch form one trial; where they overlap, the record that
started later applies from its start (a renewal or a dose change supersedes; doses are never
added). Each change of daily dose starts a dose step. A gap of even one day starts a new trial.
"""

from __future__ import annotations

from datetime import timedelta
from itertools import groupby
from typing import Any

from tracker.interchange.fhir.medications import ESKETAMINE, Record


def _runs(records: list[Record]) -> list[list[Record]]:
    """Split one agent's records, in start order, where a day is left uncovered."""
    runs: list[list[Record]] = []
    for record in sorted(records, key=lambda r: (r.start, r.order)):
        last = runs[-1][-1] if runs else None
        if last is not None and (last.end is None or record.start <= last.end):
            runs[-1].append(record)
        else:
            runs.append([record])
    return runs


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _steps(run: list[Record]) -> list[dict[str, Any]]:
    """Return the dose steps of a run: the later record applies from its start."""
    applied: list[Record] = []
    for record in run:
        if applied and applied[-1].start == record.start:
            applied.pop()  # two records from one day: the later in the Bundle applies
        applied.append(record)
    out: list[dict[str, Any]] = []
    for record in applied:
        dose = record.dose
        if out and out[-1]["mg_per_day"] == _number(dose.mg_per_day):
            continue  # a renewal at the same daily dose is no new step
        step: dict[str, Any] = {"from": record.start.isoformat(),
                                "mg_per_day": _number(dose.mg_per_day)}
        if dose.times_per_day:
            step.update(amount_mg=_number(dose.amount_mg), times_per_day=dose.times_per_day)
        out.append(step)
    return out


def _trial(run: list[Record]) -> dict[str, Any]:
    last = run[-1]
    trial: dict[str, Any] = {"drug": last.agent}
    episode = next((r.episode for r in run if r.episode), None)
    if episode:
        trial["episode"] = episode
    stopped = last.end.isoformat() if last.end else None
    trial.update(doses=_steps(run), stopped=stopped,
                 stop_reason=last.stop_reason if stopped else None,
                 adherence=last.adherence, response=last.response, notes="")
    return trial


def _esketamine(run: list[Record]) -> dict[str, Any]:
    last = run[-1]
    end = (last.end - timedelta(days=1)).isoformat() if last.end else None
    course = {"kind": ESKETAMINE, "detail": run[0].detail, "start": run[0].start.isoformat(),
              "end": end, "sessions": last.sessions}
    episode = next((r.episode for r in run if r.episode), None)
    if episode:
        course["episode"] = episode
    return course


def courses(records: list[Record]) -> tuple[list[dict], list[dict]]:
    """Return (trials, esketamine treatments), trials ordered by first dose date then agent."""
    trials, treatments = [], []
    by_agent = sorted(records, key=lambda r: r.agent)
    for agent, group in groupby(by_agent, key=lambda r: r.agent):
        for run in _runs(list(group)):
            if agent == ESKETAMINE:
                treatments.append(_esketamine(run))
            else:
                trials.append(_trial(run))
    trials.sort(key=lambda t: (t["doses"][0]["from"], t["drug"]))
    return trials, treatments
