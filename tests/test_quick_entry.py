"""Quick entry: a whole history on one page, saved all or nothing, problems beside their rows."""

from tests.conftest import csrf, make_patient
from tracker.models import Episode, Measurement, Patient, Treatment, Trial
from tracker.records.dose_text import DoseTextError, read_steps


def _post(client, url: str, rows: dict, **extra):
    data = {"csrf_token": csrf(client, url), **rows, **extra}
    return client.post(url, data=data)


WALK_THROUGH = {
    "patient-mrn": "W-1", "patient-name": "Wanda Walkthrough", "patient-birth_date": "1972-05-12",
    "patient-sex": "female",
    "episodes-0-onset": "2024-03-01", "episodes-0-severity": "severe",
    "episodes-1-onset": "2019-01-01", "episodes-1-remission": "2019-12-15",
    "episodes-1-severity": "moderate",
    "trials-0-drug": "sertraline",
    "trials-0-doses": "50 2024-03-10; 100 2024-04-01; 150 2024-05-01",
    "trials-0-stopped": "2024-06-20", "trials-0-stop_reason": "inadequate_response",
    "trials-0-adherence": "good", "trials-0-response": "none",
    "trials-1-drug": "Effexor XR",
    "trials-1-doses": "75 2024-06-21; 150 2024-07-05; 225 2024-08-01",
    "trials-1-stopped": "2024-10-15", "trials-1-response": "partial",
    "trials-2-drug": "aripiprazole", "trials-2-doses": "5 2024-09-01",
    "trials-2-stopped": "2024-10-15",
    "trials-3-drug": "bupropion SR", "trials-3-doses": "150 bid 2024-10-20",
    "trials-4-drug": "fluoxetine", "trials-4-doses": "20 2019-02-01",
    "trials-4-stopped": "2019-09-01", "trials-4-response": "remission",
    **{f"scores-{i}-{k}": v for i, (d, s) in enumerate([
        ("2024-03-05", "22"), ("2024-05-15", "19"), ("2024-06-18", "18"), ("2024-09-20", "16"),
        ("2024-12-01", "17")]) for k, v in (("taken_on", d), ("score", s),
                                             ("instrument", "PHQ-9"))},
    "treatments-0-kind": "psychotherapy", "treatments-0-modality": "CBT",
    "treatments-0-start": "2024-04-01", "treatments-0-end": "2024-08-01",
    "treatments-0-sessions": "16",
}


def test_a_whole_new_patient_is_saved_from_one_page(db, signed_in):
    response = _post(signed_in, "/patients/quick", WALK_THROUGH)
    assert response.status_code == 302, response.text
    patient = db.session.query(Patient).one()
    assert (len(patient.episodes), len(patient.trials), len(patient.measurements),
            len(patient.treatments)) == (2, 5, 5, 1)
    bupropion = next(t for t in patient.trials if t.drug == "bupropion")
    assert (bupropion.formulation, bupropion.doses[0].mg_per_day) == ("SR", 300)
    venlafaxine = next(t for t in patient.trials if t.drug == "venlafaxine")
    assert [s.mg_per_day for s in venlafaxine.doses] == [75, 150, 225]
    assert patient.treatments[0].modality.value == "CBT"
    chart = signed_in.get(response.headers["Location"]).text
    assert "History saved: 2 episodes, 5 trials, 5 scores, 1 other treatment." in chart


def test_one_bad_row_saves_nothing_and_every_problem_is_beside_its_row(db, signed_in):
    rows = dict(WALK_THROUGH, **{"trials-2-drug": "aripiprazol", "trials-3-doses": "150 bd",
                                 "scores-4-score": "30", "scores-3-answers": "3 3 2"})
    response = _post(signed_in, "/patients/quick", rows)
    assert response.status_code == 200
    text = response.text
    assert "aripiprazol is not in the dose table. Did you mean aripiprazole," in text
    assert "Step 1 (&#39;150 bd&#39;): write mg per dose" in text
    assert "PHQ-9 scores run from 0 to 27." in text
    assert "Give the 9 answers as digits 0-3" in text
    assert "50 2024-03-10; 100 2024-04-01; 150 2024-05-01" in text  # nothing typed is lost
    assert db.session.query(Patient).count() == 0
    assert db.session.query(Trial).count() == db.session.query(Episode).count() == 0


def test_an_existing_history_is_completed_and_duplicates_need_a_tick(db, signed_in, clinician):
    patient = make_patient(clinician)
    db.session.commit()
    url = f"/patients/{patient.id}/quick"
    scores = {"scores-0-taken_on": "2024-03-05", "scores-0-score": "",
              "scores-0-answers": "3 3 2 2 2 3 2 2 1"}
    assert _post(signed_in, url, scores).status_code == 302
    measurement = db.session.query(Measurement).one()
    assert (measurement.score, measurement.items) == (20, "332223221")
    again = _post(signed_in, url, {"scores-0-taken_on": "2024-03-05", "scores-0-score": "19"})
    assert "A PHQ-9 of 20 is already recorded on 2024-03-05" in again.text
    assert db.session.query(Measurement).count() == 1
    assert _post(signed_in, url, {"scores-0-taken_on": "2024-03-05", "scores-0-score": "19",
                                  "scores-0-confirm": "y"}).status_code == 302
    assert db.session.query(Measurement).count() == 2


def test_an_ect_course_and_a_dose_above_the_maximum(db, signed_in, clinician):
    patient = make_patient(clinician)
    db.session.commit()
    url = f"/patients/{patient.id}/quick"
    rows = {"treatments-0-kind": "ECT", "treatments-0-laterality": "bilateral",
            "treatments-0-start": "2024-05-01", "trials-0-drug": "sertraline",
            "trials-0-doses": "150 bid 2024-03-10"}
    response = _post(signed_in, url, rows)
    assert "300 mg/day is above the label maximum of 200 mg/day" in response.text
    assert db.session.query(Treatment).count() == 0
    assert _post(signed_in, url, rows, **{"trials-0-confirm": "y"}).status_code == 302
    assert db.session.query(Trial).one().above_max_confirmed
    assert db.session.query(Treatment).one().laterality.value == "bilateral"


def test_without_javascript_a_row_is_added_by_the_server(db, signed_in, clinician):
    patient = make_patient(clinician)
    db.session.commit()
    response = _post(signed_in, f"/patients/{patient.id}/quick",
                     {"trials-0-drug": "typed"}, add_row="trials")
    assert 'name="trials-5-drug"' in response.text and 'value="typed"' in response.text


def test_typed_dose_steps_are_read_strictly():
    steps = read_steps("75 mg twice daily from 2024-06-21; 150 bid 2024-07-05, 20 at night "
                       "2024-08-01")
    assert [(s.amount_mg, s.times_per_day, s.mg_per_day) for s in steps] == [
        (75, 2, 150), (150, 2, 300), (20, 1, 20)]
    for bad in ("", "50", "50 weekly 2024-01-01", "50 2024-02-30",
                "50 2024-02-01; 60 2024-01-01", "0 2024-01-01"):
        try:
            read_steps(bad)
        except DoseTextError:
            continue
        raise AssertionError(bad)


def test_item_9_above_0_alerts_on_the_chart_and_marks_the_panel(db, signed_in, clinician):
    from datetime import date

    from tracker.models import Episode
    from tracker.rules.vocab import Instrument, Severity

    patient = make_patient(clinician)
    calm = make_patient(clinician)
    patient.episodes.append(Episode(key="e1", onset=date(2024, 1, 1), severity=Severity.SEVERE))
    # Item 9 above 0 before the current episode, and item 9 at 0: no alert, no mark.
    patient.measurements.append(Measurement(taken_on=date(2023, 6, 1), score=3,
                                            instrument=Instrument.PHQ9, items="000000003"))
    calm.measurements.append(Measurement(taken_on=date(2024, 2, 1), score=3,
                                         instrument=Instrument.PHQ9, items="000000120"))
    db.session.commit()
    chart = signed_in.get(f"/patients/{patient.id}").text
    assert "data-safety-alert" not in chart
    assert "data-safety-alert" not in signed_in.get("/patients/").text
    url = f"/patients/{patient.id}/quick"
    assert _post(signed_in, url, {"scores-0-taken_on": "2024-02-01",
                                  "scores-0-answers": "1 1 1 1 1 1 1 1 2"}).status_code == 302
    chart = signed_in.get(f"/patients/{patient.id}").text
    assert ("PHQ-9 on 2024-02-01: item 9 (thoughts of being better off dead or of self-harm) "
            "answered 2 of 3; assess suicide risk") in chart
    panel = signed_in.get("/patients/").text
    marked = [row for row in panel.split("<tr") if "data-safety-alert" in row]
    assert len(marked) == 1 and patient.name in marked[0]


def test_the_saved_message_counts_in_words():
    from tracker.records.quick import saved_words

    assert saved_words({"episodes": 1, "trials": 2, "scores": 0, "treatments": 3}) == \
        "History saved: 1 episode, 2 trials, 3 other treatments."
    assert saved_words({"episodes": 0, "trials": 0, "scores": 0, "treatments": 0}) == \
        "Saved; no history rows were filled in."


def test_quick_entry_refuses_a_birth_date_in_the_future(db, signed_in):
    page = _post(signed_in, "/patients/quick", {**WALK_THROUGH,
                                                 "patient-birth_date": "2999-05-12"})
    assert "A birth date cannot be in the future." in page.text
    assert db.session.query(Patient).count() == 0
