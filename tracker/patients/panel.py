"""The panel query: one statement for a whole page of patients with their stored verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, func, or_, select

from tracker.assessments import store_assessment
from tracker.extensions import db
from tracker.models import Measurement, Patient, StoredAssessment, User, care_team

SORTS = {
    "name": Patient.name,
    "mrn": Patient.mrn,
    "episode": StoredAssessment.episode_onset,
    "failed": StoredAssessment.failed_count,
    "first_met": StoredAssessment.first_met,
    "maudsley": StoredAssessment.maudsley_score,
}
FLAGS = ("met", "not_met", "outcome_missing")


@dataclass(frozen=True)
class PanelQuery:
    """What the clinician asked the panel for."""

    search: str = ""
    flag: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class PanelPage:
    rows: list[tuple[Patient, StoredAssessment]]
    total: int
    query: PanelQuery
    safety_alerts: frozenset[int] = frozenset()  # patients with a PHQ-9 item 9 above 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def refresh_stale(user: User, today: date) -> int:
    """Recompute verdicts of the user's patients computed before ``today``; return how many."""
    stale = db.session.scalars(
        select(Patient)
        .join(care_team, care_team.c.patient_id == Patient.id)
        .outerjoin(StoredAssessment)
        .where(care_team.c.user_id == user.id)
        .where(or_(StoredAssessment.patient_id.is_(None), StoredAssessment.computed_on < today))
    ).all()
    for patient in stale:
        store_assessment(patient, today)
    return len(stale)


def _safety_alert():
    """Say whether a standing PHQ-9 of the current episode has item 9 (self-harm) above 0."""
    return exists().where(
        Measurement.patient_id == Patient.id,
        Measurement.entered_in_error_at.is_(None),
        Measurement.items.is_not(None),
        func.substr(Measurement.items, 9, 1) != "0",
        or_(StoredAssessment.episode_onset.is_(None),
            Measurement.taken_on >= StoredAssessment.episode_onset),
    ).label("safety_alert")


def panel_page(user: User, q: PanelQuery) -> PanelPage:
    """Return one page of the user's patients with their verdicts, in a single statement."""
    total = func.count().over().label("total")
    stmt = (
        select(Patient, StoredAssessment, total, _safety_alert())
        .join(care_team, care_team.c.patient_id == Patient.id)
        .join(StoredAssessment, StoredAssessment.patient_id == Patient.id)
        .where(care_team.c.user_id == user.id)
    )
    if q.search:
        like = f"%{q.search.lower()}%"
        stmt = stmt.where(or_(func.lower(Patient.name).like(like),
                              func.lower(Patient.mrn).like(like)))
    if q.flag in FLAGS:
        stmt = stmt.where(StoredAssessment.status == q.flag)
    column = SORTS.get(q.sort, Patient.name)
    order = column.desc().nulls_last() if q.descending else column.asc().nulls_last()
    stmt = stmt.order_by(order, Patient.id).limit(q.per_page).offset((q.page - 1) * q.per_page)
    result = db.session.execute(stmt).all()
    rows = [(patient, stored) for patient, stored, _, _ in result]
    alerts = frozenset(row.Patient.id for row in result if row.safety_alert)
    return PanelPage(rows, result[0].total if result else 0, q, alerts)
