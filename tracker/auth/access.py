"""Who may see what: the one place that checks sign-in and access to a patient."""

from __future__ import annotations

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.extensions import db, login_manager
from tracker.models import Patient, Role, User, care_team

PUBLIC_ENDPOINTS = {"auth.login", "main.healthz", "static"}
# A privacy officer reads the audit trail and nothing else (no patients, no new patients).
PRIVACY_OFFICER_ENDPOINTS = PUBLIC_ENDPOINTS | {
    "admin.audit_events", "admin.audit_csv", "auth.logout", "auth.change_password"}


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Return the user of a session id ``"<id>:<token>"`` while the token is current and the
    cookie's server-side session is open and theirs."""
    from tracker.auth.sessions import session_user

    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    return session_user(int(user_id), token)


def require_sign_in():
    """Send signed-out visitors of every page but the public ones to the sign-in page; keep
    privacy officers to the audit trail."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role is Role.PRIVACY_OFFICER and \
            request.endpoint not in PRIVACY_OFFICER_ENDPOINTS:
        if request.endpoint in ("main.index", "patients.panel"):
            return redirect(url_for("admin.audit_events"))  # their landing page
        abort(403)
    return None


def patients_visible_to(user: User):
    """Return a select of the patients on ``user``'s care team."""
    return select(Patient).join(care_team).where(care_team.c.user_id == user.id)


def patient_or_404(patient_id: int) -> Patient:
    """Return the patient if the signed-in user cares for them; foreign ids answer 404."""
    query = patients_visible_to(current_user).where(Patient.id == patient_id)
    patient = db.session.scalars(query).first()
    if patient is None:
        abort(404)
    return patient
