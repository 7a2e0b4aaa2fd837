"""Drug criteria: failed antidepressant courses and augmentation courses.

Courses are rule 1's (``courses.build_courses``), judged by ``verdicts.judge_course`` under a
profile built from the criterion's parameters; treatment steps are rule 2's (``steps``).
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import combinations

from ..courses import Course, Record, build_courses, record_end
from ..episodes import episode_of
from ..history import History
from ..outcomes import NO_FAILURE, Scores, pct
from ..profiles import NOT_POOR, Profile
from ..steps import COMBINATION_DAYS, apart, group_steps
from ..verdicts import CourseVerdict, fmt_mg, judge_course
from ..vocab import Adherence, StopReason
from .policy import GOOD, Criterion
from .result import CriterionResult
from .windows import describe_window, in_window

FAILED, INTOLERANT, UNDECIDED = "failed", "intolerant", "undecided"


def courses_in(history: History, window: object, as_of: date, antidepressant: bool
               ) -> list[Course]:
    """Return the courses of antidepressants (or of augmentation agents) in the window.

    Records join into courses within their own episode only, as in the TRD rules.
    """
    groups: dict[str | None, list[Record]] = {}
    for i, t in enumerate(history.trials):
        if t.agent.is_antidepressant != antidepressant:
            continue
        record = Record(i, t, record_end(t, as_of))
        if in_window(history, window, t.episode, t.started, record.end, as_of):
            groups.setdefault(episode_of(history, t.episode, t.started), []).append(record)
    courses = [c for group in groups.values() for c in build_courses(group)]
    return sorted(courses, key=lambda c: (c.started, c.first))


def profile_for(criterion: Criterion) -> Profile:
    """Return the failure profile a ``failed_courses`` criterion describes."""
    good = criterion.get("adherence") == GOOD
    return Profile(
        name="coverage", title="coverage criterion", source="the policy",
        min_days=int(criterion.get("min_days")),
        nonresponse_pct=float(criterion.get("improvement_max_pct")),
        nonresponse_inclusive=bool(criterion.get("inclusive")),
        partial_is_failure=bool(criterion.get("partial_counts")),
        distinct_classes=int(criterion.get("classes")),
        adherence_accepted=frozenset({Adherence.GOOD}) if good else NOT_POOR)


def span(course: Course, as_of: date) -> str:
    """Return the course's dates: first dose to stop date, or ongoing on the as-of date."""
    end = course.end_on(as_of)
    last = "ongoing" if course.ongoing(as_of) else end.isoformat()
    return f"{course.started.isoformat()} to {last}"


def doses(course: Course) -> str:
    """Return the course's daily dose range, e.g. "100-150 mg/day"."""
    series = course.daily_doses() or [course.highest_dose()]
    low, high = min(series), max(series)
    return f"{fmt_mg(low)} mg/day" if low == high else f"{fmt_mg(low)}-{fmt_mg(high)} mg/day"


def course_words(v: CourseVerdict, as_of: date, status: str) -> str:
    """Describe a course so that a reviewer can find it in the chart."""
    agent = v.course.agent
    head = f"{agent.generic} ({agent.drug_class}) {doses(v.course)}"
    if status == INTOLERANT:
        return f"{head}, {span(v.course, as_of)}: stopped for side effects (counts as failed)"
    minimum = fmt_mg(agent.min_adequate_mg_per_day or 0)
    change = v.outcome.change
    if change is not None and change.change_pct is not None:
        result = (f"{change.instrument} {change.baseline.score} -> {change.end.score} "
                  f"({pct(change.change_pct)})")
        if not v.outcome.reason.startswith(change.instrument):
            result = f"{v.outcome.reason}; {result}"
    else:
        result = v.outcome.reason
    if status == UNDECIDED:
        result += " (not yet counted)"
    return (f"{head} for {v.run.best_days} days at >= {minimum} mg/day, "
            f"{span(v.course, as_of)}, {result}")


def _status(v: CourseVerdict, criterion: Criterion, as_of: date) -> str | None:
    """Say whether a course counts as failed, could count once documented, or does not."""
    last = v.course.last_record(as_of).trial
    if v.failed:
        return FAILED
    if (criterion.get("intolerance_counts") and not v.course.ongoing(as_of)
            and last.stop_reason == StopReason.SIDE_EFFECTS):
        return INTOLERANT
    if v.unknown:
        return UNDECIDED
    adherence = {r.trial.adherence for r in v.course.started_by(as_of)}
    undocumented = adherence <= {Adherence.GOOD, Adherence.UNKNOWN}
    adequate_run = v.run.adequate_on is not None and v.run.adequate_on <= as_of
    if not v.adherent and undocumented and adequate_run and v.outcome.result != NO_FAILURE:
        return UNDECIDED
    return None


def _gap(v: CourseVerdict) -> str:
    """Name what to document so that an undecided course can count."""
    name = v.course.agent.generic
    if not v.adherent:
        return f"{name}: document adherence (this policy needs good)"
    return (f"{name}: record the response, or a score in the 28 days before "
            f"{v.course.started.isoformat()} and one after it (outcome unknown)")


def choose(courses: list[Course], count: int, classes: int, steps: dict[int, int]
           ) -> tuple[Course, ...] | None:
    """Return the first ``count`` courses of different agents in different steps, or None.

    Up to two courses, steps are pairwise (first doses more than 14 days apart); above two,
    each course must fall in its own step of rule 2's grouping.
    """
    for chosen in combinations(courses, count):
        if len({c.agent.generic for c in chosen}) < count:
            continue
        if count > 2 and len({steps[c.first] for c in chosen}) < count:
            continue
        if count == 2 and not apart(*chosen):
            continue
        if len({c.agent.drug_class for c in chosen}) >= classes:
            return chosen
    return None


def most_counting(courses: list[Course], count: int, steps: dict[int, int]) -> int:
    """Return how many of the courses can count together, ignoring classes."""
    return next(n for n in range(min(count, len(courses)), 0, -1)
                if choose(courses, n, 1, steps)) if courses else 0


def label_failed(criterion: Criterion) -> str:
    """Return a ``failed_courses`` criterion in words."""
    profile = profile_for(criterion)
    count, classes = criterion.get("count"), profile.distinct_classes
    words = [f"{count} failed antidepressant course{'s' if count > 1 else ''}"]
    if classes > 1:
        words.append(f"of {classes} different classes")
    words.append(f"each >= {profile.min_days} days at an adequate dose")
    partial = "counts" if profile.partial_is_failure else "does not count"
    words.append(f"failure: improvement {profile.nonresponse_wording()}, a partial response "
                 f"{partial}")
    words.append("adherence good" if criterion.get("adherence") == GOOD else "adherence not poor")
    if criterion.get("intolerance_counts"):
        words.append("a course stopped for side effects counts")
    return ", ".join(words) + f", {describe_window(criterion.get('window'))}"


def _nearly(verdicts: list[CourseVerdict], profile: Profile, as_of: date) -> list[str]:
    """Name ongoing courses at an adequate dose that have not yet run long enough."""
    notes = []
    for v in verdicts:
        minimum = v.course.agent.min_adequate_mg_per_day or 0
        if (v.course.ongoing(as_of) and v.run.adequate_on is None
                and v.course.current_dose(as_of) >= minimum):
            more = profile.min_days - v.run.current_days
            notes.append(f"{v.course.agent.generic}: {more} more days at >= {fmt_mg(minimum)} "
                         f"mg/day (adequate on {(as_of + timedelta(days=more)).isoformat()} "
                         "if continued)")
    return notes


def failed_courses(criterion: Criterion, history: History, as_of: date) -> CriterionResult:
    """Judge a ``failed_courses`` criterion."""
    profile = profile_for(criterion)
    count, label = int(criterion.get("count")), label_failed(criterion)
    courses = courses_in(history, criterion.get("window"), as_of, antidepressant=True)
    scores = Scores(history.measurements)
    verdicts = [judge_course(c, c.run(profile.min_days), scores, profile, as_of)
                for c in courses]
    steps = {c.first: n for n, step in enumerate(group_steps(courses)) for c in step}
    status = {v.course.first: _status(v, criterion, as_of) for v in verdicts}
    by_first = {v.course.first: v for v in verdicts}
    counted = [v.course for v in verdicts if status[v.course.first] in (FAILED, INTOLERANT)]
    chosen = choose(counted, count, profile.distinct_classes, steps)
    if chosen:
        evidence = tuple(course_words(by_first[c.first], as_of, status[c.first]) for c in chosen)
        return CriterionResult(criterion.kind, label, True, evidence)
    possible = [v.course for v in verdicts if status[v.course.first] is not None]
    chosen = choose(possible, count, profile.distinct_classes, steps)
    evidence = tuple(course_words(by_first[c.first], as_of, status[c.first])
                     for c in (chosen or counted))
    if chosen:
        gaps = [_gap(by_first[c.first]) for c in chosen if status[c.first] == UNDECIDED]
        return CriterionResult(criterion.kind, label, None, evidence, "; ".join(gaps))
    found = most_counting(counted, count, steps)
    if found >= count:
        kinds = len({c.agent.drug_class for c in counted})
        missing = (f"an adequate failed course of another class to document (the failed "
                   f"courses found span {kinds} class{'es' if kinds > 1 else ''}; needed: {label})")
        return CriterionResult(criterion.kind, label, False, evidence, missing)
    missing = (f"{count - found} more adequate failed antidepressant course"
               f"{'s' if count - found > 1 else ''} to document (found {found} that count "
               f"together; needed: {label}; agents started more than {COMBINATION_DAYS} days "
               "apart)")
    near = _nearly(verdicts, profile, as_of)
    if near:
        missing += "; " + "; ".join(near)
    return CriterionResult(criterion.kind, label, False, evidence, missing)
