"""Signed-in sessions, kept on the server: idle timeout, absolute lifetime, sign-out.

The cookie holds a random session key; the ``user_sessions`` row holds its hash, when the
session began and was last seen, and when it ended. Signing out, deactivation and the two
time limits end the row, so a copy of the cookie opens nothing afterwards.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import select, update

from tracker import audit
from tracker.extensions import db
from tracker.models import User, UserSession
from tracker.transactions import writing

SESSION_KEY = "sid"
SEEN_EVERY = timedelta(seconds=60)  # last_seen_at is written at most this often


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def fresh_session() -> None:
    """Drop everything the session held, its CSRF token too (rotation at sign-in and out)."""
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches the old session's token per app context
    g.pop("user_session", None)


def open_session(user: User) -> str:
    """Add a server-side session for ``user`` and return its key (for the cookie)."""
    key, now = secrets.token_urlsafe(32), _now()
    db.session.add(UserSession(key_hash=_hash(key), user_id=user.id, started_at=now,
                               last_seen_at=now))
    return key


def start_session(user: User) -> None:
    """Begin a server-side session for ``user`` and put its key in the (fresh) cookie."""
    session[SESSION_KEY] = open_session(user)


def _open(key: str):
    """The condition for the open server-side session of the cookie's ``key``."""
    return (UserSession.key_hash == _hash(key)) & UserSession.ended_at.is_(None)


def current_session() -> UserSession | None:
    """Return the open server-side session of this request's cookie, if there is one."""
    if "user_session" not in g:
        key = session.get(SESSION_KEY)
        row = db.session.scalars(select(UserSession).where(_open(key))).first() \
            if isinstance(key, str) else None
        g.user_session = row
    return g.user_session


def session_user(user_id: int, token: str) -> User | None:
    """Return the user ``user_id`` if ``token`` is their current session token and this
    request's cookie holds an open server-side session of theirs, else None.

    One statement reads the user with their session row; the row is kept for
    ``current_session`` (the idle check reads it next).
    """
    key = session.get(SESSION_KEY)
    found = db.session.execute(
        select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
        .where(User.id == user_id, _open(key))).first() if isinstance(key, str) else None
    g.user_session = found[1] if found else None
    if found is None or not secrets.compare_digest(found[0].session_token, token):
        return None
    return found[0]


def end_session(reason: str) -> None:
    """End this request's server-side session (the caller commits)."""
    row = current_session()
    if row is not None:
        row.ended_at, row.end_reason = _now(), reason
    g.pop("user_session", None)


def end_sessions_of(user: User, reason: str) -> None:
    """End every session of ``user``, everywhere (deactivation); the caller commits."""
    db.session.execute(update(UserSession)
                       .where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                       .values(ended_at=_now(), end_reason=reason))


def _expired(row: UserSession, now: datetime) -> str | None:
    """Return why ``row`` has run out (idle, or past its lifetime), or None."""
    config = current_app.config
    if now - row.last_seen_at > timedelta(minutes=config["IDLE_TIMEOUT_MINUTES"]):
        return "idle timeout"
    if now - row.started_at > timedelta(hours=config["SESSION_LIFETIME_HOURS"]):
        return "session lifetime"
    return None


EXPIRED_MESSAGES = {
    "idle timeout": "You were signed out after {idle:g} minutes without activity. "
                    "Sign in to go on.",
    "session lifetime": "You were signed out: a session lasts at most {hours:g} hours. "
                        "Sign in to go on.",
}


def end_idle_session():
    """Sign out a user idle longer than ``IDLE_TIMEOUT_MINUTES`` or signed in longer than
    ``SESSION_LIFETIME_HOURS``; send them to sign in again.

    The sign-in page takes them back to the page they asked for (for a form, its empty page).
    """
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    row, now = current_session(), _now()
    reason = _expired(row, now)
    if reason is None:
        if now - row.last_seen_at >= min(SEEN_EVERY, _idle_limit() / 4):
            writing()
            row.last_seen_at = now
            db.session.commit()
        return None
    writing()
    end_session(reason)
    audit.record("sign_out", detail={"reason": reason})
    db.session.commit()
    logout_user()
    fresh_session()
    config = current_app.config
    flash(EXPIRED_MESSAGES[reason].format(idle=config["IDLE_TIMEOUT_MINUTES"],
                                          hours=config["SESSION_LIFETIME_HOURS"]), "info")
    back = request.full_path if request.method == "GET" else request.path
    return redirect(url_for("auth.login", next=back.rstrip("?")))


def _idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["IDLE_TIMEOUT_MINUTES"])
