"""Sessions and sign-in abuse: idle timeout, rotation, lockout, password changes and policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis
from sqlalchemy import update

from tests.conftest import PASSWORD, csrf, login, make_user
from tracker.auth.passwords import password_problem
from tracker.extensions import db as _db
from tracker.extensions import limiter
from tracker.models import AuditEvent, Role, UserSession

REDIS_URL = "redis://127.0.0.1:6379/15"


def _age_session(client, minutes: float) -> None:
    """Make the server believe the client's open session was last seen ``minutes`` ago."""
    _db.session.execute(update(UserSession).where(UserSession.ended_at.is_(None)).values(
        last_seen_at=datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=minutes)))
    _db.session.commit()


def test_idle_session_ends_and_sign_in_returns_to_the_page(app, db, signed_in, clinician):
    _age_session(signed_in, 14)
    assert signed_in.get("/patients/?q=x").status_code == 200  # 14 minutes: still signed in
    _age_session(signed_in, 16)
    response = signed_in.get("/patients/new?from=panel")
    assert response.status_code == 302
    back = response.headers["Location"]
    assert back == "/login?next=/patients/new?from%3Dpanel"
    assert "without activity" in signed_in.get(back).text
    assert signed_in.get("/patients/").status_code == 302
    again = signed_in.post(back, data={"csrf_token": csrf(signed_in, "/login"),
                                       "email": clinician.email, "password": PASSWORD})
    assert again.headers["Location"] == "/patients/new?from=panel"
    idle = db.session.query(AuditEvent).filter_by(action="sign_out").one()
    assert idle.details == {"reason": "idle timeout"}


def test_idle_timeout_is_configurable(app, db, signed_in):
    app.config["IDLE_TIMEOUT_MINUTES"] = 60
    _age_session(signed_in, 30)
    assert signed_in.get("/patients/").status_code == 200


def test_sign_in_starts_a_fresh_session(client, clinician):
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        before = session["csrf_token"]
    login(client, clinician.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != before


def test_session_cookie_is_http_only_and_same_site(client, clinician):
    response = login(client, clinician.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_password_change_signs_out_every_other_session(app, db, clinician):
    mine, theirs = app.test_client(), app.test_client()
    login(mine, clinician.email)
    login(theirs, clinician.email)
    url = "/account/password"
    new = "a much longer passphrase"
    response = mine.post(url, data={"csrf_token": csrf(mine, url), "current_password": PASSWORD,
                                    "new_password": new, "confirm": new})
    assert response.status_code == 302
    assert mine.get("/patients/").status_code == 200
    assert theirs.get("/patients/").status_code == 302
    assert login(theirs, clinician.email, new).status_code == 302


@pytest.mark.parametrize(("current", "new", "message"), [
    ("wrong", "a much longer passphrase", "not your current password"),
    (PASSWORD, "short", "at least 10 characters"),
    (PASSWORD, "password123", "too common"),
    (PASSWORD, "Qwertyuiop!", "too common"),
])
def test_password_change_refusals(db, signed_in, current, new, message):
    url = "/account/password"
    response = signed_in.post(url, data={"csrf_token": csrf(signed_in, url),
                                         "current_password": current, "new_password": new,
                                         "confirm": new})
    assert response.status_code == 200 and message in response.text


@pytest.mark.parametrize(("password", "refused"), [
    ("short", True), ("1234567890", True), ("iloveyou2024!", True), ("aaaaaaaaaaaa", True),
    ("drtest-is-my-name", True), ("tangerine lantern orbit", False),
    ("correct horse battery", False),
])
def test_password_policy(password, refused):
    assert (password_problem(password, "drtest@example.org", "Dr Test") is not None) is refused


def _fail(client, email: str, times: int) -> list[int]:
    return [login(client, email, "wrong password").status_code for _ in range(times)]


def test_lockout_after_five_failures_even_with_the_right_password(app, db, client, clinician):
    assert _fail(client, clinician.email, 5) == [401] * 5
    locked = login(client, clinician.email)
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.text
    other = make_user()
    db.session.commit()
    assert login(client, other.email).status_code == 302  # another account is not locked
    locked_out = db.session.query(AuditEvent).filter_by(action="sign_in_locked_out").one()
    assert locked_out.details == {"email": clinician.email}


def test_unknown_emails_lock_out_the_same_way(client, db):
    assert _fail(client, "nobody@example.org", 5) == [401] * 5
    assert login(client, "nobody@example.org").status_code == 429


def test_successful_sign_ins_do_not_count(client, clinician):
    for _ in range(7):
        assert login(client, clinician.email).status_code == 302
        client.post("/logout", data={"csrf_token": csrf(client, "/patients/new")})


def _redis_or_skip() -> None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not running at 127.0.0.1:6379")


def test_lockout_is_kept_in_redis_and_outlives_the_app_server(app, db, client, clinician):
    """With RATELIMIT_STORAGE_URI on Redis, failures live in Redis: a new app server (a fresh
    limiter store, as another gunicorn worker or host would have) still sees the lockout."""
    _redis_or_skip()
    store = redis.Redis.from_url(REDIS_URL)  # database 15 belongs to this test alone
    store.flushdb()
    app.config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    limiter.init_app(app)
    try:
        assert _fail(client, clinician.email, 5) == [401] * 5
        assert any(clinician.email in key.decode() for key in store.scan_iter())
        limiter.init_app(app)  # a fresh store object: nothing is remembered in this process
        assert login(app.test_client(), clinician.email).status_code == 429
    finally:
        store.flushdb()


def test_admin_resets_a_password_and_deactivates_without_losing_history(app, db, client):
    admin, user = make_user(Role.ADMIN), make_user()
    db.session.commit()
    victim = app.test_client()
    login(victim, user.email)
    login(client, admin.email)
    url = f"/admin/users/{user.id}"
    response = client.post(url, data={"csrf_token": csrf(client, url), "name": user.name,
                                      "role": "clinician", "active": "y",
                                      "password": "tangerine lantern orbit"})
    assert response.status_code == 302
    assert victim.get("/patients/").status_code == 302  # signed out everywhere
    client.post(url, data={"csrf_token": csrf(client, url), "name": user.name,
                           "role": "clinician"})  # unticked: deactivated
    _db.session.expire_all()
    assert not user.active and user.password_hash
    assert login(victim, user.email, "tangerine lantern orbit").status_code == 401
    refused = client.post(f"/admin/users/{admin.id}", data={
        "csrf_token": csrf(client, url), "name": admin.name, "role": "clinician", "active": "y"})
    assert "cannot remove your own admin role" in refused.text
