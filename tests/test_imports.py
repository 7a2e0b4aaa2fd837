"""The web import through the test client: upload, preview, accept or cancel, and what it stores."""

from __future__ import annotations

import io
import json
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf, login, make_patient, make_trial, make_user
from tests.fhir_bundles import DATA, US_CORE, bundle, statement
from tracker.interchange.history import parse
from tracker.interchange.history_dump import dump
from tracker.interchange.transfer import export_document, import_document
from tracker.models import (
    AuditEvent,
    DoseStep,
    Episode,
    Measurement,
    Patient,
    PendingImport,
    Treatment,
    Trial,
)

EXAMPLE = DATA / "example-history.json"
TABLES = (Patient, Episode, Trial, DoseStep, Measurement, Treatment)


def _upload(client, content: bytes, name: str = "upload.json"):
    return client.post("/import", data={"csrf_token": csrf(client, "/import"),
                                        "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def _decide(client, preview_url: str, button: str):
    page = client.get(preview_url).text
    fields = dict(re.findall(r'name="(token|plan)"[^>]*value="([^"]+)"', page))
    data = {"csrf_token": csrf(client, preview_url), **fields, button: "1"}
    return client.post(preview_url, data=data)


def _import(client, content: bytes, name: str = "upload.json"):
    """Upload, open the preview, accept; return (preview page, response to Accept)."""
    uploaded = _upload(client, content, name)
    assert uploaded.status_code == 302, uploaded.text
    preview = client.get(uploaded.location)
    assert preview.status_code == 200
    return preview.text, _decide(client, uploaded.location, "accept")


def _counts(db) -> dict[str, int]:
    counts = {t.__tablename__: db.session.scalar(select(func.count()).select_from(t))
              for t in TABLES}
    counts["in_error"] = sum(db.session.scalar(select(func.count()).select_from(t).where(
        t.entered_in_error_at.is_not(None))) for t in (Episode, Trial, Measurement, Treatment))
    return counts


def _patient(db, mrn: str) -> Patient:
    return db.session.scalars(select(Patient).where(Patient.mrn == mrn)).one()


def test_us_core_bundle_upload_previews_then_accept_stores_it(db, signed_in, clinician):
    preview, accepted = _import(signed_in, US_CORE.read_bytes(), "ehr.json")
    for shown in ("Maria Elena Rivera", "New patient", "50 mg/day from 2024-01-10",
                  "100 mg/day from 2024-02-09", "150 mg/day from 2024-04-13",
                  "atorvastatin 20 MG Oral Tablet", "Encounter: 1", "Individual psychotherapy"):
        assert shown in preview
    assert accepted.status_code == 302
    patient = _patient(db, "USC-2001")
    assert accepted.location.endswith(f"/patients/{patient.id}")
    assert patient.clinicians == [clinician]
    assert [(t.drug, [(s.start.isoformat(), s.mg_per_day) for s in t.doses]) for t in
            patient.trials] == [
        ("sertraline", [("2024-01-10", 50), ("2024-02-09", 100)]),
        ("sertraline", [("2024-04-13", 150)]), ("bupropion", [("2024-06-20", 300)])]
    assert [m.score for m in patient.measurements] == [22, 19, 18]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "import")).one()
    assert event.details["format"] == "fhir" and event.details["trials"] == {"new": 3,
                                                                              "matched": 0}
    chart = signed_in.get(accepted.location).text
    assert "Maria Elena Rivera" in chart and "bupropion" in chart
    assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 0


def test_uploading_the_same_file_twice_changes_nothing(db, signed_in):
    _import(signed_in, US_CORE.read_bytes())
    before = _counts(db)
    preview, accepted = _import(signed_in, US_CORE.read_bytes())
    assert "already recorded: accepting changes nothing" in preview
    assert "New</span>" not in preview
    assert accepted.status_code == 302
    assert _counts(db) == before and before["in_error"] == 0
    events = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert events[-1] == "import"  # the import itself, and no row changed after the first
    assert events.count("import") == 2
    first_import = events.index("import")
    assert [a for a in events[first_import + 1:] if a not in ("view_chart", "import")] == []


def test_history_file_upload_and_reupload(db, signed_in):
    preview, _ = _import(signed_in, EXAMPLE.read_bytes(), "history.json")
    assert "treatment-history file" in preview and "Jane Example" in preview
    patient = _patient(db, "A-1001")
    want = dump(parse(json.loads(EXAMPLE.read_text())))
    assert dump(export_document(patient)) == want
    before = _counts(db)
    _import(signed_in, EXAMPLE.read_bytes(), "history.json")
    assert _counts(db) == before


def test_the_apps_own_fhir_export_imports_as_the_same_history(db, signed_in, clinician):
    original = import_document(parse(json.loads(EXAMPLE.read_text())), clinician)
    db.session.commit()
    exported = signed_in.get(f"/patients/{original.id}/fhir.json")
    assert exported.status_code == 200
    before = _counts(db)
    _import(signed_in, exported.data, "fhir.json")  # into the same patient: nothing new
    assert _counts(db) == before
    original.mrn = "A-1001-OLD"
    db.session.commit()
    _, accepted = _import(signed_in, exported.data, "fhir.json")  # now a new patient
    copy = _patient(db, "A-1001")
    assert accepted.location.endswith(f"/patients/{copy.id}")
    want, got = dump(export_document(original)), dump(export_document(copy))
    for trial in want["trials"]:
        trial["notes"] = ""  # free-text notes are not carried by the FHIR export
    want["patient"]["mrn"] = "A-1001"
    assert got == want


def test_only_what_is_new_is_added_to_an_existing_patient(db, signed_in, clinician):
    patient = make_patient(clinician, mrn="B-1")
    make_trial(patient, "sertraline", doses=((parse_day("2024-01-01"), 50),),
               stopped=parse_day("2024-03-01"))
    db.session.commit()
    raw = bundle(statement("sertraline 50 MG", "2024-01-01", "2024-02-29"),
                 statement("fluoxetine 20 MG", "2024-03-05", "2024-05-31"))
    preview, _ = _import(signed_in, json.dumps(raw).encode())
    assert preview.count("Already recorded</span>") == 1 and preview.count("New</span>") == 1
    db.session.refresh(patient)
    assert [t.drug for t in patient.trials] == ["sertraline", "fluoxetine"]
    assert patient.name.startswith("Test Patient")  # the file's name is not written over


def parse_day(text: str):
    from datetime import date

    return date.fromisoformat(text)


def test_a_file_with_problems_shows_them_by_path_and_stores_nothing(db, signed_in):
    bad = json.loads(EXAMPLE.read_text())
    bad["trials"][1]["doses"][0]["mg_per_day"] = -5
    bad["measurements"][0]["score"] = 99
    response = _upload(signed_in, json.dumps(bad).encode())
    assert response.status_code == 200 and "nothing was imported" in response.text
    assert "trials[1].doses[0].mg_per_day: must be &gt; 0" in response.text
    assert "measurements[0].score: must be between 0 and 27" in response.text
    assert 'aria-invalid="true"' in response.text
    tablet = bundle(statement("sertraline", "2024-01-01", dose={
        "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}]}))
    response = _upload(signed_in, json.dumps(tablet).encode())
    assert "entry[1].resource.dosage[0].doseAndRate[0].doseQuantity.unit: mg expected" in \
        response.text
    assert "not a UTF-8 text file" in _upload(signed_in, b"\xff\xfe not json").text
    assert "not a JSON document" in _upload(signed_in, b"{nope").text
    assert all(n == 0 for n in _counts(db).values())
    assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 0


def test_an_upload_over_2_mib_is_refused_beside_the_field(db, signed_in):
    # The multipart body is built here in memory (the test client would spool it to a file).
    token = csrf(signed_in, "/import")
    body = (f'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            '--b\r\nContent-Disposition: form-data; name="file"; filename="big.json"\r\n'
            'Content-Type: application/json\r\n\r\n').encode() + b" " * (2 * 1024 * 1024 + 1) \
        + b"\r\n--b--\r\n"
    response = signed_in.post("/import", data=body,
                              content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    assert "larger than 2 MiB" in response.text and 'type="file"' in response.text
    assert "Choose a file to import." in signed_in.post("/import", data={
        "csrf_token": csrf(signed_in, "/import")}).text


def test_cancel_stores_nothing_and_forgets_the_upload(db, signed_in):
    uploaded = _upload(signed_in, US_CORE.read_bytes())
    cancelled = _decide(signed_in, uploaded.location, "cancel")
    assert cancelled.status_code == 302
    assert all(n == 0 for n in _counts(db).values())
    assert db.session.scalar(select(func.count()).select_from(PendingImport)) == 0
    assert signed_in.get(uploaded.location).status_code == 404


def test_an_mrn_on_another_care_team_is_not_revealed_or_touched(db, app, signed_in):
    other = make_user()
    hidden = make_patient(other, mrn="USC-2001", name="Hidden Person")
    db.session.commit()
    before = _counts(db)
    response = _upload(signed_in, US_CORE.read_bytes())
    assert "cannot be imported into your panel" in response.text
    assert "Hidden Person" not in response.text
    assert f"/patients/{hidden.id}" not in response.text
    assert _counts(db) == before


def test_a_preview_answers_only_its_own_session_and_clinician(db, app, signed_in):
    uploaded = _upload(signed_in, US_CORE.read_bytes())
    other_client = app.test_client()
    login(other_client, make_user().email)
    db.session.commit()
    assert other_client.get(uploaded.location).status_code == 404
    assert signed_in.get("/import/not-a-real-token").status_code == 404
    forged = signed_in.post(uploaded.location, data={"accept": "1"})
    assert forged.status_code == 400  # no CSRF token
    assert _counts(db)["patients"] == 0


@pytest.mark.parametrize("path", ["/import"])
def test_import_needs_sign_in(client, path):
    assert client.get(path).status_code == 302


def test_accepting_after_the_chart_changed_shows_the_preview_again(db, signed_in, clinician):
    uploaded = _upload(signed_in, US_CORE.read_bytes())
    page = signed_in.get(uploaded.location).text
    fields = dict(re.findall(r'name="(token|plan)"[^>]*value="([^"]+)"', page))
    make_patient(clinician, mrn="USC-2001", name="Added Meanwhile")  # since the preview
    db.session.commit()
    stale = signed_in.post(uploaded.location, data={
        "csrf_token": csrf(signed_in, uploaded.location), "accept": "1", **fields})
    assert stale.status_code == 302 and stale.location.endswith(uploaded.location)
    assert _counts(db)["trials"] == 0
    again = signed_in.get(uploaded.location).text
    assert "The chart changed since this preview" in again and "On your panel" in again
    assert _decide(signed_in, uploaded.location, "accept").status_code == 302
    assert _counts(db)["trials"] == 3


def test_a_new_episode_whose_key_the_chart_uses_gets_a_free_key(db, signed_in, clinician):
    patient = make_patient(clinician, mrn="A-1001")
    patient.episodes.append(Episode(key="e1", onset=parse_day("2010-01-01"),
                                    severity="mild"))
    db.session.commit()
    preview, _ = _import(signed_in, EXAMPLE.read_bytes())
    assert 'e2 <span class="muted">(e1 in the file)</span>' in preview
    assert 'e3 <span class="muted">(e2 in the file)</span>' in preview
    db.session.refresh(patient)
    keys = {e.onset.isoformat(): e.key for e in patient.episodes}
    assert keys == {"2010-01-01": "e1", "2021-02-01": "e2", "2024-01-10": "e3"}
    by_drug = {t.drug: t.episode.key for t in patient.trials}
    assert by_drug["fluoxetine"] == "e2" and by_drug["sertraline"] == "e3"
