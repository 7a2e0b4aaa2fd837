"""Augmentation criterion: agents taken for long enough alongside an antidepressant."""

from __future__ import annotations

from datetime import date

from ..courses import Course
from ..history import History
from .drugs import courses_in, doses, span
from .policy import Criterion
from .result import CriterionResult
from .windows import describe_window


def overlap_days(a: Course, b: Course, as_of: date) -> int:
    """Return the days two courses were taken together (stop dates exclusive)."""
    start = max(a.started, b.started)
    end = min(a.end_on(as_of), b.end_on(as_of))
    return max((end - start).days, 0)


def label_augmentation(criterion: Criterion) -> str:
    """Return an ``augmentation_courses`` criterion in words."""
    count = criterion.get("count")
    return (f"{count} augmentation agent{'s' if count > 1 else ''}, each taken >= "
            f"{criterion.get('min_days')} days alongside an antidepressant, "
            f"{describe_window(criterion.get('window'))}")


def augmentation_courses(criterion: Criterion, history: History, as_of: date
                         ) -> CriterionResult:
    """Judge an ``augmentation_courses`` criterion: distinct agents, each long enough."""
    window, min_days = criterion.get("window"), int(criterion.get("min_days"))
    count, label = int(criterion.get("count")), label_augmentation(criterion)
    antidepressants = courses_in(history, window, as_of, antidepressant=True)
    found: dict[str, str] = {}
    for course in courses_in(history, window, as_of, antidepressant=False):
        best = max(antidepressants, key=lambda a: overlap_days(course, a, as_of), default=None)
        days = overlap_days(course, best, as_of) if best else 0
        if best is None or days < min_days or course.agent.generic in found:
            continue
        found[course.agent.generic] = (
            f"{course.agent.generic} ({course.agent.drug_class}) {doses(course)}, "
            f"{span(course, as_of)}, taken with {best.agent.generic} for {days} days")
    evidence = tuple(found.values())
    if len(found) >= count:
        return CriterionResult(criterion.kind, label, True, evidence)
    more = count - len(found)
    missing = (f"{more} more augmentation agent{'s' if more > 1 else ''} to document (e.g. "
               f"lithium, an atypical antipsychotic, liothyronine), each taken >= {min_days} "
               f"days alongside an antidepressant {describe_window(window)}")
    return CriterionResult(criterion.kind, label, False, evidence, missing)
