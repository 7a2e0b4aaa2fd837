"""The single-record forms take the history format 1.1 fields: formulation, dose as prescribed,
PHQ-9 answers, ECT laterality, psychotherapy modality."""

import re

import pytest

from tests.conftest import csrf, make_patient
from tracker.models import Measurement, Treatment, Trial


def _trial(signed_in, patient, **overrides):
    url = f"/patients/{patient.id}/trials/new"
    data = {"csrf_token": csrf(signed_in, url), "drug": "sertraline", "episode": "",
            "formulation": "", "doses-0-start": "2024-01-01", "doses-0-amount_mg": "50",
            "doses-0-times_per_day": "1", "stopped": "", "stop_reason": "",
            "adherence": "good", "response": "none", "notes": "typed", "submit": "Save trial"}
    data.update(overrides)
    return signed_in.post(url, data=data)


def test_a_dose_as_prescribed_saves_its_daily_total_and_the_name_its_formulation(
        db, signed_in, clinician):
    patient = make_patient(clinician)
    db.session.commit()
    response = _trial(signed_in, patient, drug="bupropion SR", **{
        "doses-0-amount_mg": "150", "doses-0-times_per_day": "2",
        "doses-1-start": "2024-02-01", "doses-1-amount_mg": "20",
        "doses-1-times_per_day": "night"})
    assert response.status_code == 302, response.text
    trial = db.session.query(Trial).one()
    assert (trial.drug, trial.formulation) == ("bupropion", "SR")
    assert [(s.amount_mg, s.times_per_day, s.mg_per_day) for s in trial.doses] == [
        (150, 2, 300), (20, 1, 20)]
    chart = signed_in.get(f"/patients/{patient.id}").text
    assert "bupropion SR" in chart and "300 mg/day" in chart and "150 mg twice daily" in chart


def test_a_contradicting_formulation_is_shown_beside_the_field(db, signed_in, clinician):
    patient = make_patient(clinician)
    db.session.commit()
    response = _trial(signed_in, patient, drug="venlafaxine XR", formulation="IR")
    assert response.status_code == 200
    assert "The drug name says XR" in response.text
    assert db.session.query(Trial).count() == 0


def test_a_daily_total_above_the_ceiling_is_refused(db, signed_in, clinician):
    patient = make_patient(clinician)
    db.session.commit()
    response = _trial(signed_in, patient, **{"doses-0-amount_mg": "2000",
                                             "doses-0-times_per_day": "3"})
    assert "That is 6000 mg/day" in response.text
    assert db.session.query(Trial).count() == 0


def test_the_form_focuses_the_first_field_in_error(db, signed_in, clinician):
    patient = make_patient(clinician)
    db.session.commit()
    response = _trial(signed_in, patient, **{"doses-0-amount_mg": "-1"})
    assert re.search(r"<input[^>]*autofocus[^>]*id=\"doses-0-amount_mg\"", response.text), (
        response.text)


def _score(signed_in, patient, **overrides):
    url = f"/patients/{patient.id}/measurements/new"
    data = {"csrf_token": csrf(signed_in, url), "taken_on": "2024-03-01",
            "instrument": "PHQ-9", "score": ""}
    data.update(overrides)
    return signed_in.post(url, data=data)


ANSWERS = {f"items-{i}": v for i, v in enumerate("332221101")}


def test_nine_phq9_answers_make_the_total(db, signed_in, clinician):
    patient = make_patient(clinician)
    db.session.commit()
    assert _score(signed_in, patient, **ANSWERS).status_code == 302
    measurement = db.session.query(Measurement).one()
    assert (measurement.score, measurement.items) == (15, "332221101")


@pytest.mark.parametrize(("overrides", "message"), [
    ({"score": "20", **ANSWERS}, "The answers add up to 15, not the total 20."),
    ({"items-0": "3"}, "Give all 9 answers, or none and the total."),
    ({"instrument": "MADRS", "score": "15", **ANSWERS},
     "Item answers are recorded for the PHQ-9 only."),
])
def test_bad_phq9_answers_are_shown_and_nothing_is_saved(db, signed_in, clinician, overrides,
                                                         message):
    patient = make_patient(clinician)
    db.session.commit()
    response = _score(signed_in, patient, **overrides)
    assert response.status_code == 200 and message in response.text
    assert db.session.query(Measurement).count() == 0


def _treatment(signed_in, patient, **overrides):
    url = f"/patients/{patient.id}/treatments/new"
    data = {"csrf_token": csrf(signed_in, url), "kind": "ECT", "detail": "",
            "start": "2024-03-01", "end": "", "sessions": "8", "laterality": "",
            "modality": ""}
    data.update(overrides)
    return signed_in.post(url, data=data)


def test_ect_laterality_and_psychotherapy_modality_are_recorded(db, signed_in, clinician):
    patient = make_patient(clinician)
    db.session.commit()
    assert _treatment(signed_in, patient, laterality="bilateral").status_code == 302
    assert _treatment(signed_in, patient, kind="psychotherapy",
                      modality="CBT").status_code == 302
    assert _treatment(signed_in, patient).status_code == 302
    rows = db.session.query(Treatment).order_by(Treatment.id).all()
    assert [(str(t.laterality), str(t.modality)) for t in rows] == [
        ("bilateral", "None"), ("None", "CBT"), ("unknown", "None")]


@pytest.mark.parametrize(("overrides", "message"), [
    ({"kind": "psychotherapy", "laterality": "bilateral"}, "Laterality is for ECT only"),
    ({"modality": "CBT"}, "The modality is for psychotherapy only"),
])
def test_a_kind_specific_field_on_the_wrong_kind_is_refused(db, signed_in, clinician,
                                                            overrides, message):
    patient = make_patient(clinician)
    db.session.commit()
    response = _treatment(signed_in, patient, **overrides)
    assert response.status_code == 200 and message in response.text


def test_a_step_recorded_as_a_daily_total_is_edited_as_one_not_as_once_daily(
        db, signed_in, clinician):
    from datetime import date

    from tests.conftest import make_trial

    patient = make_patient(clinician)
    trial = make_trial(patient, doses=((date(2024, 1, 1), 150),))
    db.session.commit()
    url = f"/patients/{patient.id}/trials/{trial.id}/edit"
    page = signed_in.get(url).text
    assert re.search(r'id="doses-0-mg_per_day"[^>]*value="150.0"', page)
    assert re.search(r'id="doses-0-amount_mg"[^>]*value=""', page)
    data = {"csrf_token": csrf(signed_in, url), "drug": "sertraline", "episode": "",
            "doses-0-start": "2024-01-01", "doses-0-mg_per_day": "150", "adherence": "good",
            "response": "none", "stop_reason": "", "version": str(trial.version)}
    assert signed_in.post(url, data=data).status_code == 302
    db.session.expire_all()
    step = db.session.get(Trial, trial.id).doses[0]
    assert (step.mg_per_day, step.amount_mg, step.times_per_day) == (150, None, None)


def test_a_daily_total_that_disagrees_with_the_dose_as_prescribed_is_refused(
        db, signed_in, clinician):
    """Review: an old step's mg/day beside a newly typed amount was silently overridden."""
    from tracker.models import Trial

    patient = make_patient(clinician)
    db.session.commit()
    response = _trial(signed_in, patient, **{"doses-0-mg_per_day": "50", "doses-0-amount_mg": "20",
                                             "doses-0-times_per_day": "2"})
    assert response.status_code == 200
    assert "50 mg/day does not match 20 mg x 2 a day = 40 mg/day: clear one of them." in \
        response.text
    assert db.session.query(Trial).count() == 0
    agreeing = _trial(signed_in, patient, **{"doses-0-mg_per_day": "40",
                                             "doses-0-amount_mg": "20",
                                             "doses-0-times_per_day": "2"})
    assert agreeing.status_code == 302
