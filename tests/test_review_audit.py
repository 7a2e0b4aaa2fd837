"""Issue 14, audit findings: who reads clinical detail in the trail (1), the keyed chain and its
anchors (4), dose steps deleted on a trial edit (5), views of pages with patient data (10)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import select, text

from tests.conftest import csrf, login, make_patient, make_trial, make_user
from tests.routes import world
from tracker import audit
from tracker.models import AuditEvent, Role, Trial
from tracker.models.audit import APPEND_ONLY, DROP_APPEND_ONLY, GENESIS, plain_event_hash


def _events(db, **where):
    query = select(AuditEvent).order_by(AuditEvent.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEvent, key) == value)
    return db.session.scalars(query).all()


# Finding 1 ----------------------------------------------------------------------------------

def _patient_with_a_secret(db, clinician):
    patient = make_patient(clinician, name="Secret Name", birth_date=date(1961, 2, 3))
    make_trial(patient, "sertraline")
    db.session.commit()
    return patient


def test_an_admin_reads_the_trail_without_clinical_detail_and_the_read_is_audited(db, client,
                                                                                   clinician):
    patient = _patient_with_a_secret(db, clinician)
    admin = make_user(Role.ADMIN)
    db.session.commit()
    login(client, admin.email)
    page = client.get(f"/admin/audit?patient={patient.id}").text
    download = client.get(f"/admin/audit.csv?patient={patient.id}").get_data(as_text=True)
    for shown in (page, download):
        assert "Secret Name" not in shown and "1961-02-03" not in shown
        assert "sertraline" not in shown and patient.mrn not in shown
        assert "privacy officers only" in shown
    reads = _events(db, action="read_audit_trail")
    assert reads[-1].actor == admin.email and reads[-1].details["filter"] == {
        "patient": patient.id} and reads[-1].details["clinical_detail"] is False
    assert _events(db, action="export", entity="audit_events")[-1].actor == admin.email


def test_a_privacy_officer_reads_clinical_detail_and_every_read_is_audited(db, client,
                                                                           clinician):
    patient = _patient_with_a_secret(db, clinician)
    officer = make_user(Role.PRIVACY_OFFICER)
    db.session.commit()
    login(client, officer.email)
    assert "Secret Name" in client.get(f"/admin/audit?patient={patient.id}").text
    rows = list(csv.DictReader(io.StringIO(client.get("/admin/audit.csv").get_data(
        as_text=True))))
    assert any("sertraline" in row["detail"] for row in rows)
    read = _events(db, action="read_audit_trail")[-1]
    assert read.actor == officer.email and read.details["clinical_detail"] is True
    # the trail and nothing else: no accounts, care teams, research export or patients
    for url in ("/admin/users", "/admin/care-teams", f"/admin/care-teams/{patient.id}",
                "/reports/research.csv", f"/patients/{patient.id}", "/patients/new",
                f"/patients/{patient.id}/trials.csv", "/reports/panel.csv"):
        assert client.get(url).status_code in (403, 404), url
    new = client.post("/patients/new", data={"csrf_token": csrf(client, "/admin/audit"),
                                             "mrn": "PO-1", "name": "X", "sex": "female",
                                             "birth_date": "1980-01-01"})
    assert new.status_code == 403
    assert client.get("/").headers["Location"] == "/admin/audit"


def test_clinicians_do_not_read_the_trail(db, signed_in):
    assert signed_in.get("/admin/audit").status_code == 403
    assert signed_in.get("/admin/audit.csv").status_code == 403


# Finding 4 ----------------------------------------------------------------------------------

def _tamper(db, statement: str, **params) -> None:
    dialect = db.engine.dialect.name
    db.session.commit()  # in-memory SQLite has one connection: end the session's transaction
    with db.engine.begin() as connection:
        for drop in DROP_APPEND_ONLY[dialect]:
            connection.execute(text(drop))
        connection.execute(text(statement), params)
        for create in APPEND_ONLY[dialect]:
            connection.execute(text(create))


def _some_events(db, clinician, n: int = 3):
    patient = make_patient(clinician)
    for i in range(n):
        audit.record("view_chart", patient=patient, detail={"i": i}, actor=clinician)
    db.session.commit()
    return patient


def test_a_chain_recomputed_without_the_key_fails_verification(app, db, clinician):
    """What the review did: edit a row, then rewrite every hash with plain SHA-256."""
    _some_events(db, clinician)
    target = _events(db)[1]
    _tamper(db, "UPDATE audit_events SET detail = :d WHERE id = :id", d='{"i":99}',
            id=target.id)
    db.session.expire_all()
    prev, rewritten = GENESIS, []
    for event in _events(db):
        new = plain_event_hash(prev, event.content())
        rewritten.append({"id": event.id, "p": "~" + str(event.id), "h": "#" + str(event.id),
                          "prev": prev, "hash": new})
        prev = new
    for row in rewritten:  # park first: the hash columns are unique
        _tamper(db, "UPDATE audit_events SET prev_hash = :p, hash = :h WHERE id = :id", **row)
    for row in rewritten:
        _tamper(db, "UPDATE audit_events SET prev_hash = :prev, hash = :hash WHERE id = :id",
                **row)
    db.session.expire_all()
    result = audit.verify(db.session)
    assert not result.intact and result.broken_at == _events(db)[0].id
    out = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert out.exit_code == 1 and "BROKEN" in out.output


def test_the_anchor_finds_the_newest_events_removed(app, db, clinician, tmp_path):
    _some_events(db, clinician, 4)
    anchor = tmp_path / "audit-anchor.jsonl"
    runner = app.test_cli_runner()
    written = runner.invoke(args=["audit", "anchor", str(anchor)])
    assert written.exit_code == 0 and "Checkpoint written" in written.output
    intact = runner.invoke(args=["audit", "verify", "--anchor", str(anchor)])
    assert intact.exit_code == 0 and "All 1 checkpoints" in intact.output
    newest = _events(db)[-1].id
    _tamper(db, "DELETE FROM audit_events WHERE id >= :id", id=newest - 1)
    db.session.expire_all()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # the chain alone passes
    cut = runner.invoke(args=["audit", "verify", "--anchor", str(anchor)])
    assert cut.exit_code == 1 and "cut short" in cut.output


def test_the_anchor_is_signed_with_the_audit_key(app, db, clinician, tmp_path):
    _some_events(db, clinician)
    anchor = tmp_path / "anchor.jsonl"
    runner = app.test_cli_runner()
    runner.invoke(args=["audit", "anchor", str(anchor)])
    checkpoint = json.loads(anchor.read_text())
    forged = tmp_path / "forged.jsonl"
    forged.write_text(json.dumps({**checkpoint, "events": checkpoint["events"] - 1}) + "\n")
    out = runner.invoke(args=["audit", "verify", "--anchor", str(forged)])
    assert out.exit_code == 1 and "not signed with this audit key" in out.output
    app.config["AUDIT_HMAC_KEY"] = "another key entirely, not the one that signed"
    assert runner.invoke(args=["audit", "verify", "--anchor", str(anchor)]).exit_code == 1


def test_the_audit_key_comes_from_the_environment_through_config(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("AUDIT_HMAC_KEY", "k" * 40)
    try:
        assert importlib.reload(config).Config.AUDIT_HMAC_KEY == "k" * 40
    finally:
        monkeypatch.delenv("AUDIT_HMAC_KEY")
        importlib.reload(config)


# Finding 5 ----------------------------------------------------------------------------------

def test_dose_steps_removed_by_a_trial_edit_are_audited_with_the_patient(db, signed_in,
                                                                          clinician):
    patient = make_patient(clinician)
    trial = make_trial(patient, doses=((date(2024, 1, 1), 50), (date(2024, 2, 1), 100),
                                       (date(2024, 3, 1), 150)))
    db.session.commit()
    steps = [step.id for step in trial.doses]
    url = f"/patients/{patient.id}/trials/{trial.id}/edit"
    response = signed_in.post(url, data={
        "csrf_token": csrf(signed_in, url), "drug": "sertraline", "episode": "",
        "doses-0-start": "2024-01-01", "doses-0-mg_per_day": "50", "stopped": "",
        "stop_reason": "", "adherence": "good", "response": "unknown", "notes": "",
        "version": str(trial.version)})
    assert response.status_code == 302
    deleted = _events(db, action="delete", entity="dose_step")
    assert sorted(e.entity_id for e in deleted) == sorted(steps[1:])  # the first is kept
    assert {e.patient_id for e in deleted} == {patient.id}
    assert {e.details["mg_per_day"] for e in deleted} == {100, 150}
    created = _events(db, action="create", entity="dose_step")
    assert len(created) == 3  # by make_trial, before the edit; the edit created none
    filtered = {e.entity for e in _events(db, patient_id=patient.id)}
    assert "dose_step" in filtered


def _edit_trial(client, patient, trial, steps: list[tuple[str, str]]):
    url = f"/patients/{patient.id}/trials/{trial.id}/edit"
    data = {"csrf_token": csrf(client, url), "drug": "sertraline", "episode": "",
            "stopped": "", "stop_reason": "", "adherence": "good", "response": "unknown",
            "notes": "", "version": str(trial.version)}
    for i, (start, mg) in enumerate(steps):
        data[f"doses-{i}-start"], data[f"doses-{i}-mg_per_day"] = start, mg
    return client.post(url, data=data)


def test_a_trial_edit_records_only_the_dose_steps_it_changed(db, signed_in, clinician):
    patient = make_patient(clinician)
    trial = make_trial(patient, doses=((date(2024, 1, 1), 50), (date(2024, 2, 1), 100)))
    db.session.commit()
    first, second = (step.id for step in trial.doses)

    def steps_since(before: int) -> list:
        return [e for e in _events(db, entity="dose_step") if e.id > before]

    before = _events(db)[-1].id
    unchanged = [("2024-01-01", "50"), ("2024-02-01", "100")]
    assert _edit_trial(signed_in, patient, trial, unchanged).status_code == 302
    assert steps_since(before) == []
    db.session.expire_all()
    before = _events(db)[-1].id
    changed = [("2024-01-01", "50"), ("2024-02-01", "150"), ("2024-03-01", "200")]
    assert _edit_trial(signed_in, patient, trial, changed).status_code == 302
    events = steps_since(before)
    assert [(e.action, e.entity_id) for e in events if e.action != "create"] == \
        [("update", second)]
    update = next(e for e in events if e.action == "update")
    assert update.details["mg_per_day"] == {"before": 100, "after": 150}
    created = [e for e in events if e.action == "create"]
    assert [e.details["mg_per_day"] for e in created] == [200]
    db.session.expire_all()
    assert [(s.id, s.mg_per_day) for s in db.session.get(Trial, trial.id).doses][:2] == \
        [(first, 50), (second, 150)]


# Finding 10 ---------------------------------------------------------------------------------

PATIENT_PAGES = ["records.edit_patient", "records.edit_trial", "records.edit_episode",
                 "records.entered_in_error", "records.new_trial", "records.new_measurement"]


def test_every_page_with_patient_data_records_a_view(app, db, client):
    owner, _other, admin, patient, records = world(db)
    login(client, owner.email)
    urls = [f"/patients/{patient.id}/edit",
            f"/patients/{patient.id}/trials/{records['trials'].id}/edit",
            f"/patients/{patient.id}/episodes/{records['episodes'].id}/edit",
            f"/patients/{patient.id}/trials/{records['trials'].id}/entered-in-error",
            f"/patients/{patient.id}/measurements/new"]
    for url in urls:
        before = len(_events(db, action="view_page"))
        assert client.get(url).status_code == 200, url
        views = _events(db, action="view_page")
        assert len(views) == before + 1 and views[-1].patient_id == patient.id, url
    client.get("/patients/")
    panel = _events(db, action="view_page")[-1]
    assert panel.details == {"page": "patients.panel", "patients": [patient.id]}
    client.post("/logout", data={"csrf_token": csrf(client, "/patients/new")})
    login(client, admin.email)
    client.get("/admin/care-teams")
    assert _events(db, action="view_page")[-1].details["patients"] == [patient.id]
    client.get(f"/admin/care-teams/{patient.id}")
    assert _events(db, action="view_page")[-1].patient_id == patient.id


@pytest.mark.parametrize("who", ["owner", "admin"])
def test_no_page_is_cached(app, db, client, who):
    from tests.routes import example_urls

    owner, _other, admin, patient, records = world(db)
    user = owner if who == "owner" else admin
    login(client, user.email)
    for rule, url in example_urls(app, patient, records, user.id):
        if "GET" not in rule.methods:
            continue
        response = client.get(url)
        assert response.headers.get("Cache-Control") == "no-store", url
    assert client.get("/login").headers["Cache-Control"] == "no-store"
