"""Reports and exports: the prior-authorisation PDF, CSV, FHIR and the research extract."""

from flask import Blueprint

bp = Blueprint("reports", __name__)

from tracker.reports import coverage_routes, routes  # noqa: E402, F401
