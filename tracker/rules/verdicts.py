"""Judging courses, and each record through its course, under one profile on one date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .courses import Course, Record, Run, build_courses, joined_reason, record_end
from .episodes import current_episode, episode_of, membership
from .history import History
from .outcomes import FAILURE, UNKNOWN, Outcome, Window, outcome_of
from .profiles import Profile
from .steps import combined_pairs, qualifying_pair
from .vocab import StopReason


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
        if membership(history, t.episode, t.started, as_of)[0]:
            current.append(record)
        else:
            others.setdefault(episode_of(history, t.episode, t.started), []).append(record)
    return current, list(others.values())


def judge_course(course: Course, run: Run, history: History, profile: Profile, day: date
                 ) -> CourseVerdict:
    """Judge a course as it stood on ``day`` (its records started by then)."""
    records = course.started_by(day)
    adherent = all(r.trial.adherence in profile.adherence_accepted for r in records)
    adequate = adherent and run.adequate_on is not None and run.adequate_on <= day
    last = course.last_record(day).trial
    window = Window(course.started, course.end_on(day))
    outcome = outcome_of(course.agent.generic, last.response, window, history.measurements,
                         profile)
    return CourseVerdict(course, run, adherent, adequate, outcome)


def judge_courses(history: History, profile: Profile, as_of: date
                  ) -> tuple[list[CourseVerdict], list[CourseVerdict]]:
    """Build and judge, as of ``as_of``, the current episode's courses and the others' courses.

    Only the current episode's count; the others are judged so that their records can say how
    they fared in their own episode.
    """
    current, others = records_by_episode(history, as_of)

    def judged(records: list[Record]) -> list[CourseVerdict]:
        return [judge_course(c, c.run(profile.min_days), history, profile, as_of)
                for c in build_courses(records)]

    return judged(current), [v for records in others for v in judged(records)]


def _candidate_days(history: History, verdicts: list[CourseVerdict], start: date | None,
                    as_of: date) -> list[date]:
    days = {as_of, *(m.day for m in history.measurements)}
    for v in verdicts:
        days.update(r.start for r in v.course.records)
        days.update(r.trial.stopped for r in v.course.records if r.trial.stopped)
        if v.run.adequate_on:
            days.add(v.run.adequate_on)
    if start is not None:
        days.add(start)
    return sorted(d for d in days if (start is None or d >= start) and d <= as_of)


def first_met(history: History, profile: Profile, as_of: date,
              verdicts: list[CourseVerdict]) -> date | None:
    """Return the earliest day in the current episode on which the flag would have been true.

    Version 2 rule 3: on or after the current episode's onset; the earliest such day even if
    the flag was false for a while in between. Each course's run is computed once; only the
    outcome is judged again on each day that could change it.
    """
    episode = current_episode(history, as_of)
    for day in _candidate_days(history, verdicts, episode.onset if episode else None, as_of):
        failed = []
        for v in verdicts:
            if v.course.started > day or v.run.adequate_on is None or v.run.adequate_on > day:
                continue
            if judge_course(v.course, v.run, history, profile, day).failed:
                failed.append(v.course)
        if qualifying_pair(failed, profile):
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
