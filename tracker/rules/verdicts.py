"""Judging courses, and each record through its course, under one profile on one date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .courses import Course, Record, Run, build_courses, joined_reason, record_end
from .episodes import current_episode, episode_of, in_current
from .history import History
from .outcomes import FAILURE, UNKNOWN, Outcome, Scores, Window, fails, outcome_of
from .profiles import Profile
from .steps import combined_pairs, qualifying_pair
from .vocab import Response, StopReason


def fmt_mg(mg: float) -> str:
    """Return a dose without a needless ".0"."""
    return f"{mg:g}"


@dataclass(frozen=True)
class CourseVerdict:
    """How one course fares: adequacy, adherence and outcome, with the run behind them."""

    course: Course
    run: Run
    adherent: bool
    adequate: bool
    outcome: Outcome

    @property
    def failed(self) -> bool:
        return self.adequate and self.outcome.result == FAILURE

    @property
    def unknown(self) -> bool:
        return self.adequate and self.outcome.result == UNKNOWN


def records_by_episode(history: History, as_of: date) -> tuple[list[Record], list[list[Record]]]:
    """Return the current episode's antidepressant records started by ``as_of``, and the
    other episodes' (one list per episode), so that courses never cross an episode."""
    current, others = [], {}
    for i, t in enumerate(history.trials):
        if not t.agent.is_antidepressant or t.started > as_of:
            continue
        record = Record(i, t, record_end(t, as_of))
        if in_current(history, t.episode, t.started, as_of):
            current.append(record)
        else:
            others.setdefault(episode_of(history, t.episode, t.started), []).append(record)
    return current, list(others.values())


def judge_course(course: Course, run: Run, scores: Scores, profile: Profile, day: date
                 ) -> CourseVerdict:
    """Judge a course as it stood on ``day`` (its records started by then)."""
    records = course.started_by(day)
    adherent = all(r.trial.adherence in profile.adherence_accepted for r in records)
    adequate = adherent and run.adequate_on is not None and run.adequate_on <= day
    last = course.last_record(day).trial
    window = Window(course.started, course.end_on(day))
    outcome = outcome_of(course.agent.generic, last.response, window, scores, profile)
    return CourseVerdict(course, run, adherent, adequate, outcome)


def judge_courses(history: History, profile: Profile, as_of: date, scores: Scores
                  ) -> tuple[list[CourseVerdict], list[CourseVerdict]]:
    """Build and judge, as of ``as_of``, the current episode's courses and the others' courses.

    Only the current episode's count; the others are judged so that their records can say how
    they fared in their own episode.
    """
    current, others = records_by_episode(history, as_of)

    def judged(records: list[Record]) -> list[CourseVerdict]:
        return [judge_course(c, c.run(profile.min_days), scores, profile, as_of)
                for c in build_courses(records)]

    return judged(current), [v for records in others for v in judged(records)]


def failed_on(v: CourseVerdict, scores: Scores, profile: Profile, day: date) -> bool:
    """Say whether the course, adequate in duration by ``day``, was an adequate failure then."""
    records = v.course.started_by(day)
    if not all(r.trial.adherence in profile.adherence_accepted for r in records):
        return False
    window = Window(v.course.started, v.course.end_on(day))
    return fails(v.course.last_record(day).trial.response, window, scores, profile)


def failure_changes(v: CourseVerdict, scores: Scores, profile: Profile, as_of: date
                    ) -> list[tuple[date, bool]]:
    """Return the days on which the course's being an adequate failure could change, each with
    its value from that day on: its adequacy date, a later record's start (a new last record or
    adherence), and, while a response is unrecorded, each score inside its window after that."""
    if v.run.adequate_on is None or v.run.adequate_on > as_of:
        return []
    first = v.run.adequate_on
    days = {first, *(r.start for r in v.course.records if first < r.start)}
    if any(r.trial.response == Response.UNKNOWN for r in v.course.records):
        end = v.course.end_on(as_of)
        days.update(d for d in scores.days() if first < d <= end)
    return [(day, failed_on(v, scores, profile, day)) for day in sorted(days)]


def first_met(history: History, profile: Profile, as_of: date,
              verdicts: list[CourseVerdict], scores: Scores) -> date | None:
    """Return the earliest day in the current episode on which the flag would have been true.

    Version 2 rule 3: on or after the current episode's onset; the earliest such day even if
    the flag was false for a while in between. Each course is judged only on the days its own
    status could change; the flag is tested where any of them changes.
    """
    episode = current_episode(history, as_of)
    onset = episode.onset if episode else date.min
    # Changes before the onset take effect on it, in their own order.
    events = sorted((max(day, onset), day, i, failed)
                    for i, v in enumerate(verdicts)
                    for day, failed in failure_changes(v, scores, profile, as_of))
    failed_now: dict[int, Course] = {}
    for n, (day, _, i, failed) in enumerate(events):
        if failed:
            failed_now[i] = verdicts[i].course
        else:
            failed_now.pop(i, None)
        last_of_day = n + 1 == len(events) or events[n + 1][0] != day
        if last_of_day and qualifying_pair(list(failed_now.values()), profile):
            return day
    return None  # pragma: no cover - unreachable: the flag is true on as_of itself


def duration_reason(v: CourseVerdict, profile: Profile, as_of: date) -> str:
    """Describe the course's days at adequate dose against the profile's minimum."""
    agent = v.course.agent
    minimum = fmt_mg(agent.min_adequate_mg_per_day or 0)
    days = v.run.best_days
    if days >= profile.min_days:
        return f"{days} days at >= {minimum} mg/day (needs {profile.min_days})"
    highest = v.course.highest_dose()
    if highest < (agent.min_adequate_mg_per_day or 0):
        return (f"never reached the minimum adequate dose of {minimum} mg/day "
                f"(highest {fmt_mg(highest)} mg/day)")
    reason = f"only {days} of {profile.min_days} days at >= {minimum} mg/day"
    if v.course.last_record(as_of).trial.stop_reason == StopReason.SIDE_EFFECTS:
        reason += "; stopped early for side effects, so not a failed trial"
    return reason


def course_reasons(v: CourseVerdict, profile: Profile, as_of: date) -> list[str]:
    """Return the reasons every record of the course reports, in reading order."""
    reasons = [r for r in (joined_reason(v.course),) if r]
    reasons.append(duration_reason(v, profile, as_of))
    if not v.adherent:
        accepted = " or ".join(sorted(profile.adherence_accepted))
        seen = sorted({str(r.trial.adherence) for r in v.course.records
                       if r.trial.adherence not in profile.adherence_accepted})
        reasons.append(f"adherence {', '.join(seen)}; this profile needs {accepted}")
    reasons.append(v.outcome.reason)
    return reasons


def combination_reasons(verdicts: list[CourseVerdict]) -> dict[int, list[str]]:
    """Say, per course (by its first record), which failed pairs count as one step."""
    notes: dict[int, list[str]] = {}
    for a, b in combined_pairs([v.course for v in verdicts if v.failed]):
        words = (f"{a.agent.generic} and {b.agent.generic} were started within 14 days of each "
                 f"other ({a.started.isoformat()} and {b.started.isoformat()}): one combination "
                 "step, so together they count as one failed step, not two")
        notes.setdefault(a.first, []).append(words)
        notes.setdefault(b.first, []).append(words)
    return notes


def standing_pair(verdicts: list[CourseVerdict], profile: Profile) -> bool:
    """Say whether the failed courses meet the flag."""
    return qualifying_pair([v.course for v in verdicts if v.failed], profile) is not None


def pair_if_unknown_failed(verdicts: list[CourseVerdict], profile: Profile) -> bool:
    """Say whether the flag would be met if every adequate course of unknown outcome failed."""
    courses = [v.course for v in verdicts if v.failed or v.unknown]
    return qualifying_pair(courses, profile) is not None
