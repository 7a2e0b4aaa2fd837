"""What is still needed for the flag, naming the record and the field (Version 2 rule 9).

Each item names the course and what would change the verdict; the forecast says when the
ongoing course nearest to adequacy becomes adequate if continued, and whether its failure would
then meet the flag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .outcomes import BASELINE_WINDOW_DAYS, NO_BASELINE, NO_FOLLOW_UP, NO_SCORES, UNKNOWN
from .profiles import Profile
from .steps import COMBINATION_DAYS, combined_pairs, pair_counts, qualifying_pair
from .verdicts import CourseVerdict, fmt_mg
from .vocab import Adherence


@dataclass(frozen=True)
class Forecast:
    """When the ongoing course nearest to adequacy becomes adequate, and what then."""

    drug: str
    course_adequate_on: date
    trd_if_failed_on: date | None

    def to_dict(self) -> dict:
        return {
            "course_adequate_on": self.course_adequate_on.isoformat(),
            "trd_if_failed_on": self.trd_if_failed_on.isoformat() if self.trd_if_failed_on
            else None,
            "drug": self.drug,
        }


def _minimum(v: CourseVerdict) -> float:
    return v.course.agent.min_adequate_mg_per_day or 0


def _growing(v: CourseVerdict, as_of: date) -> bool:
    """Say whether the course is ongoing, not yet adequate, at or above the minimum dose."""
    return (v.run.adequate_on is None and v.course.ongoing(as_of)
            and v.course.current_dose(as_of) >= _minimum(v))


def forecast(verdicts: list[CourseVerdict], profile: Profile, as_of: date) -> Forecast | None:
    """Return the forecast for the ongoing course nearest to adequacy, or None."""
    growing = [v for v in verdicts if _growing(v, as_of)]
    if not growing:
        return None
    nearest = min(growing, key=lambda v: (profile.min_days - v.run.current_days, v.course.first))
    on = as_of + timedelta(days=profile.min_days - nearest.run.current_days)
    partners = [v.course for v in verdicts if v.failed]
    meets = any(pair_counts(nearest.course, other, profile) for other in partners)
    return Forecast(nearest.course.agent.generic, on, on if meets else None)


def _duration_item(v: CourseVerdict, profile: Profile, as_of: date) -> str | None:
    drug, minimum = v.course.agent.generic, fmt_mg(_minimum(v))
    if v.run.adequate_on is not None or not v.course.ongoing(as_of):
        return None
    if _growing(v, as_of):
        more = profile.min_days - v.run.current_days
        on = (as_of + timedelta(days=more)).isoformat()
        return f"{drug}: {more} more days at >= {minimum} mg/day (adequate on {on} if continued)"
    return (f"{drug}: raise the dose to >= {minimum} mg/day (now "
            f"{fmt_mg(v.course.current_dose(as_of))} mg/day), then {profile.min_days} days at it")


def _adherence_item(v: CourseVerdict, profile: Profile) -> str | None:
    undocumented = [r for r in v.course.records if r.trial.adherence == Adherence.UNKNOWN
                    and r.trial.adherence not in profile.adherence_accepted]
    if not undocumented:
        return None
    accepted = " or ".join(sorted(profile.adherence_accepted))
    return f"{v.course.agent.generic}: document adherence (this definition needs {accepted})"


def _outcome_item(v: CourseVerdict) -> str | None:
    if not v.adequate or v.outcome.result != UNKNOWN:
        return None
    drug, start = v.course.agent.generic, v.course.started.isoformat()
    baseline = f"a baseline score in the {BASELINE_WINDOW_DAYS} days before {start}"
    if v.outcome.gap == NO_BASELINE:
        return f"{drug}: {baseline}, or a recorded response"
    if v.outcome.gap == NO_FOLLOW_UP:
        return (f"{drug}: a follow-up score after {start} on the instrument of the baseline, "
                "or a recorded response")
    if v.outcome.gap == NO_SCORES:
        return (f"{drug}: {baseline} and a later score of the same instrument, "
                "or a recorded response")
    return (f"{drug}: the baseline score is 0, so no improvement can be measured: "
            "record the response")


def _course_items(v: CourseVerdict, profile: Profile, as_of: date) -> list[str]:
    if v.failed:
        return []
    items = [_duration_item(v, profile, as_of), _outcome_item(v)]
    if v.run.adequate_on is not None or v.course.ongoing(as_of):
        items.insert(1, _adherence_item(v, profile))
    return [i for i in items if i]


def _count_item(verdicts: list[CourseVerdict], profile: Profile) -> str:
    failed = [v.course for v in verdicts if v.failed]
    two_classes = profile.distinct_classes >= 2
    if not failed:
        kinds = "antidepressants of two different classes" if two_classes \
            else "different antidepressants"
        return (f"two adequate failed trials of {kinds}, started more than {COMBINATION_DAYS} "
                "days apart")
    if two_classes:
        classes = ", ".join(sorted({c.agent.drug_class for c in failed}))
        need = f"one more adequate failed trial of an antidepressant from a class other than " \
               f"{classes} (this definition needs two classes)"
    else:
        agents = " and ".join(sorted({c.agent.generic for c in failed}))
        need = f"one more adequate failed trial of an antidepressant other than {agents}"
    together = combined_pairs(failed)
    if together and len({c.agent.generic for c in failed}) > 1:
        latest = max(c.started for c in failed).isoformat()
        names = " and ".join(sorted({c.agent.generic for pair in together for c in pair}))
        need = (f"one more adequate failed trial of an antidepressant started more than "
                f"{COMBINATION_DAYS} days after {latest} ({names} were started together: one "
                "combination step)")
    return need


def missing(verdicts: list[CourseVerdict], profile: Profile, as_of: date) -> tuple[str, ...]:
    """Say what the history lacks for the flag: each fixable course, then any further trial."""
    needs: list[str] = []
    fixable = []
    for v in verdicts:
        items = _course_items(v, profile, as_of)
        needs += items
        if items:
            fixable.append(v.course)
    potential = [v.course for v in verdicts if v.failed] + fixable
    if qualifying_pair(potential, profile) is None:
        needs.append(_count_item(verdicts, profile))
    return tuple(needs)
