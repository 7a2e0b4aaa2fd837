"""Invariants are database constraints: bad rows are refused by the database itself."""

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from tests.conftest import make_patient, make_trial, make_user
from tracker.models import DoseStep, Episode, Measurement, Treatment
from tracker.rules.vocab import Instrument, Severity, StopReason, TreatmentKind


def _refused(db, exc=IntegrityError):
    with pytest.raises(exc):
        db.session.flush()
    db.session.rollback()


def test_valid_history_is_stored(db):
    patient = make_patient(make_user())
    trial = make_trial(patient, doses=((date(2024, 1, 1), 50), (date(2024, 2, 1), 100)),
                       stopped=date(2024, 4, 1), stop_reason=StopReason.SIDE_EFFECTS)
    db.session.commit()
    assert trial.started == date(2024, 1, 1)
    assert [s.mg_per_day for s in trial.doses] == [50, 100]
    assert trial.version == 1


def test_negative_dose_is_refused(db):
    patient = make_patient()
    make_trial(patient)
    patient.trials[0].doses.append(DoseStep(start=date(2024, 2, 1), mg_per_day=-5))
    _refused(db)


def test_zero_dose_is_refused(db):
    patient = make_patient()
    patient.trials.append(_trial_with(date(2024, 1, 1), 0))
    _refused(db)


def _trial_with(start, mg, **kw):
    from tracker.models import Trial
    return Trial(drug="sertraline", started=start, doses=[DoseStep(start=start, mg_per_day=mg)],
                 **kw)


def test_stop_before_first_dose_is_refused(db):
    patient = make_patient()
    patient.trials.append(_trial_with(date(2024, 3, 1), 50, stopped=date(2024, 2, 1)))
    _refused(db)


def test_stop_on_first_dose_day_is_refused(db):
    patient = make_patient()
    patient.trials.append(_trial_with(date(2024, 3, 1), 50, stopped=date(2024, 3, 1)))
    _refused(db)


def test_started_follows_the_first_dose_step(db):
    patient = make_patient()
    trial = make_trial(patient, doses=((date(2024, 3, 1), 50),))
    trial.doses.append(DoseStep(start=date(2024, 2, 1), mg_per_day=25))
    db.session.flush()
    assert trial.started == date(2024, 2, 1)


def test_stop_reason_without_stop_is_refused(db):
    patient = make_patient()
    patient.trials.append(_trial_with(date(2024, 3, 1), 50, stop_reason=StopReason.COST))
    _refused(db)


def test_duplicate_mrn_is_refused(db):
    make_patient(mrn="A-1")
    db.session.commit()
    with pytest.raises(IntegrityError):
        make_patient(mrn="A-1")
    db.session.rollback()


def test_duplicate_dose_step_date_is_refused(db):
    patient = make_patient()
    with pytest.raises(IntegrityError):
        make_trial(patient, doses=((date(2024, 1, 1), 50), (date(2024, 1, 1), 100)))
    db.session.rollback()


@pytest.mark.parametrize(("instrument", "score", "ok"), [
    (Instrument.PHQ9, 27, True), (Instrument.PHQ9, 28, False), (Instrument.PHQ9, -1, False),
    (Instrument.MADRS, 60, True), (Instrument.MADRS, 61, False),
    (Instrument.HAMD17, 52, True), (Instrument.HAMD17, 53, False),
    (Instrument.QIDS_SR16, 0, True), (Instrument.QIDS_SR16, 28, False),
])
def test_score_must_be_in_the_instrument_range(db, instrument, score, ok):
    patient = make_patient()
    patient.measurements.append(Measurement(taken_on=date(2024, 1, 1), instrument=instrument,
                                            score=score))
    if ok:
        db.session.flush()
    else:
        _refused(db)


def test_remission_before_onset_is_refused(db):
    patient = make_patient()
    patient.episodes.append(Episode(key="e1", onset=date(2024, 5, 1),
                                    remission=date(2024, 4, 1), severity=Severity.MILD))
    _refused(db)


def test_duplicate_episode_key_is_refused(db):
    patient = make_patient()
    for _ in range(2):
        patient.episodes.append(Episode(key="e1", onset=date(2024, 5, 1),
                                        severity=Severity.MILD))
    _refused(db)


def test_treatment_end_before_start_is_refused(db):
    patient = make_patient()
    patient.treatments.append(Treatment(kind=TreatmentKind.ECT, start=date(2024, 5, 1),
                                        end=date(2024, 4, 1)))
    _refused(db)


def test_enum_values_are_checked_by_the_database(db):
    patient = make_patient()
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE patients SET sex = 'robot' WHERE id = :id"),
                           {"id": patient.id})
    db.session.rollback()


def test_unknown_enum_value_is_refused_before_sql(db):
    patient = make_patient()
    patient.measurements.append(Measurement(taken_on=date(2024, 1, 1), instrument="BDI",
                                            score=3))
    _refused(db, StatementError)


def test_email_must_be_lower_case(db):
    with pytest.raises(IntegrityError):
        make_user(email="Someone@Example.org")
    db.session.rollback()


def test_deleting_a_patient_removes_their_rows(db):
    patient = make_patient(make_user())
    make_trial(patient)
    db.session.commit()
    db.session.delete(patient)
    db.session.commit()
    assert db.session.execute(text("SELECT count(*) FROM dose_steps")).scalar() == 0


def test_concurrent_edit_of_a_trial_is_caught(db):
    from sqlalchemy.orm.exc import StaleDataError

    patient = make_patient()
    trial = make_trial(patient)
    db.session.commit()
    db.session.execute(text("UPDATE trials SET version = version + 1, notes = 'other' "
                            "WHERE id = :id"), {"id": trial.id})
    trial.notes = "mine"
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()
