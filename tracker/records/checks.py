"""Checks a trial or score form gets before saving: dose limits and likely duplicates.

Each warning is put beside its field with a box to tick; the record saves once it is ticked.
A dose above three times the label maximum is refused outright.
"""

from __future__ import annotations

from tracker import safety
from tracker.catalogue import default_catalogue
from tracker.models import Patient, Trial
from tracker.records.forms import MeasurementForm, TrialForm


def mark_above_maximum(form: TrialForm) -> None:
    """Point ``form.max_step`` at the first dose step above the label maximum (or None).

    None too while any step is refused (over three times the maximum): no confirmation is
    offered for a dose that cannot be saved.
    """
    form.max_step, form.max_warning = None, None
    try:
        agent = default_catalogue().resolve(form.drug.data or "")
    except LookupError:
        return
    if any(safety.refused_dose(agent, step.daily_total() or 0) for step in form.kept_steps()):
        return
    for step in form.kept_steps():
        total = step.daily_total()
        warning = safety.above_label_maximum(agent, total) if total else None
        if warning:
            form.max_step, form.max_warning = step, warning
            return


def trial_checks(form: TrialForm, patient: Patient, trial: Trial | None) -> bool:
    """Put dose and duplicate problems beside their fields; return True when the trial may save."""
    agent = default_catalogue().resolve(form.drug.data)
    ok = True
    for step in form.kept_steps():
        refused = safety.refused_dose(agent, step.daily_total())
        if refused:
            field = step.amount_mg if step.amount_mg.data is not None else step.mg_per_day
            field.errors = [*field.errors, refused]
            ok = False
    if not ok:
        return False
    mark_above_maximum(form)
    if form.max_step is not None and not form.confirm_above_max.data:
        form.confirm_above_max.errors = [f"{form.max_warning} Tick the box to save it."]
        ok = False
    steps = form.steps()
    new = safety.Window(agent.generic, steps[0].start, form.stopped.data)
    recorded = [safety.Window(t.drug, t.started, t.stopped) for t in patient.trials
                if trial is None or t.id != trial.id]
    duplicate = safety.overlapping_trial(new, recorded)
    form.duplicate_warning = duplicate
    if duplicate and not form.confirm_duplicate.data:
        form.confirm_duplicate.errors = [f"{duplicate} Tick the box to save it anyway."]
        ok = False
    return ok


def score_checks(form: MeasurementForm, patient: Patient) -> bool:
    """Flag a score of the same instrument on the same day; return True when it may save."""
    recorded = [(str(m.instrument), m.taken_on, m.score) for m in patient.measurements]
    duplicate = safety.same_day_score(form.instrument.data, form.taken_on.data, recorded)
    form.duplicate_warning = duplicate
    if duplicate and not form.confirm_duplicate.data:
        form.confirm_duplicate.errors = [f"{duplicate} Tick the box to save it anyway."]
        return False
    return True
