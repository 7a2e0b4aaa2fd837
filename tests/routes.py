"""Every route of the URL map with real ids filled in, for access and CSRF walks."""

from __future__ import annotations

from datetime import date, datetime

from flask import url_for

from tests.conftest import make_patient, make_trial, make_user
from tracker.extensions import db
from tracker.models import (
    CoveragePolicySetting,
    Episode,
    Measurement,
    PendingImport,
    Role,
    Treatment,
)
from tracker.rules.vocab import Instrument, Severity, TreatmentKind

RECORD_KINDS = ("trials", "measurements", "treatments", "episodes")
UPLOAD_TOKEN = "the-owners-pending-upload"  # an import awaiting the owner's Accept
COVERAGE_POLICY = "cigna-spravato"  # enabled in world(), so that its packet routes answer


def patient_with_records(clinician):
    """Return a patient of ``clinician`` with one row of every kind, and those rows by kind."""
    patient = make_patient(clinician)
    episode = Episode(key="e1", onset=date(2024, 1, 1), severity=Severity.MODERATE)
    measurement = Measurement(taken_on=date(2024, 1, 5), instrument=Instrument.PHQ9, score=20)
    treatment = Treatment(kind=TreatmentKind.ECT, start=date(2024, 5, 1))
    patient.episodes.append(episode)
    patient.measurements.append(measurement)
    patient.treatments.append(treatment)
    trial = make_trial(patient)
    db.session.flush()
    return patient, {"trials": trial, "measurements": measurement, "treatments": treatment,
                     "episodes": episode}


def example_urls(app, patient, records, user_id: int):
    """Yield (rule, url) for every route, with the given patient's ids in its arguments."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        kinds = RECORD_KINDS if "kind" in rule.arguments else (None,)
        for kind in kinds:
            values = {"patient_id": patient.id, "user_id": user_id, "token": UPLOAD_TOKEN,
                      "trial_id": records["trials"].id, "episode_id": records["episodes"].id,
                      "policy_id": COVERAGE_POLICY}
            if kind:
                values.update(kind=kind, record_id=records[kind].id)
            with app.test_request_context():
                url = url_for(rule.endpoint, **{k: v for k, v in values.items()
                                                if k in rule.arguments})
            yield rule, url


def world(db_):
    """Return (owner, other clinician, admin, patient, records): the patient is the owner's."""
    owner, other = make_user(), make_user()
    admin = make_user(Role.ADMIN)
    patient, records = patient_with_records(owner)
    db_.session.add(PendingImport(token=UPLOAD_TOKEN, user_id=owner.id, content=b"{}"))
    db_.session.add(CoveragePolicySetting(policy_id=COVERAGE_POLICY, enabled=True,
                                          updated_at=datetime.now()))
    db_.session.commit()
    return owner, other, admin, patient, records
