"""Verdicts that know how long they hold (issue 15): expired ones are recomputed in bulk by the
panel, by `trd refresh` and by `trd reassess` (also with worker processes)."""

import os
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import app_on_a_fresh_database, make_patient, make_trial
from tests.test_pages import StatementCounter
from tracker.assessments import store_assessment
from tracker.extensions import db as _db
from tracker.models import Patient, StoredAssessment, User
from tracker.rules.vocab import Response

TODAY = date.today()
YESTERDAY = TODAY - timedelta(days=1)


def patients_with_verdicts(clinician, n: int, ongoing: bool = False) -> list[Patient]:
    """Make ``n`` patients; an ongoing trial makes the verdict expire in a few days."""
    made = []
    for _ in range(n):
        patient = make_patient(clinician)
        make_trial(patient, doses=((TODAY - timedelta(days=100), 50),),
                   stopped=None if ongoing else TODAY - timedelta(days=20),
                   response=Response.NONE)
        make_trial(patient, "venlafaxine", doses=((TODAY - timedelta(days=30), 150),))
        store_assessment(patient)
        made.append(patient)
    return made


def expire(db, patients, when=YESTERDAY):
    ids = [p.id for p in patients]
    db.session.execute(StoredAssessment.__table__.update()
                       .where(StoredAssessment.patient_id.in_(ids))
                       .values(valid_until=when, computed_on=when - timedelta(days=1),
                               status="bogus"))
    db.session.commit()


def test_a_stored_verdict_knows_how_long_it_holds(db, clinician):
    patient = patients_with_verdicts(clinician, 1)[0]
    assert patient.assessment.valid_until == TODAY + timedelta(days=12)  # venlafaxine adequate


def _first_of_day(db, client, clinician_id: int, n: int, path: str) -> tuple[int, int]:
    """Expire ``n`` new patients' verdicts, open ``path``; return (statements, still bogus)."""
    clinician = db.session.get(User, clinician_id)
    expire(db, patients_with_verdicts(clinician, n))
    db.session.remove()
    with StatementCounter(db.engine) as counter:
        page = client.get(path)
    assert page.status_code == 200 and "bogus" not in page.text
    return counter.count, db.session.scalar(select(func.count())
                                            .where(StoredAssessment.status == "bogus"))


def test_first_of_day_panel_statements_are_constant_for_10_and_200_expired(db, signed_in,
                                                                           clinician):
    """Sorted by a verdict column, the page needs every verdict: all are recomputed."""
    path, clinician_id = "/patients/?sort=failed&dir=desc", clinician.id
    ten, left = _first_of_day(db, signed_in, clinician_id, 10, path)
    assert left == 0
    two_hundred, left = _first_of_day(db, signed_in, clinician_id, 190, path)
    assert left == 0
    assert ten == two_hundred
    assert ten <= 20


def test_first_of_day_panel_by_name_recomputes_only_its_page(db, signed_in, clinician):
    """Sorted by name, which patients the page shows does not depend on their verdicts: its
    25 rows are recomputed, the other expired verdicts wait for their own page (or the
    nightly refresh), in the same number of statements."""
    clinician_id = clinician.id
    ten, left = _first_of_day(db, signed_in, clinician_id, 10, "/patients/")
    assert left == 0
    first_ten = set(db.session.scalars(select(Patient.id)))
    first_page = select(Patient.id).order_by(Patient.sort_name, Patient.id).limit(25)
    two_hundred, left = _first_of_day(db, signed_in, clinician_id, 190, "/patients/")
    new_on_first_page = len(set(db.session.scalars(first_page)) - first_ten)
    assert left == 190 - new_on_first_page
    assert ten == two_hundred
    db.session.remove()
    with StatementCounter(db.engine) as counter:
        signed_in.get("/patients/")
    assert counter.count < ten  # nothing on the page is stale any more: one page query
    with StatementCounter(db.engine) as again:
        second_page = signed_in.get("/patients/?page=2")
    assert "bogus" not in second_page.text and again.count == ten  # its own 25, in bulk


def test_the_panel_leaves_unexpired_verdicts_alone(db, signed_in, clinician):
    kept, expired = patients_with_verdicts(clinician, 2)
    expire(db, [expired])
    db.session.execute(StoredAssessment.__table__.update()
                       .where(StoredAssessment.patient_id == kept.id).values(status="kept"))
    db.session.commit()
    signed_in.get("/patients/")
    db.session.expire_all()
    assert db.session.get(StoredAssessment, kept.id).status == "kept"
    assert db.session.get(StoredAssessment, expired.id).status != "bogus"


def test_refresh_recomputes_only_expired_verdicts(app, db, clinician):
    kept, expired = patients_with_verdicts(clinician, 2)
    expire(db, [expired])
    kept.assessment.status = "kept"
    unassessed = make_patient(clinician)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["trd", "refresh"])
    assert result.exit_code == 0 and "Refreshed 2 patients." in result.output
    db.session.expire_all()
    assert db.session.get(StoredAssessment, kept.id).status == "kept"
    assert db.session.get(StoredAssessment, expired.id).computed_on == TODAY
    assert db.session.get(StoredAssessment, unassessed.id).status == "not_met"


@pytest.fixture
def file_app(tmp_path):
    """An app on a database file, so that worker processes see the same rows."""
    on_file = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/workers.sqlite"}
    yield from app_on_a_fresh_database(**({} if os.environ.get("TEST_DATABASE_URL")
                                          else on_file))


def test_reassess_with_two_workers_stores_every_verdict(file_app):
    from tests.conftest import make_user

    clinician = make_user()
    patients = patients_with_verdicts(clinician, 25)
    expire(_db, patients)
    _db.session.commit()
    result = file_app.test_cli_runner().invoke(args=["trd", "reassess", "--workers", "2"])
    assert result.exit_code == 0, result.output
    assert "Reassessed 25 patients." in result.output
    _db.session.expire_all()
    statuses = set(_db.session.scalars(select(StoredAssessment.status)))
    assert statuses == {"not_met"}


def test_both_roads_read_the_same_history(app, db, tmp_path):
    """The bulk road (rows by position) and the chart's road (loaded objects) agree."""
    import json

    from tests.conftest import make_user
    from tests.test_history_v11 import ITEMS, v11
    from tracker.assessments import history_of, load_histories

    clinician = make_user()
    db.session.commit()
    doc = v11(measurements__0__items=ITEMS, treatments__0__modality="IPT",
              treatments__1__laterality="unilateral")
    path = tmp_path / "v11.json"
    path.write_text(json.dumps(doc))
    result = app.test_cli_runner().invoke(
        args=["trd", "import", str(path), "--clinician", clinician.email])
    assert result.exit_code == 0, result.output
    patient = db.session.scalars(select(Patient)).one()
    history = history_of(patient)
    assert history.episodes and history.trials and history.treatments
    assert load_histories([patient.id]) == {patient.id: history}


def test_histories_are_read_with_six_statements_for_3_or_30_patients(db, clinician):
    from tracker.assessments import load_histories

    def statements(patients) -> int:
        with StatementCounter(db.engine) as counter:
            assert len(load_histories([p.id for p in patients])) == len(patients)
        return counter.count

    assert statements(patients_with_verdicts(clinician, 3)) == 6
    assert statements(patients_with_verdicts(clinician, 30)) == 6


def test_batches_give_each_worker_several_and_never_exceed_the_batch_size():
    from tracker.reassessment import BATCH, batches

    ids = list(range(2000))
    assert [len(b) for b in batches(ids, 2)] == [250] * 8
    assert {len(b) for b in batches(list(range(10 * BATCH)), 1)} == {BATCH}
    assert [b for batch in batches(ids, 3) for b in batch] == ids
    assert list(batches([], 2)) == []


def stored_verdicts(db) -> list[tuple]:
    table = StoredAssessment.__table__
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(select(table).order_by(table.c.patient_id))]


def test_two_workers_store_what_one_process_stores(file_app):
    """On PostgreSQL the workers write their own batches; on SQLite this process writes."""
    from tests.conftest import make_user
    from tracker.reassessment import every_patient, reassess_all

    clinician = make_user()
    patients = patients_with_verdicts(clinician, 12) + patients_with_verdicts(clinician, 9, True)
    make_patient(clinician)  # no verdict stored yet
    _db.session.commit()
    ids = every_patient()
    assert reassess_all(ids, TODAY, workers=1) == 22
    one_process = stored_verdicts(_db)
    expire(_db, patients)
    _db.session.execute(StoredAssessment.__table__.delete()
                        .where(StoredAssessment.patient_id == ids[-1]))
    _db.session.commit()
    progress = []
    assert reassess_all(ids, TODAY, workers=2, done=progress.append) == 22
    assert sum(progress) == 22 and len(progress) > 1
    assert stored_verdicts(_db) == one_process
