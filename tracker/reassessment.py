"""Recomputing many stored verdicts at once: ``flask trd reassess`` and ``flask trd refresh``.

Patients are taken in batches; each batch's histories are read with a handful of set-based
statements, assessed, and written with one UPDATE and one INSERT. With several workers, child
processes read and assess batches. On PostgreSQL each child also writes and commits its own
batches; on SQLite, where every transaction takes the write lock, the children hand their rows
to this process, the only writer, which commits them in order of completion.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from flask import Flask, current_app
from sqlalchemy import or_, select

from tracker.assessments import reassess, stored_ids, verdict_rows, write_verdicts
from tracker.extensions import db
from tracker.models import Patient, StoredAssessment

BATCH = 1000  # patients per batch at most
BATCHES_PER_WORKER = 4  # smaller batches when there are few patients, so workers overlap
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


def batches(ids: list[int], workers: int) -> Iterator[list[int]]:
    """Cut ``ids`` into batches of at most ``BATCH``, at least ``BATCHES_PER_WORKER`` each."""
    size = max(1, min(BATCH, -(-len(ids) // (workers * BATCHES_PER_WORKER))))
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _start_worker(config: dict) -> None:
    """Give a worker process its own app and database connections."""
    global _worker_app
    from tracker import create_app

    _worker_app = create_app(None, **config)


def _assess_batch(job: tuple[list[int], date]) -> list[dict]:
    """Return a batch's verdict rows (the parent writes them)."""
    ids, as_of = job
    with _worker_app.app_context():
        rows = verdict_rows(ids, as_of)
        db.session.remove()
        return rows


def _store_batch(job: tuple[list[int], date, set[int]]) -> int:
    """Store and commit a batch's verdicts (and coverage); return how many."""
    ids, as_of, stored = job
    with _worker_app.app_context():
        count = reassess(ids, as_of, stored)
        db.session.commit()
        db.session.remove()
        return count


@contextmanager
def _long_lived_objects_frozen() -> Iterator[None]:
    """Keep the objects that exist before the run out of the garbage collector's full passes.

    Each batch makes and drops hundreds of thousands of objects; every full collection would
    otherwise walk the whole app again (modules, models, compiled statements): about a third
    of a single-process run on the benchmark.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def reassess_all(ids: list[int], as_of: date, workers: int = 1,
                 done: Callable[[int], None] = lambda n: None) -> int:
    """Recompute and store the verdicts of ``ids`` as of ``as_of``, committing each batch.

    ``done`` is called with the size of each batch written (for a progress bar).
    """
    stored = stored_ids(ids) if ids else set()
    with _long_lived_objects_frozen():
        if workers <= 1:
            results = (verdict_rows(batch, as_of) for batch in batches(ids, 1))
            return _write_all(results, stored, done)
        return _in_workers(ids, as_of, workers, stored, done)


def _in_workers(ids: list[int], as_of: date, workers: int, stored: set[int],
                done: Callable[[int], None]) -> int:
    """Reassess in ``workers`` child processes; they write too where writers may run at once."""
    config = {key: current_app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "TESTING",
                                                       "SECRET_KEY")}
    concurrent_writers = db.engine.dialect.name != "sqlite"
    db.session.commit()
    db.engine.dispose()  # no connection crosses the fork
    with multiprocessing.get_context("fork").Pool(workers, _start_worker, (config,)) as pool:
        if not concurrent_writers:
            jobs = ((batch, as_of) for batch in batches(ids, workers))
            return _write_all(pool.imap_unordered(_assess_batch, jobs), stored, done)
        total = 0
        jobs = ((batch, as_of, stored.intersection(batch)) for batch in batches(ids, workers))
        for count in pool.imap_unordered(_store_batch, jobs):
            total += count
            done(count)
        return total


def _write_all(results: Iterable[list[dict]], stored: set[int],
               done: Callable[[int], None]) -> int:
    """Write and commit each batch of verdict rows; return how many were written."""
    from tracker.coverage.store import refresh_coverage

    total = 0
    for rows in results:
        write_verdicts(rows, stored)
        if rows:
            refresh_coverage([row["patient_id"] for row in rows], rows[0]["computed_on"])
        db.session.commit()
        total += len(rows)
        done(len(rows))
    return total
