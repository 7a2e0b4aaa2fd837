"""The clinician's panel and each patient's chart."""

from flask import Blueprint

bp = Blueprint("patients", __name__)

from tracker.patients import routes  # noqa: E402, F401
