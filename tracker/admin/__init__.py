"""Clinic administration: accounts, care teams and the audit trail.

Admins manage accounts and care teams and read the audit trail without clinical detail;
privacy officers read only the audit trail, clinical detail included (see ``audit_log``).
"""

from flask import Blueprint, abort, request
from flask_login import current_user

bp = Blueprint("admin", __name__)
AUDIT_PAGES = {"admin.audit_events", "admin.audit_csv"}


@bp.before_request
def require_admin():
    """Answer 403 to anyone signed in who may not open this page (sign-in is checked before)."""
    if not current_user.is_authenticated:
        abort(403)
    if current_user.is_admin or (request.endpoint in AUDIT_PAGES
                                 and current_user.reads_audit_trail):
        return None
    abort(403)


from tracker.admin import audit_log, coverage, routes  # noqa: E402, F401
