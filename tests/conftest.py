"""Fixtures: a fresh app and database per test, a signed-in client, and factories."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from flask import g, request_started

from tracker import create_app
from tracker.extensions import db as _db
from tracker.models import DoseStep, Patient, Role, Trial, User
from tracker.rules.vocab import Adherence, Response, Sex

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def _forget_request_state(sender, **_extra) -> None:
    """Give each test request a clean ``g``, as each real request has.

    The test keeps an app context open for its database work, and Flask reuses it for the
    requests the test makes; without this, Flask-Login's user and Flask-WTF's token cached on
    ``g`` would leak from one client's request into another's.
    """
    for key in ("_login_user", "csrf_token", "user_session"):
        g.pop(key, None)


def app_on_a_fresh_database(**overrides):
    """Yield a testing app whose database is made anew, and drop it afterwards."""
    app = create_app("testing", **overrides)
    request_started.connect(_forget_request_state, app)
    with app.app_context():
        _db.drop_all()
        _db.create_all()
        yield app
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture
def app():
    yield from app_on_a_fresh_database()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


def make_user(role: Role = Role.CLINICIAN, **overrides) -> User:
    n = next(_counter)
    user = User(email=overrides.pop("email", f"clinician{n}@example.org"),
                name=overrides.pop("name", f"Dr Test {n}"), role=role, **overrides)
    user.set_password(PASSWORD)
    _db.session.add(user)
    _db.session.flush()
    return user


def make_patient(clinician: User | None = None, **overrides) -> Patient:
    n = next(_counter)
    patient = Patient(mrn=overrides.pop("mrn", f"T-{n:05d}"),
                      name=overrides.pop("name", f"Test Patient {n}"),
                      birth_date=overrides.pop("birth_date", date(1980, 1, 1)),
                      sex=overrides.pop("sex", Sex.FEMALE), **overrides)
    if clinician is not None:
        patient.clinicians.append(clinician)
    _db.session.add(patient)
    _db.session.flush()
    return patient


def make_trial(patient: Patient, drug: str = "sertraline",
               doses: tuple[tuple[date, float], ...] = ((date(2024, 1, 1), 50),),
               **overrides) -> Trial:
    trial = Trial(drug=drug, started=doses[0][0],
                  adherence=overrides.pop("adherence", Adherence.GOOD),
                  response=overrides.pop("response", Response.UNKNOWN),
                  doses=[DoseStep(start=d, mg_per_day=mg) for d, mg in doses], **overrides)
    patient.trials.append(trial)
    _db.session.flush()
    return trial


def csrf(client, url: str) -> str:
    """Return the CSRF token of the form on the page at ``url`` (it is the session's token)."""
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).text).group(1)


def login(client, email: str, password: str = PASSWORD):
    """Sign in through the real form (CSRF is on in tests, so read the token first)."""
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf(client, "/login")})


@pytest.fixture
def clinician(db):
    user = make_user()
    db.session.commit()
    return user


@pytest.fixture
def signed_in(client, clinician):
    response = login(client, clinician.email)
    assert response.status_code == 302
    return client
