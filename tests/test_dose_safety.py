"""Dose safety and duplicates: above the label maximum needs a confirmation, above three times
it is refused, and a trial or score entered twice is flagged before it is saved."""

import re
from datetime import date

from tests.conftest import csrf, make_patient, make_trial
from tests.test_entry_forms import _score, _trial
from tracker.models import Measurement, Trial


def test_a_dose_above_the_label_maximum_needs_the_box_ticked_and_is_kept(db, signed_in,
                                                                          clinician):
    patient = make_patient(clinician)
    db.session.commit()
    above = {"doses-0-amount_mg": "150", "doses-0-times_per_day": "2"}  # sertraline max 200
    response = _trial(signed_in, patient, **above)
    assert response.status_code == 200
    assert "300 mg/day is above the label maximum of 200 mg/day for sertraline" in response.text
    assert 'name="confirm_above_max"' in response.text
    assert db.session.query(Trial).count() == 0
    response = _trial(signed_in, patient, confirm_above_max="y", **above)
    assert response.status_code == 302
    trial = db.session.query(Trial).one()
    assert trial.above_max_confirmed and trial.doses[0].mg_per_day == 300
    chart = signed_in.get(f"/patients/{patient.id}").text
    assert "above the label maximum (200)" in chart and "data-confirmed-above-max" in chart
    edit = signed_in.get(f"/patients/{patient.id}/trials/{trial.id}/edit").text
    assert re.search(r'<input checked id="confirm_above_max"', edit)  # the confirmation, kept


def test_a_dose_above_three_times_the_maximum_is_refused_even_when_confirmed(
        db, signed_in, clinician):
    patient = make_patient(clinician)
    db.session.commit()
    response = _trial(signed_in, patient, confirm_above_max="y", **{
        "doses-0-amount_mg": "1500", "doses-0-times_per_day": "1"})
    assert "1500 mg/day is more than 3 times the label maximum of 200 mg/day" in response.text
    assert db.session.query(Trial).count() == 0
    # no box to confirm a dose that cannot be saved (review: it offered one that did nothing)
    assert 'name="confirm_above_max"' not in response.text


def test_an_overlapping_trial_of_the_same_drug_is_flagged_then_saved_when_confirmed(
        db, signed_in, clinician):
    patient = make_patient(clinician)
    make_trial(patient, doses=((date(2023, 12, 1), 50),), stopped=date(2024, 2, 1))
    db.session.commit()
    response = _trial(signed_in, patient, drug="Zoloft")
    assert ("sertraline from 2023-12-01 to 2024-02-01 is already recorded and overlaps this "
            "trial") in response.text
    assert db.session.query(Trial).count() == 1
    assert _trial(signed_in, patient, drug="Zoloft", confirm_duplicate="y").status_code == 302
    assert db.session.query(Trial).count() == 2
    # Another drug, or the same drug after the stop, is not flagged.
    assert _trial(signed_in, patient, drug="escitalopram", **{
        "doses-0-amount_mg": "10"}).status_code == 302


def test_editing_a_trial_does_not_flag_it_against_itself(db, signed_in, clinician):
    patient = make_patient(clinician)
    trial = make_trial(patient, doses=((date(2024, 1, 1), 50),))
    db.session.commit()
    url = f"/patients/{patient.id}/trials/{trial.id}/edit"
    data = {"csrf_token": csrf(signed_in, url), "drug": "sertraline", "episode": "",
            "doses-0-start": "2024-01-01", "doses-0-amount_mg": "100",
            "doses-0-times_per_day": "1", "adherence": "good", "response": "none",
            "stop_reason": "", "version": str(trial.version)}
    assert signed_in.post(url, data=data).status_code == 302


def test_the_same_instrument_twice_on_one_day_is_flagged(db, signed_in, clinician):
    patient = make_patient(clinician)
    db.session.commit()
    assert _score(signed_in, patient, score="22").status_code == 302
    response = _score(signed_in, patient, score="19")
    assert "A PHQ-9 of 22 is already recorded on 2024-03-01" in response.text
    assert db.session.query(Measurement).count() == 1
    assert _score(signed_in, patient, score="19", confirm_duplicate="y").status_code == 302
    assert _score(signed_in, patient, score="30", instrument="MADRS").status_code == 302
    assert db.session.query(Measurement).count() == 3
