"""Checking the rows of the quick-entry page: every problem goes beside its row.

A row that needs a confirmation (a dose above the label maximum, a trial or score that looks
entered twice) gets a warning and its "Checked" box; nothing is saved until every row is clean.
"""

from __future__ import annotations

from datetime import date

from tracker import safety
from tracker.catalogue import UnknownDrug, default_catalogue
from tracker.models import Patient
from tracker.records.dose_text import DoseTextError, read_steps
from tracker.records.quick_forms import QuickEntryForm, rows
from tracker.rules.vocab import SCORE_RANGES, Instrument, TreatmentKind
from tracker.vocab import PHQ9_ITEMS


def _before(row, birth: date | None) -> None:
    if birth is None:
        return
    for field in row:
        value = getattr(field, "data", None)
        if isinstance(value, date) and value < birth:
            row.problems.append(f"{field.label.text} {value} is before the patient's birth.")


def check_episode(row, birth: date | None) -> None:
    if row.onset.data is None and not row.onset.errors:
        row.problems.append("Give the onset date.")
    elif row.remission.data and row.onset.data and row.remission.data < row.onset.data:
        row.problems.append("Remission cannot be before the onset.")
    _before(row, birth)


def check_trial(row, birth: date | None, recorded: list[safety.Window]) -> None:
    """Check a trial row; on success set ``row.agent``, ``row.formulation`` and ``row.steps``."""
    row.steps, row.above_max = [], False
    try:
        row.agent, row.formulation = default_catalogue().resolve_with_formulation(
            row.drug.data or "")
    except UnknownDrug as error:
        hint = f" Did you mean {', '.join(error.suggestions)}?" if error.suggestions else ""
        row.problems.append(f"{row.drug.data or 'The drug'} is not in the dose table.{hint}"
                            if row.drug.data else "Give the drug.")
        row.agent = None
    try:
        row.steps = read_steps(row.doses.data)
    except DoseTextError as error:
        row.problems.append(str(error))
    if row.stop_reason.data and not row.stopped.data:
        row.problems.append("Give the stop date too, or leave the reason empty.")
    if row.steps and row.stopped.data and row.stopped.data <= row.steps[-1].start:
        row.problems.append("The stop date must be after the last dose step.")
    if birth and row.steps and row.steps[0].start < birth:
        row.problems.append("The first dose is before the patient's birth.")
    _before(row, birth)
    if row.agent is None or not row.steps:
        return
    _dose_checks(row)
    window = safety.Window(row.agent.generic, row.steps[0].start, row.stopped.data)
    duplicate = safety.overlapping_trial(window, recorded)
    if duplicate:
        row.warnings.append(duplicate)
    recorded.append(window)


def _dose_checks(row) -> None:
    for step in row.steps:
        refused = safety.refused_dose(row.agent, step.mg_per_day)
        if refused:
            row.problems.append(refused)
            return
    above = [safety.above_label_maximum(row.agent, s.mg_per_day) for s in row.steps]
    row.above_max = any(above)
    row.warnings.extend(w for w in above if w)


def read_answers(text: str) -> tuple[int, ...] | None:
    """Return nine PHQ-9 answers typed as digits ("3 3 2 2 2 3 2 2 1" or "332222321")."""
    digits = [c for c in text or "" if not c.isspace() and c != ","]
    if not digits:
        return None
    if len(digits) != PHQ9_ITEMS or any(c not in "0123" for c in digits):
        raise ValueError(f"Give the {PHQ9_ITEMS} answers as digits 0-3, e.g. 3 3 2 2 2 3 2 2 1.")
    return tuple(int(c) for c in digits)


def check_score(row, birth: date | None, recorded: list[tuple[str, date, int]]) -> None:
    row.items = None
    try:
        row.items = read_answers(row.answers.data)
    except ValueError as error:
        row.problems.append(str(error))
    if row.items is not None and row.instrument.data != Instrument.PHQ9:
        row.problems.append("Answers are recorded for the PHQ-9 only.")
    elif row.items is not None and row.score.data is None:
        row.score.data = sum(row.items)
    elif row.items is not None and row.score.data != sum(row.items):
        row.problems.append(f"The answers add up to {sum(row.items)}, not {row.score.data}.")
    if row.taken_on.data is None and not row.taken_on.errors:
        row.problems.append("Give the date.")
    if row.score.data is None and not row.score.errors and row.items is None:
        row.problems.append("Give the score.")
    elif row.score.data is not None and row.instrument.data in SCORE_RANGES:
        low, high = SCORE_RANGES[Instrument(row.instrument.data)]
        if not low <= row.score.data <= high:
            row.problems.append(f"{row.instrument.data} scores run from {low} to {high}.")
    _before(row, birth)
    if row.problems or row.taken_on.data is None:
        return
    duplicate = safety.same_day_score(row.instrument.data, row.taken_on.data, recorded)
    if duplicate:
        row.warnings.append(duplicate)
    recorded.append((row.instrument.data, row.taken_on.data, row.score.data))


def check_treatment(row, birth: date | None) -> None:
    if not row.kind.data:
        row.problems.append("Choose the treatment.")
    if row.start.data is None and not row.start.errors:
        row.problems.append("Give the start date.")
    elif row.end.data and row.end.data < row.start.data:
        row.problems.append("The end cannot be before the start.")
    if row.laterality.data and row.kind.data != TreatmentKind.ECT:
        row.problems.append("Laterality is for ECT only.")
    if row.modality.data and row.kind.data != TreatmentKind.PSYCHOTHERAPY:
        row.problems.append("The modality is for psychotherapy only.")
    _before(row, birth)


def check_rows(form: QuickEntryForm, patient: Patient | None, birth: date | None) -> bool:
    """Check every row that is not blank; return True when all may be saved."""
    trials = [safety.Window(t.drug, t.started, t.stopped) for t in patient.trials] \
        if patient else []
    scores = [(str(m.instrument), m.taken_on, m.score) for m in patient.measurements] \
        if patient else []
    for row in rows(form, "episodes"):
        check_episode(row, birth)
    for row in rows(form, "trials"):
        check_trial(row, birth, trials)
    for row in rows(form, "scores"):
        check_score(row, birth, scores)
    for row in rows(form, "treatments"):
        check_treatment(row, birth)
    ok = True
    for section in ("episodes", "trials", "scores", "treatments"):
        for row in rows(form, section):
            field_errors = any(f.errors for f in row)
            unconfirmed = bool(row.warnings) and not row.confirm.data
            ok = ok and not (row.problems or field_errors or unconfirmed)
    return ok
