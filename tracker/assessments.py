"""The web layer's one road to a verdict: database history in, rules assessment out, stored.

Two roads in: ``history_of`` reads one patient's loaded rows (the chart, the exports), and
``load_histories`` reads many patients' rows with a handful of set-based statements (the
panel's refresh of expired verdicts, ``trd refresh`` and ``trd reassess``). Both build the rules
inputs with the same ``build_history``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from operator import attrgetter

from sqlalchemy import insert, select, update

from tracker import rules
from tracker.catalogue import Catalogue, default_catalogue
from tracker.extensions import db
from tracker.models import (
    DoseStep,
    Episode,
    Measurement,
    Patient,
    StoredAssessment,
    Treatment,
    Trial,
)

# The values build_history reads, in its order: the bulk road selects these columns, the
# chart's road takes them from the loaded objects. Positions, not names: a result row's
# attributes cost more than the rest of the conversion.
EPISODE_COLUMNS = ("id", "key", "onset", "remission", "severity", "psychotic")
TRIAL_COLUMNS = ("id", "drug", "stopped", "stop_reason", "adherence", "response", "episode_id")
DOSE_COLUMNS = ("start", "mg_per_day")
MEASUREMENT_COLUMNS = ("taken_on", "instrument", "score", "items")
TREATMENT_COLUMNS = ("kind", "start", "end", "sessions", "episode_id", "detail", "laterality",
                     "modality")


def build_history(birth_date: date | None, episodes: Iterable[Sequence],
                  trials: Iterable[tuple[Sequence, Iterable[Sequence]]],
                  measurements: Iterable[Sequence], treatments: Iterable[Sequence],
                  catalogue: Catalogue) -> rules.History:
    """Return the rules inputs from value tuples in the order of the ``*_COLUMNS`` above.

    ``trials`` pairs each trial's values with its dose steps' values, in date order.
    """
    episodes = list(episodes)
    keys = {episode_id: key for episode_id, key, *_ in episodes}
    return rules.History(
        birth_date=birth_date,
        episodes=tuple(rules.Episode(key, onset, remission, str(severity), psychotic)
                       for _, key, onset, remission, severity, psychotic in episodes),
        trials=tuple(_trial(values, doses, keys, catalogue) for values, doses in trials),
        measurements=tuple(rules.Measurement(day, str(instrument), score, _answers(items))
                           for day, instrument, score, items in measurements),
        treatments=tuple(rules.Treatment(str(kind), start, end, sessions, keys.get(episode_id),
                                         detail, str(laterality or "unknown"),
                                         str(modality) if modality else None)
                         for kind, start, end, sessions, episode_id, detail, laterality, modality
                         in treatments),
    )


def _trial(values: Sequence, doses: Iterable[Sequence], keys: dict, catalogue: Catalogue
           ) -> rules.Trial:
    _, drug, stopped, stop_reason, adherence, response, episode_id = values
    return rules.Trial(
        agent=catalogue.resolve(drug),
        doses=tuple(rules.DoseStep(start, mg_per_day) for start, mg_per_day in doses),
        stopped=stopped,
        stop_reason=str(stop_reason) if stop_reason else None,
        adherence=str(adherence),
        response=str(response),
        episode=keys.get(episode_id),
    )


def _answers(items: str | None) -> tuple[int, ...] | None:
    """Return a PHQ-9's item answers from their stored digits (None: only the total)."""
    return tuple(int(c) for c in items) if items else None


def history_of(patient: Patient, catalogue: Catalogue | None = None) -> rules.History:
    """Return the patient's rows as the rule engine's inputs."""
    trial, dose = attrgetter(*TRIAL_COLUMNS), attrgetter(*DOSE_COLUMNS)
    return build_history(patient.birth_date, map(attrgetter(*EPISODE_COLUMNS), patient.episodes),
                         ((trial(t), map(dose, t.doses)) for t in patient.trials),
                         map(attrgetter(*MEASUREMENT_COLUMNS), patient.measurements),
                         map(attrgetter(*TREATMENT_COLUMNS), patient.treatments),
                         catalogue or default_catalogue())


def _standing(model, columns: tuple[str, ...], patient_ids: list[int], order: str
              ) -> dict[int, list]:
    """Return ``model``'s rows not entered in error as value tuples of ``columns``, grouped by
    patient, sorted by ``order``.

    Core columns, not ORM entities: rows come back as plain tuples, fast enough for thousands.
    """
    table = model.__table__
    rows = db.session.execute(
        select(table.c.patient_id, *(table.c[name] for name in columns))
        .where(table.c.patient_id.in_(patient_ids), table.c.entered_in_error_at.is_(None))
        .order_by(*(table.c[name] for name in order.split()))).all()
    grouped: dict[int, list] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row[1:])
    return grouped


def load_histories(patient_ids: list[int], catalogue: Catalogue | None = None
                   ) -> dict[int, rules.History]:
    """Return the rules inputs of many patients, read with six statements whatever their number.

    Rows entered in error are left out, and the order of each list is the one the patient's
    collections use (trials by first dose, then id: a trial's index is the same on every road).
    """
    catalogue = catalogue or default_catalogue()
    patients = Patient.__table__
    births = dict(db.session.execute(select(patients.c.id, patients.c.birth_date)
                                     .where(patients.c.id.in_(patient_ids))).all())
    episodes = _standing(Episode, EPISODE_COLUMNS, patient_ids, "onset id")
    trials = _standing(Trial, TRIAL_COLUMNS, patient_ids, "started id")
    measurements = _standing(Measurement, MEASUREMENT_COLUMNS, patient_ids, "taken_on id")
    treatments = _standing(Treatment, TREATMENT_COLUMNS, patient_ids, "start id")
    doses = _dose_steps(patient_ids)
    return {
        pid: build_history(births[pid], episodes[pid],
                           [(t, doses[t[0]]) for t in trials[pid]],
                           measurements[pid], treatments[pid], catalogue)
        for pid in patient_ids if pid in births
    }


def _dose_steps(patient_ids: list[int]) -> dict[int, list]:
    """Return the dose steps of the patients' standing trials by trial id, in date order."""
    steps, trials = DoseStep.__table__, Trial.__table__
    doses: dict[int, list] = defaultdict(list)
    for step in db.session.execute(
            select(steps.c.trial_id, *(steps.c[name] for name in DOSE_COLUMNS))
            .join(trials, trials.c.id == steps.c.trial_id)
            .where(trials.c.patient_id.in_(patient_ids), trials.c.entered_in_error_at.is_(None))
            .order_by(steps.c.start)).all():
        doses[step[0]].append(step[1:])
    return doses


def assess_patient(
    patient: Patient, profile: str = rules.DEFAULT_PROFILE, as_of: date | None = None
) -> rules.Assessment:
    """Assess the patient's history under ``profile`` as of ``as_of`` (default: today)."""
    return rules.assess(history_of(patient), rules.get_profile(profile), as_of or date.today())


def verdict_values(history: rules.History, result: rules.Assessment) -> dict:
    """Return the stored verdict's columns for one assessment."""
    onset = next((e.onset for e in history.episodes if e.key == result.current_episode), None)
    return {
        "profile": result.profile,
        "computed_on": result.as_of,
        "valid_until": result.valid_until,
        "status": result.status,
        "trd": result.trd,
        "failed_agents": ", ".join(result.failed_adequate_agents),
        "failed_count": len(result.failed_adequate_agents),
        "first_met": result.first_met,
        "episode_onset": onset,
        "thase_rush": result.staging.thase_rush,
        "maudsley_score": result.staging.maudsley_score,
        "maudsley_band": result.staging.maudsley_band,
        "mgh": result.staging.mgh,
        "remission": result.remission,
        "alerts": len(result.alerts),
    }


def store_assessment(patient: Patient, as_of: date | None = None) -> StoredAssessment:
    """Recompute the patient's stored verdict (and coverage) under the default profile; flush."""
    from tracker.coverage.store import store_coverage

    history = history_of(patient)
    result = rules.assess(history, rules.get_profile(rules.DEFAULT_PROFILE),
                          as_of or date.today())
    stored = patient.assessment or StoredAssessment(patient_id=patient.id)
    for column, value in verdict_values(history, result).items():
        setattr(stored, column, value)
    patient.assessment = stored
    store_coverage(patient, history, result.as_of)
    db.session.flush()
    return stored


def verdict_rows(patient_ids: list[int], as_of: date) -> list[dict]:
    """Return the stored-verdict columns of each patient, assessed as of ``as_of``."""
    profile = rules.get_profile(rules.DEFAULT_PROFILE)
    return [{"patient_id": pid, **verdict_values(history, rules.assess(history, profile, as_of))}
            for pid, history in load_histories(patient_ids).items()]


def write_verdicts(rows: list[dict], stored: set[int]) -> None:
    """Store verdicts with one UPDATE and one INSERT statement (executemany), not per row.

    ``stored`` names the patients that have a stored verdict already. Stored verdicts loaded
    in the session are expired, so nothing reads an old value.
    """
    updates = [row for row in rows if row["patient_id"] in stored]
    inserts = [row for row in rows if row["patient_id"] not in stored]
    if updates:
        db.session.execute(update(StoredAssessment), updates)
    if inserts:
        db.session.execute(insert(StoredAssessment), inserts)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, StoredAssessment):
            db.session.expire(obj)


def stored_ids(patient_ids: list[int]) -> set[int]:
    """Return which of the patients have a stored verdict."""
    return set(db.session.scalars(select(StoredAssessment.patient_id)
                                  .where(StoredAssessment.patient_id.in_(patient_ids))))


def reassess(patient_ids: list[int], as_of: date, stored: set[int] | None = None) -> int:
    """Recompute and store the verdicts of ``patient_ids`` with set-based statements.

    ``stored`` names the patients that already have a stored verdict; None looks it up.
    Flushes nothing else and commits nothing. Return how many were stored.
    """
    if not patient_ids:
        return 0
    from tracker.coverage.store import refresh_coverage

    rows = verdict_rows(patient_ids, as_of)
    write_verdicts(rows, stored_ids(patient_ids) if stored is None else stored)
    refresh_coverage(patient_ids, as_of)
    return len(rows)
