"""Signed-in sessions: an idle timeout that brings the user back where they were."""

from __future__ import annotations

import time

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user

from tracker import audit
from tracker.extensions import db

LAST_SEEN = "last_seen"


def fresh_session() -> None:
    """Drop everything the session held, its CSRF token too (rotation at sign-in and out)."""
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF caches the old session's token per app context


def end_idle_session():
    """Sign out a user idle longer than ``IDLE_TIMEOUT_MINUTES``; send them to sign in again.

    The sign-in page takes them back to the page they asked for (for a form, its empty page).
    """
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now, last = time.time(), session.get(LAST_SEEN)
    limit = current_app.config["IDLE_TIMEOUT_MINUTES"] * 60
    if last is not None and now - last > limit:
        audit.record("sign_out", detail={"reason": "idle timeout"})
        db.session.commit()
        logout_user()
        fresh_session()
        minutes = current_app.config["IDLE_TIMEOUT_MINUTES"]
        flash(f"You were signed out after {minutes} minutes without activity. "
              "Sign in to go on.", "info")
        back = request.full_path if request.method == "GET" else request.path
        return redirect(url_for("auth.login", next=back.rstrip("?")))
    session[LAST_SEEN] = now
    return None
