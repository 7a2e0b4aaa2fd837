"""Importing a history file or a FHIR R4 Bundle on the web: upload, preview, accept or cancel."""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from tracker.imports import routes  # noqa: E402, F401
