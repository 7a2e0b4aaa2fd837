"""The audit trail: what is recorded, that it is append-only, and that tampering is found."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from tests.conftest import csrf, login, make_patient, make_trial, make_user
from tracker import audit
from tracker.models import AuditEvent, Role
from tracker.models.audit import DROP_APPEND_ONLY


def _events(db, **where):
    query = select(AuditEvent).order_by(AuditEvent.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEvent, key) == value)
    return db.session.scalars(query).all()


def test_sign_in_failures_chart_views_and_sign_out_are_recorded(db, client, clinician):
    patient = make_patient(clinician)
    db.session.commit()
    login(client, clinician.email, "not the password")
    login(client, clinician.email)
    client.get(f"/patients/{patient.id}")
    client.post("/logout", data={"csrf_token": csrf(client, "/patients/new")})
    actions = [(e.action, e.actor) for e in _events(db) if e.entity != "patient"
               or e.action == "view_chart"]
    assert actions[-4:] == [("sign_in_failed", "anonymous"), ("sign_in", clinician.email),
                            ("view_chart", clinician.email), ("sign_out", clinician.email)]
    failed = _events(db, action="sign_in_failed")[0]
    assert failed.details == {"email": clinician.email} and failed.remote_addr == "127.0.0.1"
    assert _events(db, action="view_chart")[0].patient_id == patient.id


def test_changes_carry_before_and_after_values(db, signed_in, clinician):
    patient = make_patient(clinician)
    trial = make_trial(patient)
    db.session.commit()
    url = f"/patients/{patient.id}/trials/{trial.id}/edit"
    signed_in.post(url, data={
        "csrf_token": csrf(signed_in, url), "drug": "sertraline", "episode": "",
        "doses-0-start": "2024-01-01", "doses-0-mg_per_day": "50", "stopped": "2024-03-01",
        "stop_reason": "inadequate_response", "adherence": "good", "response": "none",
        "notes": "", "version": str(trial.version)})
    update = _events(db, action="update", entity="trial")[-1]
    assert update.actor == clinician.email and update.patient_id == patient.id
    assert update.details["response"] == {"before": "unknown", "after": "none"}
    assert update.details["stopped"] == {"before": None, "after": "2024-03-01"}


def test_passwords_never_reach_the_trail(db):
    user = make_user()
    user.set_password("another long secret")
    db.session.commit()
    for event in _events(db, entity="user"):
        assert "pbkdf2" not in event.detail and "secret" not in event.detail


def test_entered_in_error_keeps_the_row_and_records_why(db, signed_in, clinician):
    patient = make_patient(clinician)
    trial = make_trial(patient)
    db.session.commit()
    url = f"/patients/{patient.id}/trials/{trial.id}/entered-in-error"
    assert signed_in.post(url, data={"csrf_token": csrf(signed_in, url),
                                     "reason": "wrong patient"}).status_code == 302
    db.session.expire_all()
    assert patient.trials == [] and patient.all_trials == [trial]
    assert trial.entered_in_error_reason == "wrong patient"
    assert trial.entered_in_error_by_id == clinician.id
    event = _events(db, action="entered_in_error")[-1]
    assert event.details["entered_in_error_reason"]["after"] == "wrong patient"
    assert "sertraline" not in signed_in.get(f"/patients/{patient.id}").text
    assert signed_in.post(url, data={"csrf_token": csrf(signed_in, f"/patients/{patient.id}"),
                                     "reason": "twice"}).status_code == 404


def test_entered_in_error_needs_a_reason(db, signed_in, clinician):
    patient = make_patient(clinician)
    trial = make_trial(patient)
    db.session.commit()
    url = f"/patients/{patient.id}/trials/{trial.id}/entered-in-error"
    response = signed_in.post(url, data={"csrf_token": csrf(signed_in, url), "reason": ""})
    assert response.status_code == 200 and "This field is required" in response.text
    db.session.expire_all()
    assert patient.trials == [trial]


def test_intact_chain_verifies(app, db, signed_in, clinician):
    make_trial(make_patient(clinician))
    db.session.commit()
    result = audit.verify(db.session)
    assert result.intact and result.events == len(_events(db)) > 3
    out = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert out.exit_code == 0 and f"{result.events} events" in out.output


def test_the_trail_is_append_only_in_the_database(db, clinician):
    make_patient(clinician)
    db.session.commit()
    for statement in ("UPDATE audit_events SET actor = 'someone else'",
                      "DELETE FROM audit_events"):
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()


def _tamper(db, statement: str, **params) -> None:
    """Change the trail as an intruder with database rights would: triggers off first."""
    for drop in DROP_APPEND_ONLY[db.engine.dialect.name]:
        db.session.execute(text(drop))
    db.session.execute(text(statement), params)
    db.session.commit()


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET detail = '{\"response\":\"forged\"}' WHERE id = :victim",
    "UPDATE audit_events SET actor = 'someone@else.org' WHERE id = :victim",
    "DELETE FROM audit_events WHERE id = :victim",
])
def test_tampering_is_found_and_named(app, db, clinician, statement):
    patient = make_patient(clinician)
    make_trial(patient)
    db.session.commit()
    for n in range(5):
        audit.record("view_chart", patient=patient, detail={"n": n})
    db.session.commit()
    ids = [e.id for e in _events(db)]
    victim = ids[len(ids) // 2]
    _tamper(db, statement, victim=victim)
    result = audit.verify(db.session)
    first_bad = victim if statement.startswith("UPDATE") else ids[ids.index(victim) + 1]
    assert not result.intact and result.broken_at == first_bad
    out = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert out.exit_code == 1 and f"BROKEN at event {first_bad}" in out.output


def test_admin_filters_and_downloads_the_trail(db, client, clinician):
    admin = make_user(Role.ADMIN)
    patient = make_patient(clinician, name="=HYPERLINK(\"http://x\")")
    db.session.commit()
    login(client, clinician.email)
    client.get(f"/patients/{patient.id}")
    client.post("/logout", data={"csrf_token": csrf(client, "/patients/new")})
    login(client, admin.email)
    page = client.get(f"/admin/audit?action=view_chart&patient={patient.id}")
    assert page.status_code == 200 and "1 event," in page.text and clinician.email in page.text
    assert "1 event," in client.get(f"/admin/audit?actor={clinician.email}&action=sign_in").text
    assert "0 events" in client.get("/admin/audit?since=2999-01-01").text
    client.post("/logout", data={"csrf_token": csrf(client, "/patients/new")})
    admin = make_user(Role.PRIVACY_OFFICER)  # clinical detail: privacy officers only
    db.session.commit()
    login(client, admin.email)
    download = client.get("/admin/audit.csv", buffered=True)
    assert download.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True))))
    assert [r["action"] for r in rows][:2] == ["create", "create"]
    created = next(r for r in rows if r["entity"] == "patient")
    assert json.loads(created["detail"])["name"].startswith("=HYPERLINK")  # JSON text, no formula
    assert all(not r["detail"].startswith(("=", "+", "-", "@")) for r in rows)
    assert _events(db, action="export")[-1].actor == admin.email
    filtered = client.get(f"/admin/audit.csv?patient={patient.id}&action=view_chart",
                          buffered=True)
    assert len(list(csv.DictReader(io.StringIO(filtered.get_data(as_text=True))))) == 1
    export = _events(db, action="export")[-1]
    assert export.entity == "audit_events"
    assert export.details == {"format": "csv", "patient": patient.id, "action": "view_chart",
                              "clinical_detail": True}
