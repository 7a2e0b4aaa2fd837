"""Psychotherapy criterion: a course meeting every bound the policy states."""

from __future__ import annotations

from datetime import date

from ..history import History, Treatment
from ..vocab import TreatmentKind
from .policy import EVIDENCE_BASED, Criterion
from .result import CriterionResult, combine
from .windows import describe_window, in_window


def label_psychotherapy(criterion: Criterion) -> str:
    """Return a ``psychotherapy`` criterion in words."""
    words = ["an evidence-based psychotherapy course (" + ", ".join(EVIDENCE_BASED) + ")"
             if criterion.get("evidence_based") else "a psychotherapy course"]
    if criterion.get("min_sessions") is not None:
        words.append(f">= {criterion.get('min_sessions')} sessions")
    if criterion.get("min_days") is not None:
        words.append(f"lasting >= {criterion.get('min_days')} days")
    return ", ".join(words) + f", {describe_window(criterion.get('window'))}"


def _last_day(course: Treatment, as_of: date) -> date:
    return course.end if course.end is not None and course.end <= as_of else as_of


def course_checks(criterion: Criterion, course: Treatment, as_of: date
                  ) -> list[tuple[bool | None, str]]:
    """Return each bound's verdict on one course, with what to record when it is unknown."""
    checks: list[tuple[bool | None, str]] = []
    if criterion.get("evidence_based"):
        modality = course.modality
        known = None if modality is None else modality.upper() in EVIDENCE_BASED
        checks.append((known, "record its modality"))
    sessions = criterion.get("min_sessions")
    if sessions is not None:
        met = None if course.sessions is None else course.sessions >= sessions
        checks.append((met, "record its number of sessions"))
    days = criterion.get("min_days")
    if days is not None:
        checks.append(((_last_day(course, as_of) - course.start).days >= days, ""))
    return checks


def course_words(course: Treatment, as_of: date) -> str:
    """Describe a psychotherapy course for a reviewer."""
    parts = [course.modality or "modality not recorded"]
    if course.sessions is not None:
        parts.append(f"{course.sessions} sessions")
    end = course.end.isoformat() if course.end is not None and course.end <= as_of else "ongoing"
    return f"psychotherapy ({', '.join(parts)}), {course.start.isoformat()} to {end}"


def psychotherapy(criterion: Criterion, history: History, as_of: date) -> CriterionResult:
    """Judge a ``psychotherapy`` criterion: met by any one course meeting every bound."""
    label, window = label_psychotherapy(criterion), criterion.get("window")
    courses = [t for t in history.treatments if t.kind == TreatmentKind.PSYCHOTHERAPY
               and in_window(history, window, t.episode, t.start, _last_day(t, as_of), as_of)]
    verdicts = [(t, course_checks(criterion, t, as_of)) for t in courses]
    met = [t for t, checks in verdicts if combine([m for m, _ in checks]) is True]
    if met:
        return CriterionResult(criterion.kind, label, True, (course_words(met[0], as_of),))
    evidence = tuple(course_words(t, as_of) for t in courses)
    unknown = [(t, checks) for t, checks in verdicts if combine([m for m, _ in checks]) is None]
    if unknown:
        fixes = [f"psychotherapy from {t.start.isoformat()}: "
                 + " and ".join(why for m, why in checks if m is None) for t, checks in unknown]
        return CriterionResult(criterion.kind, label, None, evidence, "; ".join(fixes))
    return CriterionResult(criterion.kind, label, False, evidence, f"document {label}")
