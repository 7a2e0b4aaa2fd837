"""The panel query: one statement for a whole page of patients with their stored verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, func, or_, select

from tracker.assessments import reassess
from tracker.coverage.store import refresh_coverage
from tracker.extensions import db
from tracker.models import Patient, StoredAssessment, StoredCoverage, Trial, User, care_team

SORTS = {
    "name": Patient.sort_name,
    "mrn": Patient.mrn,
    "episode": StoredAssessment.episode_onset,
    "failed": StoredAssessment.failed_count,
    "first_met": StoredAssessment.first_met,
    "maudsley": StoredAssessment.maudsley_score,
}
FLAGS = ("met", "not_met", "outcome_missing")
ELIGIBILITY = {"eligible": True, "not_eligible": False, "undecided": None}


@dataclass(frozen=True)
class PanelQuery:
    """What the clinician asked the panel for."""

    search: str = ""
    flag: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1
    per_page: int = 25
    coverage: str = ""  # an enabled policy id: show its column
    eligibility: str = ""  # a key of ELIGIBILITY: filter on it


@dataclass(frozen=True)
class PanelRow:
    """A patient with the stored verdict; ``has_trials`` is False for a patient with no
    history yet, whose "not met" means nothing has been logged."""

    patient: Patient
    verdict: StoredAssessment
    has_trials: bool


@dataclass(frozen=True)
class PanelPage:
    rows: list[PanelRow]
    total: int
    query: PanelQuery
    coverage: dict[int, bool | None] | None = None  # patient id -> eligible, for q.coverage

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def refresh_stale(user: User, today: date, coverage: str = "") -> int:
    """Recompute, in bulk, the user's verdicts that expired by ``today``; return how many.

    A verdict holds until its ``valid_until`` date (None: until the history changes), so a
    morning's first panel recomputes only what time itself changed. With ``coverage`` (a policy
    id), results under that policy computed before today are recomputed too: eligibility can
    change by itself (a birthday, a score leaving its window).
    """
    expired = or_(StoredAssessment.patient_id.is_(None), StoredAssessment.valid_until <= today)
    stmt = (select(Patient.id, StoredAssessment.patient_id, StoredAssessment.valid_until)
            .join(care_team, care_team.c.patient_id == Patient.id)
            .outerjoin(StoredAssessment)
            .where(care_team.c.user_id == user.id))
    if coverage:
        stored = (StoredCoverage.patient_id == Patient.id) & (StoredCoverage.policy_id == coverage)
        stmt = stmt.outerjoin(StoredCoverage, stored).where(or_(
            expired, StoredCoverage.patient_id.is_(None), StoredCoverage.computed_on < today))
    else:
        stmt = stmt.where(expired)
    rows = db.session.execute(stmt).all()
    stale = [pid for pid, has, until in rows if has is None or (until and until <= today)]
    outdated = sorted({pid for pid, _, _ in rows} - set(stale))
    refresh_coverage(outdated, today)
    return reassess(stale, today, stored={pid for pid, has, _ in rows if has is not None}) \
        + len(outdated)


def _matches(search: str):
    """Return the condition for a search: the MRN, or every word in the name in any order
    ("Morris, Helen" finds Helen Morris)."""
    words = search.lower().replace(",", " ").split()
    name = and_(*(func.lower(Patient.name).like(f"%{word}%") for word in words))
    return or_(name, func.lower(Patient.mrn).like(f"%{search.lower()}%"))


def panel_page(user: User, q: PanelQuery) -> PanelPage:
    """Return one page of the user's patients with their verdicts, in a single statement."""
    total = func.count().over().label("total")
    has_trials = exists().where(Trial.patient_id == Patient.id,
                                Trial.entered_in_error_at.is_(None)).label("has_trials")
    stmt = (
        select(Patient, StoredAssessment, has_trials, total)
        .join(care_team, care_team.c.patient_id == Patient.id)
        .join(StoredAssessment, StoredAssessment.patient_id == Patient.id)
        .where(care_team.c.user_id == user.id)
    )
    if q.search.replace(",", " ").strip():
        stmt = stmt.where(_matches(q.search))
    if q.flag in FLAGS:
        stmt = stmt.where(StoredAssessment.status == q.flag)
    if q.coverage:
        stmt = _with_coverage(stmt, q)
    column = SORTS.get(q.sort, Patient.name)
    order = column.desc().nulls_last() if q.descending else column.asc().nulls_last()
    stmt = stmt.order_by(order, Patient.id).limit(q.per_page).offset((q.page - 1) * q.per_page)
    result = db.session.execute(stmt).all()
    rows = [PanelRow(row[0], row[1], bool(row.has_trials)) for row in result]
    coverage = {row[0].id: row.eligible for row in result} if q.coverage else None
    return PanelPage(rows, result[0].total if result else 0, q, coverage)


def _with_coverage(stmt, q: PanelQuery):
    """Add the chosen policy's stored eligibility (same statement) and filter on it."""
    stored = (StoredCoverage.patient_id == Patient.id) & (StoredCoverage.policy_id == q.coverage)
    stmt = stmt.outerjoin(StoredCoverage, stored).add_columns(StoredCoverage.eligible)
    if q.eligibility in ELIGIBILITY:
        wanted = ELIGIBILITY[q.eligibility]
        if wanted is None:
            stmt = stmt.where(StoredCoverage.patient_id.is_not(None),
                              StoredCoverage.eligible.is_(None))
        else:
            stmt = stmt.where(StoredCoverage.eligible.is_(wanted))
    return stmt
