"""Issue 14, sign-in and edge findings: timing (2), sessions (6, 7), CSV (8), 500s (9),
production settings (11), passwords, MRN message and Server header (12)."""

from __future__ import annotations

import csv
import io
import threading
import time
import urllib.request

import pytest
import werkzeug.security
from werkzeug.serving import make_server

import config
from tests.conftest import PASSWORD, csrf, login, make_patient, make_user
from tracker import create_app
from tracker.auth.passwords import password_problem
from tracker.interchange.csv_export import write_rows
from tracker.models import Role

# Finding 2 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["wrong password", "unknown email", "deactivated"])
def test_every_refused_sign_in_computes_one_hash_of_the_real_method(db, client, clinician,
                                                                    monkeypatch, case):
    """The time a refusal takes is the time of one password hash, whoever the email names."""
    inactive = make_user(active=False)
    db.session.commit()
    email = {"wrong password": clinician.email, "unknown email": "nobody@example.org",
             "deactivated": inactive.email}[case]
    token = csrf(client, "/login")
    hashed = []
    real = werkzeug.security.check_password_hash

    def counting(pwhash, password):
        hashed.append(pwhash.split("$")[0])
        return real(pwhash, password)

    monkeypatch.setattr(werkzeug.security, "check_password_hash", counting)
    monkeypatch.setattr("tracker.models.user.check_password_hash", counting)
    response = client.post("/login", data={"email": email, "password": "not the one at all",
                                           "csrf_token": token})
    assert response.status_code == 401
    assert hashed == [clinician.password_hash.split("$")[0]]


# Findings 6 and 7 ---------------------------------------------------------------------------

def _cookie(client) -> str:
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/patients/")


def test_a_cookie_copied_before_sign_out_opens_nothing_after(app, db, client, clinician):
    login(client, clinician.email)
    copied = _cookie(client)
    assert _replay(app, copied).status_code == 200
    client.post("/logout", data={"csrf_token": csrf(client, "/patients/new")})
    assert _replay(app, copied).status_code == 302


def test_reactivating_an_account_revives_none_of_its_sessions(app, db, client):
    admin, doctor = make_user(Role.ADMIN), make_user()
    db.session.commit()
    mine = app.test_client()
    login(mine, doctor.email)
    copied = _cookie(mine)
    login(client, admin.email)
    url = f"/admin/users/{doctor.id}"
    for active in ("", "y"):
        data = {"csrf_token": csrf(client, url), "name": doctor.name, "role": "clinician"}
        client.post(url, data={**data, "active": active} if active else data)
    assert _replay(app, copied).status_code == 302
    assert mine.get("/patients/").status_code == 302


def test_the_sign_in_cookie_itself_is_bound_by_the_idle_timeout(app, db, client, clinician):
    app.config["IDLE_TIMEOUT_MINUTES"] = 1.5 / 60  # 1.5 s
    response = login(client, clinician.email)
    signed_in_cookie = _cookie(client)
    assert response.status_code == 302
    time.sleep(2)
    assert _replay(app, signed_in_cookie).status_code == 302


def test_a_session_ends_after_its_lifetime_however_active(app, db, client, clinician):
    app.config["SESSION_LIFETIME_HOURS"] = 2.5 / 3600  # 2.5 s
    login(client, clinician.email)
    deadline = time.monotonic() + 6
    statuses = []
    while time.monotonic() < deadline and 302 not in statuses:
        statuses.append(client.get("/patients/").status_code)
        time.sleep(0.4)
    assert statuses[0] == 200 and statuses[-1] == 302
    assert "at most" in client.get("/login").text


# Finding 8 ----------------------------------------------------------------------------------

def test_a_formula_after_a_semicolon_is_neutralised():
    stream = io.StringIO()
    write_rows(stream, ["note"], [["Semi;=1+1"], ["a,+SUM(A1)"], ["tab\t@x"], ["plain; text"]])
    for delimiter in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(stream.getvalue()), delimiter=delimiter):
            for field in row:
                assert not field.startswith(("=", "+", "-", "@")), (delimiter, field)
    assert "plain; text" in stream.getvalue()


# Finding 9 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("patient_id", [2**31, 2**63, 2**64, 10**30])
def test_ids_too_large_for_the_database_answer_404(signed_in, patient_id):
    assert signed_in.get(f"/patients/{patient_id}").status_code == 404
    assert signed_in.get(f"/patients/{patient_id}/trials/{patient_id}/edit").status_code == 404
    assert signed_in.get(f"/patients/?page={patient_id}").status_code == 200


def test_too_large_numbers_in_admin_filters_are_ignored(db, client):
    admin = make_user(Role.ADMIN)
    db.session.commit()
    login(client, admin.email)
    for url in (f"/admin/audit?patient={2**63}", f"/admin/audit?page={2**63}",
                f"/admin/care-teams?page={2**64}", f"/admin/audit.csv?patient={2**31}"):
        assert client.get(url).status_code == 200, url


def test_a_nul_character_is_refused_before_the_database(db, signed_in, clinician):
    patient = make_patient(clinician)
    db.session.commit()
    url = f"/patients/{patient.id}/edit"
    response = signed_in.post(url, data={"csrf_token": csrf(signed_in, url), "mrn": "X-1",
                                         "name": "Null\x00Byte", "birth_date": "1980-01-01",
                                         "sex": "female"})
    assert response.status_code == 400 and "NUL" in response.text
    db.session.expire_all()
    assert "\x00" not in patient.name
    assert signed_in.get("/patients/?q=a%00b").status_code == 400


def test_an_empty_score_is_refused_beside_the_field(db, signed_in, clinician):
    """Found by the fuzzer on the way: an empty score passed validation and failed at the
    database's NOT NULL (500)."""
    patient = make_patient(clinician)
    db.session.commit()
    url = f"/patients/{patient.id}/measurements/new"
    response = signed_in.post(url, data={"csrf_token": csrf(signed_in, url),
                                         "taken_on": "2024-01-01", "instrument": "PHQ-9",
                                         "score": ""})
    assert response.status_code == 200 and "Give the total score." in response.text


def test_a_line_break_in_next_does_not_reach_the_location_header(client, clinician):
    data = {"email": clinician.email, "password": PASSWORD, "csrf_token": csrf(client, "/login")}
    response = client.post("/login?next=/%0d%0aX:1", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/patients/"
    assert "X" not in response.headers
    client.post("/logout", data={"csrf_token": csrf(client, "/patients/new")})
    data["csrf_token"] = csrf(client, "/login")
    response = client.post("/login?next=/\\evil.example", data=data)
    assert response.headers["Location"] == "/patients/"


# Finding 11 ---------------------------------------------------------------------------------

GOOD = {"SECRET_KEY": "s" * 32, "AUDIT_HMAC_KEY": "a" * 32,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/14", "SQLALCHEMY_DATABASE_URI": "sqlite://"}


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("SECRET_KEY", "x", "SECRET_KEY"),
    ("SECRET_KEY", config.DEV_SECRET_KEY, "SECRET_KEY"),
    ("AUDIT_HMAC_KEY", config.DEV_AUDIT_KEY, "AUDIT_HMAC_KEY"),
    ("AUDIT_HMAC_KEY", "short", "AUDIT_HMAC_KEY"),
    ("AUDIT_HMAC_KEY", "s" * 32, "differ"),
    ("RATELIMIT_STORAGE_URI", "memory://", "RATELIMIT_STORAGE_URI"),
])
def test_production_refuses_unsafe_settings(monkeypatch, setting, value, message):
    for name, good in GOOD.items():
        monkeypatch.setattr(config.ProductionConfig, name, good)
    create_app("production")  # the good settings start
    monkeypatch.setattr(config.ProductionConfig, setting, value)
    with pytest.raises(RuntimeError, match=message):
        create_app("production")


def test_demo_data_is_refused_in_production(monkeypatch, tmp_path):
    from tracker.extensions import db

    for name, good in GOOD.items():
        monkeypatch.setattr(config.ProductionConfig, name, good)
    monkeypatch.setattr(config.ProductionConfig, "SQLALCHEMY_DATABASE_URI",
                        f"sqlite:///{tmp_path}/production.sqlite")
    app = create_app("production")
    with app.app_context():
        db.create_all()
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code != 0 and "not loaded under FLASK_CONFIG=production" in \
            result.output
        from tracker.models import User
        assert db.session.query(User).count() == 0
        db.session.remove()
        db.engine.dispose()


# Finding 12 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("password", ["passwordpassword", "abcdabcdab", "xyzxyzxyzx",
                                      "abcdefghijkl", "9876543210"])
def test_repeated_and_sequential_passwords_are_refused(password):
    assert password_problem(password) is not None


def test_the_mrn_message_does_not_say_another_patient_holds_it(db, signed_in, clinician):
    from tracker.models import AuditEvent

    holder = make_patient(make_user(), mrn="ELSEWHERE-1")
    db.session.commit()
    data = {"csrf_token": csrf(signed_in, "/patients/new"), "mrn": "ELSEWHERE-1",
            "name": "New Person", "birth_date": "1980-01-01", "sex": "female"}
    response = signed_in.post("/patients/new", data=data)
    assert "cannot be used" in response.text
    for telling in ("belongs", "another patient", "exists", "already"):
        assert telling not in response.text.split("cannot be used")[1][:200]
    refused = db.session.query(AuditEvent).filter_by(action="mrn_refused").one()
    assert refused.entity_id == holder.id and refused.actor == clinician.email


def test_an_mrn_in_another_case_is_the_same_mrn(db, signed_in, clinician, tmp_path):
    import json
    from pathlib import Path

    from tracker.models import Patient

    make_patient(clinician, mrn="D-1001")
    db.session.commit()
    data = {"csrf_token": csrf(signed_in, "/patients/new"), "mrn": "d-1001",
            "name": "New Person", "birth_date": "1980-01-01", "sex": "female"}
    assert "cannot be used" in signed_in.post("/patients/new", data=data).text
    doc = json.loads((Path(__file__).parent / "data" / "example-history.json").read_text())
    doc["patient"]["mrn"] = "d-1001"
    path = tmp_path / "h.json"
    path.write_text(json.dumps(doc))
    result = signed_in.application.test_cli_runner().invoke(
        args=["trd", "import", str(path), "--clinician", clinician.email])
    assert result.exit_code == 0, result.output
    assert db.session.query(Patient).count() == 1  # the import replaced D-1001's history


def test_the_development_server_does_not_announce_werkzeug():
    app = create_app("testing")
    server = make_server("127.0.0.1", 5141, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen("http://127.0.0.1:5141/healthz") as response:
            header = response.headers["Server"]
    finally:
        server.shutdown()
        thread.join()
        server.server_close()
        with app.app_context():
            from tracker.extensions import db

            db.engine.dispose()  # the health check's pooled connection
    assert "Werkzeug" not in header and "Python" not in header
