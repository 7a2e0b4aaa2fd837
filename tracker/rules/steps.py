"""Treatment steps: antidepressants started together are one step (Version 2 rule 2).

Two antidepressants started within ``COMBINATION_DAYS`` of each other and both failing are one
combination step, not two failures (Fava 2003, Biol Psychiatry 53:649; STAR*D counts levels, not
agents). An antidepressant added later is a new step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import combinations

from .courses import Course
from .profiles import Profile

COMBINATION_DAYS = 14  # Version 2 rule 2: first doses more than 14 days apart are two steps


def apart(a: Course, b: Course) -> bool:
    """Say whether two courses' first doses are more than ``COMBINATION_DAYS`` apart."""
    return abs((a.started - b.started).days) > COMBINATION_DAYS


def pair_counts(a: Course, b: Course, profile: Profile) -> bool:
    """Say whether two failed courses together meet the flag under ``profile``."""
    if a.agent.generic == b.agent.generic or not apart(a, b):
        return False
    return profile.distinct_classes < 2 or a.agent.drug_class != b.agent.drug_class


def qualifying_pair(failed: Sequence[Course], profile: Profile) -> tuple[Course, Course] | None:
    """Return the first pair of failed courses that meets the flag, or None."""
    return next((p for p in combinations(failed, 2) if pair_counts(*p, profile)), None)


def combined_pairs(failed: Sequence[Course]) -> list[tuple[Course, Course]]:
    """Return the pairs of failed courses of different agents started too close to count."""
    return [(a, b) for a, b in combinations(failed, 2)
            if a.agent.generic != b.agent.generic and not apart(a, b)]


def group_steps(courses: Iterable[Course]) -> list[list[Course]]:
    """Group courses into steps in order of first dose.

    A course opens a new step when its first dose is more than ``COMBINATION_DAYS`` after the
    first dose of the current step's first course (days 5, 15, 25: steps {5, 15} and {25}).
    """
    steps: list[list[Course]] = []
    for course in sorted(courses, key=lambda c: (c.started, c.first)):
        if steps and not apart(steps[-1][0], course):
            steps[-1].append(course)
        else:
            steps.append([course])
    return steps
