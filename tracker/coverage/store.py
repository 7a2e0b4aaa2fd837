"""Each patient's eligibility under the enabled policies, stored beside the verdict."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, insert, select

from tracker.extensions import db
from tracker.models import Patient, StoredCoverage
from tracker.rules import History
from tracker.rules.coverage import CoverageResult, Policy, evaluate

from .registry import enabled_policies


def evaluate_enabled(history: History, as_of: date,
                     policies: dict[str, Policy] | None = None
                     ) -> list[tuple[Policy, CoverageResult]]:
    """Judge the history under every enabled policy."""
    policies = enabled_policies() if policies is None else policies
    return [(p, evaluate(p, history, as_of)) for p in policies.values()]


def store_coverage(patient: Patient, history: History, as_of: date) -> None:
    """Replace the patient's stored results with those of the enabled policies; flush."""
    rows = {r.policy_id: r for r in db.session.scalars(
        select(StoredCoverage).where(StoredCoverage.patient_id == patient.id))}
    for policy, result in evaluate_enabled(history, as_of):
        row = rows.pop(policy.id, None)
        if row is None:
            row = StoredCoverage(patient_id=patient.id, policy_id=policy.id)
            db.session.add(row)
        row.eligible = result.eligible
        row.computed_on = as_of
    for stale in rows.values():
        db.session.delete(stale)


def refresh_coverage(patient_ids: list[int], as_of: date) -> None:
    """Recompute the stored results of many patients with set-based statements; flush nothing.

    One DELETE and one INSERT whatever the number of patients (and the histories' reads).
    """
    from tracker.assessments import load_histories

    if not patient_ids:
        return
    policies = enabled_policies()
    if not policies:
        return
    rows = [{"patient_id": pid, "policy_id": p.id, "eligible": r.eligible, "computed_on": as_of}
            for pid, history in load_histories(patient_ids).items()
            for p, r in evaluate_enabled(history, as_of, policies)]
    db.session.execute(delete(StoredCoverage).where(StoredCoverage.patient_id.in_(patient_ids)))
    if rows:
        db.session.execute(insert(StoredCoverage), rows)
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, StoredCoverage):
            db.session.expire(obj)

