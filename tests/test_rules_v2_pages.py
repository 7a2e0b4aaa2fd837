"""What the pages and the text output show of the version 2 rules: remission, courses,
combination steps, the forecast, warnings and staging notes."""

from datetime import date, timedelta

from tests.conftest import make_patient, make_trial
from tracker.assessments import store_assessment
from tracker.models import Episode
from tracker.rules.vocab import Response, Severity, StopReason

TODAY = date.today()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def failed(patient, drug, start, mg, stopped, **kw):
    return make_trial(patient, drug, ((start, mg),), stopped=stopped,
                      stop_reason=StopReason.INADEQUATE_RESPONSE, response=Response.NONE, **kw)


def test_a_remitted_episode_is_shown_on_the_chart_and_the_panel(db, signed_in, clinician):
    patient = make_patient(clinician)
    patient.episodes.append(Episode(key="e1", onset=ago(400), remission=ago(10),
                                    severity=Severity.MODERATE))
    failed(patient, "sertraline", ago(380), 50, ago(300))
    failed(patient, "venlafaxine", ago(290), 150, ago(200))
    store_assessment(patient)
    db.session.commit()
    chart = signed_in.get(f"/patients/{patient.id}").text
    assert f"in remission since {ago(10).isoformat()}" in chart
    assert "TRD met" in chart or "criteria met" in chart.lower()
    panel = signed_in.get("/patients/").text
    assert f"in remission since {ago(10).isoformat()}" in panel


def test_the_chart_shows_the_forecast_for_an_ongoing_course(db, signed_in, clinician):
    patient = make_patient(clinician)
    failed(patient, "sertraline", ago(200), 50, ago(100))
    make_trial(patient, "venlafaxine", ((ago(30), 150),))
    store_assessment(patient)
    db.session.commit()
    chart = signed_in.get(f"/patients/{patient.id}").text
    on = (TODAY + timedelta(days=12)).isoformat()
    assert (f"Forecast: venlafaxine becomes adequate on {on} if continued; TRD would be met then "
            "if it fails") in chart
    assert f"Still needed: venlafaxine: 12 more days at &gt;= 150 mg/day (adequate on {on} if " \
           "continued)" in chart


def test_joined_records_and_combination_steps_are_explained(db, signed_in, clinician):
    patient = make_patient(clinician)
    make_trial(patient, "Effexor", ((ago(300), 150),), stopped=ago(279))
    failed(patient, "Effexor XR", ago(279), 150, ago(200))
    failed(patient, "mirtazapine", ago(295), 30, ago(200))
    store_assessment(patient)
    db.session.commit()
    chart = signed_in.get(f"/patients/{patient.id}").text
    assert f"same course as venlafaxine from {ago(300).isoformat()}" in chart
    assert "one venlafaxine course of 2 records joined" in chart
    assert "were started within 14 days of each other" in chart
    assert patient.assessment.status == "not_met"


def test_a_dose_above_the_label_maximum_is_a_warning_on_the_chart(db, signed_in, clinician):
    patient = make_patient(clinician)
    failed(patient, "sertraline", ago(200), 300, ago(100))
    store_assessment(patient)
    db.session.commit()
    chart = signed_in.get(f"/patients/{patient.id}").text
    assert (f"Check: sertraline: 300 mg/day from {ago(200).isoformat()} is above the label "
            "maximum of 200 mg/day; check the dose") in chart


def test_text_output_says_remission_forecast_and_warnings(app, tmp_path):
    import json
    from pathlib import Path

    doc = json.loads((Path(__file__).parent / "data" / "example-history.json").read_text())
    doc["episodes"][1]["remission"] = "2024-05-30"
    doc["trials"][1]["doses"][1]["mg_per_day"] = 250
    path = tmp_path / "h.json"
    path.write_text(json.dumps(doc))
    out = app.test_cli_runner().invoke(args=["trd", "assess", str(path), "--as-of",
                                             "2024-05-20"]).output
    assert "Current episode: e2\n" in out
    assert "Forecast: " not in out  # escitalopram is adequate; its outcome is missing
    assert "Warning: sertraline: 250 mg/day from 2024-02-05 is above the label maximum" in out
    later = app.test_cli_runner().invoke(args=["trd", "assess", str(path), "--as-of",
                                               "2024-06-01"]).output
    assert "Current episode: e2, in remission since 2024-05-30" in later


def test_the_pdf_summary_says_remission_forecast_and_warnings(db, signed_in, clinician):
    import io
    import re

    from pypdf import PdfReader

    patient = make_patient(clinician)
    patient.episodes.append(Episode(key="e1", onset=ago(400), remission=ago(5),
                                    severity=Severity.SEVERE))
    failed(patient, "sertraline", ago(380), 250, ago(300))
    make_trial(patient, "venlafaxine", ((ago(30), 150),))
    store_assessment(patient)
    db.session.commit()
    body = signed_in.get(f"/patients/{patient.id}/report.pdf").get_data()
    pages = PdfReader(io.BytesIO(body)).pages
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))
    assert f"in remission since {ago(5).isoformat()}" in text
    assert "Forecast: venlafaxine becomes adequate on" in text
    assert "is above the label maximum of 200 mg/day" in text


def test_the_dose_as_prescribed_reaches_the_pdf_the_csv_and_fhir(db, signed_in, clinician):
    import io
    import re

    from pypdf import PdfReader

    patient = make_patient(clinician)
    trial = make_trial(patient, "venlafaxine", ((ago(60), 150),))
    trial.doses[0].amount_mg, trial.doses[0].times_per_day = 75, 2
    store_assessment(patient)
    db.session.commit()
    words = "150 mg/day (75 mg twice daily)"
    body = signed_in.get(f"/patients/{patient.id}/report.pdf").get_data()
    pages = PdfReader(io.BytesIO(body)).pages
    assert words in re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pages))
    assert words in signed_in.get(f"/patients/{patient.id}/trials.csv").get_data(as_text=True)
    assert words in signed_in.get(f"/patients/{patient.id}/fhir.json").get_data(as_text=True)
