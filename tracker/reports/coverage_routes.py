"""Coverage downloads: a payer's prior-authorisation packet and re-authorisation report."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from tracker import audit
from tracker.auth.access import patient_or_404
from tracker.coverage.registry import enabled_policies
from tracker.extensions import db
from tracker.reports import bp
from tracker.reports.packet import build_packet, packet_pdf
from tracker.reports.routes import _download, _filename


def _packet_response(patient_id: int, policy_id: str, reauthorisation: bool):
    patient = patient_or_404(patient_id)
    policy = enabled_policies().get(policy_id) or abort(404)
    if reauthorisation and policy.reauthorisation is None:
        abort(404)
    body = packet_pdf(build_packet(patient, policy), current_user, reauthorisation)
    what = "coverage_reauthorisation_pdf" if reauthorisation else "coverage_packet_pdf"
    audit.record_export(what, patient, detail={"policy": policy.id})
    db.session.commit()
    suffix = "-reauthorisation.pdf" if reauthorisation else "-prior-authorisation.pdf"
    return _download(body, "application/pdf", _filename(patient, f"-{policy.id}{suffix}"))


@bp.route("/patients/<int:patient_id>/coverage/<policy_id>.pdf")
def coverage_packet(patient_id: int, policy_id: str):
    """The prior-authorisation packet for one enabled policy, as a PDF."""
    return _packet_response(patient_id, policy_id, reauthorisation=False)


@bp.route("/patients/<int:patient_id>/coverage/<policy_id>-reauthorisation.pdf")
def coverage_reauthorisation(patient_id: int, policy_id: str):
    """The re-authorisation report for one enabled policy, as a PDF."""
    return _packet_response(patient_id, policy_id, reauthorisation=True)
