"""Reports and exports: the prior-authorisation PDF, CSV, FHIR and the research extract."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from tracker.reports import routes  # noqa: E402, F401
