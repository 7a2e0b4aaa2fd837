"""Clinic administration: accounts, care teams and the audit trail. Admins only."""

from flask import Blueprint, abort
from flask_login import current_user

bp = Blueprint("admin", __name__)


@bp.before_request
def require_admin():
    """Answer 403 to anyone signed in who is not an admin (sign-in is checked before)."""
    if not current_user.is_authenticated or not current_user.is_admin:
        abort(403)


from tracker.admin import audit_log, coverage, routes  # noqa: E402, F401
