"""The panel query: one statement for a whole page of patients with their stored verdicts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, func, or_, select

from tracker.assessments import reassess
from tracker.coverage.store import refresh_coverage
from tracker.extensions import db
from tracker.models import Patient, StoredAssessment, StoredCoverage, Trial, User, care_team
from tracker.transactions import writing

SORTS = {
    "name": Patient.sort_name,
    "mrn": Patient.mrn,
    "episode": StoredAssessment.episode_onset,
    "failed": StoredAssessment.failed_count,
    "first_met": StoredAssessment.first_met,
    "maudsley": StoredAssessment.maudsley_score,
}
VERDICT_SORTS = {"episode", "failed", "first_met", "maudsley"}
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

    @property
    def by_verdict(self) -> bool:
        """True when which patients the page shows depends on their verdicts (sorted or
        filtered by one), so every stale verdict of the panel must be recomputed first."""
        return (self.sort in VERDICT_SORTS or self.flag in FLAGS
                or bool(self.coverage and self.eligibility in ELIGIBILITY))


@dataclass(frozen=True)
class PanelRow:
    """A patient with the stored verdict; ``has_trials`` is False for a patient with no
    history yet, whose "not met" means nothing has been logged. ``verdict`` is None only for a
    patient never assessed. ``expired``: the verdict must be recomputed before it is shown;
    ``outdated``: the chosen policy's result must (the verdict still holds)."""

    patient: Patient
    verdict: StoredAssessment | None
    has_trials: bool
    expired: bool = False
    outdated: bool = False

    @property
    def stale(self) -> bool:
        return self.expired or self.outdated


@dataclass(frozen=True)
class PanelPage:
    rows: list[PanelRow]
    total: int
    query: PanelQuery
    coverage: dict[int, bool | None] | None = None  # patient id -> eligible, for q.coverage
    stale: int = 0  # by-verdict pages: how many of the whole panel's verdicts are stale

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.query.per_page))


def _expired(today: date):
    return or_(StoredAssessment.patient_id.is_(None), StoredAssessment.valid_until <= today)


def _outdated(today: date):
    """The chosen policy's stored result is missing or was computed before ``today``."""
    return or_(StoredCoverage.patient_id.is_(None), StoredCoverage.computed_on < today)


def _with_stored_coverage(stmt, coverage: str, patient=Patient.id):
    stored = (StoredCoverage.patient_id == patient) & (StoredCoverage.policy_id == coverage)
    return stmt.outerjoin(StoredCoverage, stored)


def _stale(user: User, today: date, coverage: str = ""):
    """Select (patient id, has a stored verdict, verdict expired) of the user's patients whose
    verdict expired by ``today``, or who have none; with ``coverage`` (a policy id), also
    those whose result under that policy was computed before today."""
    patient = care_team.c.patient_id
    stmt = (select(patient, StoredAssessment.patient_id.is_not(None), _expired(today))
            .outerjoin(StoredAssessment, StoredAssessment.patient_id == patient)
            .where(care_team.c.user_id == user.id))
    if coverage:
        return _with_stored_coverage(stmt, coverage, patient).where(
            or_(_expired(today), _outdated(today)))
    return stmt.where(_expired(today))


def refresh_stale(user: User, today: date, coverage: str = "") -> int:
    """Recompute, in bulk, the user's verdicts that expired by ``today``; return how many.

    A verdict holds until its ``valid_until`` date (None: until the history changes), so a
    morning's first panel recomputes only what time itself changed. With ``coverage`` (a policy
    id), results under that policy computed before today are recomputed too: eligibility can
    change by itself (a birthday, a score leaving its window).
    """
    writing()  # read what is stale in the transaction that writes it
    return _recompute(db.session.execute(_stale(user, today, coverage)).all(), today)


def _recompute(stale: list[tuple[int, bool, bool]], today: date) -> int:
    """Recompute, in bulk, (patient id, has a stored verdict, verdict expired): an expired
    verdict with its coverage, else only the chosen policy's result. Return how many."""
    writing()
    expired = [pid for pid, _, is_expired in stale if is_expired]
    outdated = [pid for pid, _, is_expired in stale if not is_expired]
    refresh_coverage(outdated, today)
    return reassess(expired, today, stored={pid for pid, stored, _ in stale if stored}) \
        + len(outdated)


def current_page(user: User, q: PanelQuery, today: date) -> PanelPage:
    """Return the page the clinician asked for with every verdict on it current.

    Usually one statement: the page query also tells which verdicts are stale. When some
    are, they are recomputed in bulk and the page read again: all of the panel's when the
    page is chosen by verdict (sorted or filtered by one), else only the page's own rows (a
    morning's first panel, sorted by name, recomputes 25 verdicts, not 1,000).
    """
    page = panel_page(user, q, today)
    if q.by_verdict and page.stale:
        refresh_stale(user, today, q.coverage)
    elif any(row.stale for row in page.rows):
        _recompute([(row.patient.id, row.verdict is not None, row.expired)
                    for row in page.rows if row.stale], today)
    else:
        return page
    return panel_page(user, q, today)


def _matches(search: str):
    """Return the condition for a search: the MRN, or every word in the name in any order
    ("Morris, Helen" finds Helen Morris)."""
    words = search.lower().replace(",", " ").split()
    name = and_(*(func.lower(Patient.name).like(f"%{word}%") for word in words))
    return or_(name, func.lower(Patient.mrn).like(f"%{search.lower()}%"))


def panel_page(user: User, q: PanelQuery, today: date | None = None) -> PanelPage:
    """Return one page of the user's patients with their stored verdicts, in one statement.

    An inner query picks the page's patient ids in order and counts every match (its rows
    are narrow: sorting and counting 1,000 wide rows cost three times as much); the outer one
    reads those patients' rows. With ``today``, it marks the page's stale verdicts
    (``PanelRow.stale``) and, for a page chosen by verdict, counts the whole panel's
    (``PanelPage.stale``); a patient never assessed is on the page with ``verdict`` None.
    ``current_page`` recomputes what is stale.
    """
    page = _page_ids(user, q)
    has_trials = exists().where(Trial.patient_id == page.c.id,
                                Trial.entered_in_error_at.is_(None)).label("has_trials")
    stmt = (select(Patient, StoredAssessment, has_trials, page.c.total)
            .join(page, page.c.id == Patient.id)
            .outerjoin(StoredAssessment, StoredAssessment.patient_id == page.c.id))
    if today is not None:
        stmt = stmt.add_columns(_expired(today).label("expired"))
    counts_stale = today is not None and q.by_verdict
    if counts_stale:
        stale = select(func.count()).select_from(_stale(user, today, q.coverage).subquery())
        stmt = stmt.add_columns(stale.scalar_subquery().label("stale"))
    if q.coverage:
        stmt = _with_stored_coverage(stmt, q.coverage, page.c.id).add_columns(
            StoredCoverage.eligible)
        if today is not None:
            stmt = stmt.add_columns(_outdated(today).label("outdated"))
    result = db.session.execute(stmt.order_by(_order(page.c.key, q), page.c.id)).all()
    rows = [PanelRow(row[0], row[1], bool(row.has_trials),  # expired, outdated: with today
                     bool(getattr(row, "expired", False)), bool(getattr(row, "outdated", False)))
            for row in result]
    coverage = {row[0].id: row.eligible for row in result} if q.coverage else None
    total = result[0].total if result else 0
    if not counts_stale:
        return PanelPage(rows, total, q, coverage)
    # an empty page (a filter that matches nobody yet) counts the stale verdicts apart
    return PanelPage(rows, total, q, coverage,
                     result[0].stale if result else db.session.scalar(stale))


def _page_ids(user: User, q: PanelQuery):
    """Return the subquery of the page's patients: (id, sort key, how many match)."""
    key = SORTS.get(q.sort, Patient.name)
    stmt = (select(Patient.id.label("id"), key.label("key"), func.count().over().label("total"))
            .join(care_team, care_team.c.patient_id == Patient.id)
            .outerjoin(StoredAssessment, StoredAssessment.patient_id == Patient.id)
            .where(care_team.c.user_id == user.id))
    if q.search.replace(",", " ").strip():
        stmt = stmt.where(_matches(q.search))
    if q.flag in FLAGS:
        stmt = stmt.where(StoredAssessment.status == q.flag)
    if q.coverage and q.eligibility in ELIGIBILITY:
        stmt = _eligible(_with_stored_coverage(stmt, q.coverage), ELIGIBILITY[q.eligibility])
    return (stmt.order_by(_order(key, q), Patient.id).limit(q.per_page)
            .offset((q.page - 1) * q.per_page).subquery("page"))


def _order(column, q: PanelQuery):
    # The episode column shows weeks since onset: fewest weeks first is latest onset first.
    descending = q.descending != (q.sort == "episode")
    return column.desc().nulls_last() if descending else column.asc().nulls_last()


def _eligible(stmt, wanted: bool | None):
    """Keep the patients whose stored result under the chosen policy is ``wanted`` (None:
    computed but undecided)."""
    if wanted is None:
        return stmt.where(StoredCoverage.patient_id.is_not(None),
                          StoredCoverage.eligible.is_(None))
    return stmt.where(StoredCoverage.eligible.is_(wanted))
