"""Logging a patient's history: trials with dose steps, episodes, scores, other treatments."""

from flask import Blueprint

bp = Blueprint("records", __name__)

from tracker.records import quick, routes  # noqa: E402, F401
