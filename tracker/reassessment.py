"""Recomputing many stored verdicts at once: ``flask trd reassess`` and ``flask trd refresh``.

Patients are taken in batches; each batch's histories are read with a handful of set-based
statements, assessed, and written with one UPDATE and one INSERT. With several workers, child
processes read and assess batches while this process writes and commits them in order of
completion, so only one process ever writes.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from datetime import date

from flask import Flask, current_app
from sqlalchemy import or_, select

from tracker.assessments import stored_ids, verdict_rows, write_verdicts
from tracker.extensions import db
from tracker.models import Patient, StoredAssessment

BATCH = 1000
_worker_app: Flask | None = None


def every_patient() -> list[int]:
    """Return every patient's id."""
    return list(db.session.scalars(select(Patient.id).order_by(Patient.id)))


def expired_patients(today: date) -> list[int]:
    """Return the ids of patients whose stored verdict expired by ``today``, or who have none."""
    return list(db.session.scalars(
        select(Patient.id).outerjoin(StoredAssessment)
        .where(or_(StoredAssessment.patient_id.is_(None), StoredAssessment.valid_until <= today))
        .order_by(Patient.id)))


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BATCH):
        yield ids[start:start + BATCH]


def _start_worker(config: dict) -> None:
    """Give a worker process its own app and database connections."""
    global _worker_app
    from tracker import create_app

    _worker_app = create_app(None, **config)


def _assess_batch(job: tuple[list[int], date]) -> list[dict]:
    ids, as_of = job
    with _worker_app.app_context():
        rows = verdict_rows(ids, as_of)
        db.session.remove()
        return rows


def reassess_all(ids: list[int], as_of: date, workers: int = 1,
                 done: Callable[[int], None] = lambda n: None) -> int:
    """Recompute and store the verdicts of ``ids`` as of ``as_of``, committing each batch.

    ``done`` is called with the size of each batch written (for a progress bar).
    """
    stored = stored_ids(ids) if ids else set()
    if workers <= 1:
        results: Iterator[list[dict]] = (verdict_rows(batch, as_of) for batch in _batches(ids))
        return _write_all(results, stored, done)
    config = {key: current_app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "TESTING",
                                                       "SECRET_KEY")}
    db.session.commit()
    db.engine.dispose()  # no connection crosses the fork
    with multiprocessing.get_context("fork").Pool(workers, _start_worker, (config,)) as pool:
        jobs = ((batch, as_of) for batch in _batches(ids))
        return _write_all(pool.imap_unordered(_assess_batch, jobs), stored, done)


def _write_all(results, stored: set[int], done: Callable[[int], None]) -> int:
    total = 0
    from tracker.coverage.store import refresh_coverage

    for rows in results:
        write_verdicts(rows, stored)
        if rows:
            refresh_coverage([row["patient_id"] for row in rows], rows[0]["computed_on"])
        db.session.commit()
        total += len(rows)
        done(len(rows))
    return total
