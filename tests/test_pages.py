"""The clinician's pages through the test client: panel, chart, logging, errors, access."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from tests.conftest import csrf, make_patient, make_trial, make_user
from tracker.assessments import store_assessment
from tracker.models import Trial, User


class StatementCounter:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.count += 1


def _panel_statements(app, db, client, clinician_id: int, n: int) -> int:
    clinician = db.session.get(User, clinician_id)  # the session was removed after a count
    for _ in range(n):
        patient = make_patient(clinician)
        make_trial(patient, doses=((date(2024, 1, 1), 50),), stopped=date(2024, 3, 1))
        store_assessment(patient)
    db.session.commit()
    client.get("/patients/")  # warm-up: nothing is stale now, but be sure
    db.session.remove()
    with StatementCounter(db.engine) as counter:
        assert client.get("/patients/?sort=failed&dir=desc").status_code == 200
    return counter.count


def test_panel_statement_count_does_not_grow_with_the_panel(app, db, signed_in, clinician):
    clinician_id = clinician.id
    ten = _panel_statements(app, db, signed_in, clinician_id, 10)
    two_hundred = _panel_statements(app, db, signed_in, clinician_id, 190)
    assert ten == two_hundred
    # SQLite's BEGIN IMMEDIATE, the user, their session, the staleness check, the enabled
    # coverage policies, the page itself, the audit head and the view event
    assert ten <= 8


def _chart_statements(db, client, clinician_id: int, trials: int) -> int:
    clinician = db.session.get(User, clinician_id)  # the session is removed after a count
    patient = make_patient(clinician)
    for i in range(trials):
        start = date(2020, 1, 1) + timedelta(days=70 * i)
        make_trial(patient, "sertraline" if i % 2 else "venlafaxine",
                   ((start, 50), (start + timedelta(days=14), 150)),
                   stopped=start + timedelta(days=60))
    store_assessment(patient)
    db.session.commit()
    patient_id = patient.id
    db.session.remove()
    with StatementCounter(db.engine) as counter:
        assert client.get(f"/patients/{patient_id}").status_code == 200
    return counter.count


def test_chart_statement_count_does_not_grow_with_the_trials(db, signed_in, clinician):
    clinician_id = clinician.id
    assert _chart_statements(db, signed_in, clinician_id, 2) == \
        _chart_statements(db, signed_in, clinician_id, 15)


def test_panel_lists_only_my_patients_with_flag_search_and_pages(app, db, signed_in, clinician):
    other = make_user()
    make_patient(other, name="Not Mine")
    for i in range(30):
        make_patient(clinician, name=f"Mine {i:02d}", mrn=f"M-{i:02d}")
    db.session.commit()
    page = signed_in.get("/patients/").text
    assert "Not Mine" not in page and "Mine 00" in page and "Page 1 of 2" in page
    assert 'href="/patients/?page=2&amp;sort=name" rel="next"' in page
    second = signed_in.get("/patients/?page=2&sort=name&dir=desc&flag=not_met").text
    assert 'href="/patients/?page=1&amp;flag=not_met&amp;sort=name&amp;dir=desc" rel="prev"' \
        in second and "Mine 00" in second
    assert "Mine 29" in signed_in.get("/patients/?page=2").text
    found = signed_in.get("/patients/?q=m-07").text
    assert "Mine 07" in found and "Mine 08" not in found
    assert "No patients match" in signed_in.get("/patients/?flag=met").text


def test_chart_of_a_foreign_patient_is_404(db, signed_in):
    patient = make_patient(make_user())
    db.session.commit()
    assert signed_in.get(f"/patients/{patient.id}").status_code == 404
    assert signed_in.get(f"/patients/{patient.id}/trials/new").status_code == 404


def test_new_patient_then_trials_turn_the_flag_on(db, signed_in):
    token = csrf(signed_in, "/patients/new")
    response = signed_in.post("/patients/new", data={
        "csrf_token": token, "mrn": "N-1", "name": "New Person", "birth_date": "1980-02-02",
        "sex": "male"})
    assert response.status_code == 302
    chart = response.headers["Location"]
    fresh = signed_in.get(chart).text
    assert "No trials yet" in fresh and "badge-not" not in fresh  # neutral, not a green "Not met"
    for drug, start in (("Zoloft", "2024-01-01"), ("venlafaxine", "2024-04-01")):
        url = f"{chart}/trials/new"
        mg = "100" if drug == "Zoloft" else "150"
        stop = "2024-03-01" if drug == "Zoloft" else "2024-06-01"
        r = signed_in.post(url, data={
            "csrf_token": csrf(signed_in, url), "drug": drug, "episode": "",
            "doses-0-start": start, "doses-0-mg_per_day": mg, "stopped": stop,
            "stop_reason": "inadequate_response", "adherence": "good", "response": "none",
            "notes": "", "submit": "Save trial"})
        assert r.status_code == 302, r.text
    page = signed_in.get(chart).text
    assert "TRD met" in page and "sertraline, venlafaxine" in page
    assert page.count('class="trial-bar"') == 2
    panel = signed_in.get("/patients/").text
    assert "TRD met" in panel


def _trial_form(signed_in, url, **overrides):
    data = {"csrf_token": csrf(signed_in, url), "drug": "sertraline", "episode": "",
            "doses-0-start": "2024-01-01", "doses-0-mg_per_day": "50", "stopped": "",
            "stop_reason": "", "adherence": "good", "response": "none", "notes": "typed note",
            "submit": "Save trial"}
    data.update(overrides)
    return signed_in.post(url, data=data)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"doses-0-mg_per_day": "-5"}, "Give a dose above 0"),
    ({"doses-0-mg_per_day": "abc"}, "Not a valid float value"),
    ({"drug": "Zolfot"}, "Zolfot is not in the dose table. Did you mean Zoloft?"),
    ({"stopped": "2023-12-01"}, "The stop date must be after the last dose step."),
    ({"stop_reason": "cost"}, "Give the stop date too"),
    ({"doses-0-start": (date.today() + timedelta(days=30)).isoformat()},
     "This date is in the future."),
    ({"doses-0-start": "", "doses-0-mg_per_day": ""}, "A trial needs at least one dose step."),
])
def test_invalid_trial_shows_the_error_and_keeps_what_was_typed(db, signed_in, clinician,
                                                                 overrides, message):
    patient = make_patient(clinician)
    db.session.commit()
    response = _trial_form(signed_in, f"/patients/{patient.id}/trials/new", **overrides)
    assert response.status_code == 200
    assert message in response.text
    assert "typed note" in response.text
    assert db.session.query(Trial).count() == 0


def test_add_step_button_adds_a_row_without_javascript(db, signed_in, clinician):
    patient = make_patient(clinician)
    db.session.commit()
    response = _trial_form(signed_in, f"/patients/{patient.id}/trials/new", submit="",
                           add_step="Add a dose step")
    assert 'name="doses-1-start"' in response.text
    assert 'value="2024-01-01"' in response.text


def test_edit_trial_replaces_steps_and_removes_ticked_ones(db, signed_in, clinician):
    patient = make_patient(clinician)
    trial = make_trial(patient, doses=((date(2024, 1, 1), 50), (date(2024, 2, 1), 100)))
    db.session.commit()
    url = f"/patients/{patient.id}/trials/{trial.id}/edit"
    assert 'value="100.0"' in signed_in.get(url).text
    response = _trial_form(signed_in, url, **{
        "version": str(trial.version), "doses-1-start": "2024-02-01",
        "doses-1-mg_per_day": "100", "doses-1-remove": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert [s.mg_per_day for s in db.session.get(Trial, trial.id).doses] == [50]


def test_stale_edit_is_refused_as_a_conflict(db, signed_in, clinician):
    patient = make_patient(clinician)
    trial = make_trial(patient)
    db.session.commit()
    url = f"/patients/{patient.id}/trials/{trial.id}/edit"
    response = _trial_form(signed_in, url, version="0", notes="second editor")
    assert response.status_code == 409
    assert "Someone else changed this trial" in response.text
    db.session.expire_all()
    assert db.session.get(Trial, trial.id).notes == ""


@pytest.mark.parametrize(("url", "data", "saved", "error"), [
    ("measurements/new", {"taken_on": "2024-01-01", "instrument": "PHQ-9", "score": "21"},
     "Score added.", None),
    ("measurements/new", {"taken_on": "2024-01-01", "instrument": "PHQ-9", "score": "30"},
     None, "PHQ-9 scores run from 0 to 27."),
    ("episodes/new", {"onset": "2024-01-01", "remission": "", "severity": "severe"},
     "Episode added.", None),
    ("episodes/new", {"onset": "2024-01-01", "remission": "2023-01-01", "severity": "mild"},
     None, "Remission cannot be before the onset."),
    ("treatments/new", {"kind": "ECT", "detail": "bilateral", "start": "2024-01-01",
                        "end": "2024-02-01", "sessions": "12"}, "Treatment added.", None),
    ("treatments/new", {"kind": "rTMS", "detail": "", "start": "2024-01-01",
                        "end": "2023-02-01", "sessions": ""}, None, "The end cannot be"),
])
def test_other_records(db, signed_in, clinician, url, data, saved, error):
    patient = make_patient(clinician)
    db.session.commit()
    full = f"/patients/{patient.id}/{url}"
    response = signed_in.post(full, data={"csrf_token": csrf(signed_in, full), **data},
                              follow_redirects=True)
    assert (saved or error) in response.text


def test_edit_episode_records_remission_and_updates_the_verdict(db, signed_in, clinician):
    from tracker.models import Episode
    from tracker.rules.vocab import Severity

    patient = make_patient(clinician)
    patient.episodes.append(Episode(key="e1", onset=date(2024, 1, 1), severity=Severity.MILD))
    db.session.commit()
    episode_id = patient.episodes[0].id
    url = f"/patients/{patient.id}/episodes/{episode_id}/edit"
    assert "Edit episode e1" in signed_in.get(url).text
    response = signed_in.post(url, data={"csrf_token": csrf(signed_in, url),
                                         "onset": "2024-01-01", "remission": "2024-06-01",
                                         "severity": "severe", "psychotic": "y"},
                              follow_redirects=True)
    assert "Episode e1 saved." in response.text
    db.session.expire_all()
    episode = db.session.get(Episode, episode_id)
    assert episode.remission == date(2024, 6, 1) and episode.psychotic
    assert signed_in.get(f"/patients/{patient.id}/episodes/999/edit").status_code == 404


def test_edit_patient_refuses_a_taken_mrn(db, signed_in, clinician):
    patient = make_patient(clinician)
    make_patient(mrn="TAKEN")
    db.session.commit()
    url = f"/patients/{patient.id}/edit"
    response = signed_in.post(url, data={"csrf_token": csrf(signed_in, url), "mrn": "TAKEN",
                                         "name": "X", "birth_date": "1980-01-01",
                                         "sex": "female"})
    assert "This MRN cannot be used" in response.text


def test_profile_selector_changes_the_verdict(db, signed_in, clinician):
    patient = make_patient(clinician)
    make_trial(patient, "sertraline", ((date(2024, 1, 1), 50),), stopped=date(2024, 3, 1),
               response="none")
    make_trial(patient, "escitalopram", ((date(2024, 3, 2), 10),), stopped=date(2024, 5, 1),
               response="none")
    db.session.commit()
    assert "TRD met" in signed_in.get(f"/patients/{patient.id}").text
    strict = signed_in.get(f"/patients/{patient.id}?profile=payer-strict").text
    assert "Not met" in strict and "class other than SSRI" in strict
    assert "TRD met" in signed_in.get(f"/patients/{patient.id}?profile=bogus").text


def test_text_is_escaped_everywhere(db, signed_in, clinician):
    patient = make_patient(clinician, name="<script>alert(1)</script>")
    make_trial(patient, notes="<b>x</b>")
    db.session.commit()
    for url in ("/patients/", f"/patients/{patient.id}"):
        page = signed_in.get(url).text
        assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("typed, refused", [
    ({"sex": ""}, "Choose the sex"),  # no silent default for an unchosen sex
    ({"birth_date": "2999-01-01"}, "A birth date cannot be in the future."),
])
def test_a_new_patient_form_refuses_beside_the_field_and_saves_nothing(db, signed_in, typed,
                                                                       refused):
    from tracker.models import Patient

    data = {"csrf_token": csrf(signed_in, "/patients/new"), "mrn": "NEW-1", "name": "Not Saved",
            "birth_date": "1980-01-01", "sex": "female", **typed}
    response = signed_in.post("/patients/new", data=data)
    assert refused in response.text
    assert db.session.query(Patient).count() == 0
