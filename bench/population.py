"""A synthetic population of realistic treatment histories, inserted in bulk."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import insert, text

from tracker.catalogue import default_catalogue
from tracker.extensions import db
from tracker.models import (
    DoseStep,
    Episode,
    Measurement,
    Patient,
    Role,
    Treatment,
    Trial,
    User,
    care_team,
)

ANTIDEPRESSANTS = ["sertraline", "escitalopram", "fluoxetine", "venlafaxine", "duloxetine",
                   "bupropion", "mirtazapine", "vortioxetine", "nortriptyline", "phenelzine"]
AUGMENTERS = ["aripiprazole", "lithium", "quetiapine"]
TODAY = date(2026, 11, 1)


def _trials(rng: random.Random, onset: date, count: int, all_stopped: bool = False):
    """Yield (drug, steps, stopped, response) for ``count`` consecutive trials."""
    start = onset + timedelta(days=rng.randint(3, 30))
    catalogue = default_catalogue()
    for i in range(count):
        drug = rng.choice(AUGMENTERS if i and rng.random() < 0.15 else ANTIDEPRESSANTS)
        minimum = catalogue.resolve(drug).min_adequate_mg_per_day or 5
        steps = [(start, minimum / 2), (start + timedelta(days=14), minimum)]
        if rng.random() < 0.5:
            steps.append((start + timedelta(days=35), minimum * 1.5))
        length = 60 if all_stopped else rng.randint(20, 120)
        stopped = start + timedelta(days=max(length, 50))
        if stopped >= TODAY:
            stopped = None
        yield drug, steps, stopped, rng.choice(["none", "partial", "unknown", "response"])
        if stopped is None:
            return
        start = stopped + timedelta(days=1)


def build(patients: int, clinicians: int, trials_per_patient: int = 6, seed: int = 7) -> None:
    """Insert clinicians, patients, episodes, trials, dose steps and scores.

    Clinician 1 cares for the first 1,000 patients (half the population when smaller), the
    others share the rest; patient 1 has a long history of 15 trials (the chart benchmark).
    """
    large_panel = min(1000, patients // 2)
    rng = random.Random(seed)
    users = [{"id": i + 1, "email": f"bench{i}@example.org", "name": f"Dr Bench {i}",
              "role": Role.CLINICIAN, "password_hash": "x", "active": True}
             for i in range(clinicians)]
    db.session.execute(insert(User), users)
    rows: dict[str, list[dict]] = {k: [] for k in
                                   ("patient", "team", "episode", "trial", "dose", "score", "tx")}
    trial_id = dose_id = 0
    for pid in range(1, patients + 1):
        long_history = pid == 1
        onset = TODAY - timedelta(days=3000 if long_history else rng.randint(200, 1500))
        rows["patient"].append({"id": pid, "mrn": f"B-{pid:07d}", "name": f"Bench Patient {pid}",
                                "study_id": f"bench{pid:010d}",
                                "birth_date": date(1940 + pid % 60, 1 + pid % 12, 1),
                                "sex": rng.choice(["female", "male"])})
        owner = 1 if pid <= large_panel else 2 + (pid - 1) % max(1, clinicians - 1)
        rows["team"].append({"patient_id": pid, "user_id": min(owner, clinicians)})
        rows["episode"].append({"id": pid, "patient_id": pid, "key": "e1", "onset": onset,
                                "remission": None, "severity": "severe", "psychotic": False})
        count = 15 if long_history else trials_per_patient
        for drug, steps, stopped, response in _trials(rng, onset, count, long_history):
            trial_id += 1
            rows["trial"].append({"id": trial_id, "patient_id": pid, "episode_id": pid,
                                  "drug": drug, "started": steps[0][0], "stopped": stopped,
                                  "stop_reason": "inadequate_response" if stopped else None,
                                  "adherence": "good", "response": response, "notes": "",
                                  "version": 1})
            for start, mg in steps:
                dose_id += 1
                rows["dose"].append({"id": dose_id, "trial_id": trial_id, "start": start,
                                     "mg_per_day": mg})
            for offset in (-2, 40):
                day = steps[0][0] + timedelta(days=offset)
                if day < TODAY:
                    rows["score"].append({"patient_id": pid, "taken_on": day,
                                          "instrument": "PHQ-9", "score": rng.randint(8, 25)})
        if rng.random() < 0.1:
            rows["tx"].append({"patient_id": pid, "kind": "ECT", "detail": "", "sessions": 12,
                               "start": TODAY - timedelta(days=60), "end": None})
    for key, model in (("patient", Patient), ("team", care_team), ("episode", Episode),
                       ("trial", Trial), ("dose", DoseStep), ("score", Measurement),
                       ("tx", Treatment)):
        table = model if key == "team" else model.__table__
        for i in range(0, len(rows[key]), 5000):
            db.session.execute(insert(table), rows[key][i:i + 5000])
    _advance_sequences()
    db.session.commit()


def _advance_sequences() -> None:
    """Move PostgreSQL's id sequences past the ids inserted here, so the app's own inserts
    (the mixed load's saves) get fresh ids. SQLite needs nothing: it takes the next rowid."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("users", "patients", "episodes", "trials", "dose_steps", "measurements",
                  "treatments"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT coalesce(max(id), 1) FROM {table}))"))


def analyse() -> None:
    """Give PostgreSQL's planner the statistics a database in use has (autovacuum analyses
    tables soon after a bulk load; the benchmark measures straight after one). SQLite keeps
    no statistics unless asked, so it is measured as it runs."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()
