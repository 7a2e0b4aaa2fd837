"""Courses: the records of one agent joined across renewals, formulation switches and short gaps.

Version 2 rule 1 (``shared/reference/trd-definitions.md``): records of the same generic agent in
the same episode whose windows overlap, touch or are separated by at most ``MAX_GAP_DAYS`` form
one course, and the course is what is judged. On a day covered by several records, the dose of
the record that started last applies (doses are never added); gap days neither break the run at
adequate dose nor count in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise
from typing import NamedTuple

from .history import Agent, Trial

MAX_GAP_DAYS = 7  # Version 2 rule 1: a gap of at most 7 days joins two records
LATEST = date.max  # an ongoing record sorts after every stopped one


def record_end(trial: Trial, as_of: date) -> date:
    """Return the exclusive end of a record as seen on ``as_of``."""
    if trial.stopped is not None and trial.stopped <= as_of:
        return trial.stopped
    return as_of


def dose_on(trial: Trial, day: date) -> float:
    """Return the record's daily dose on ``day`` (a day on or after its first dose)."""
    dose = trial.doses[0].mg_per_day
    for step in trial.doses:
        if step.start > day:
            break
        dose = step.mg_per_day
    return dose


@dataclass(frozen=True)
class Record:
    """One trial record as a member of a course: its input index and its window as of a date."""

    index: int
    trial: Trial
    end: date  # exclusive
    start: date = field(init=False)
    # Sort key of "started last": first dose, then the later stop, then input position.
    order: tuple[date, date, int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", self.trial.doses[0].start)
        object.__setattr__(self, "order", (self.start, self.trial.stopped or LATEST, self.index))


class Segment(NamedTuple):
    """Days [start, end) on one dose of one record, or a gap (``record`` None)."""

    start: date
    end: date
    mg_per_day: float | None
    record: int | None

    @property
    def days(self) -> int:
        return (self.end - self.start).days


class Run(NamedTuple):
    """The course's days at or above the minimum adequate dose."""

    best_start: date | None  # first day of the longest run (None: no adequate day)
    best_days: int
    current_days: int  # the run still going on the course's last covered day (0 if none)
    adequate_on: date | None  # the as-of date from which the run reached the duration


@dataclass(frozen=True)
class Course:
    """One course of one agent: its records in order of first dose, and its day-by-day doses."""

    agent: Agent
    records: tuple[Record, ...]  # by first dose, then input position
    segments: tuple[Segment, ...]
    first: int = field(init=False)  # input index of the record that started first
    started: date = field(init=False)  # the course's first dose

    def __post_init__(self) -> None:
        object.__setattr__(self, "first", self.records[0].index)
        object.__setattr__(self, "started", self.records[0].start)

    def last_record(self, day: date) -> Record:
        """Return the record that started last among those started on or before ``day``."""
        if len(self.records) == 1:
            return self.records[0]
        return max((r for r in self.records if r.start <= day), key=lambda r: r.order)

    def started_by(self, day: date) -> tuple[Record, ...]:
        """Return the records whose first dose is on or before ``day`` (the course has begun)."""
        if len(self.records) == 1:
            return self.records
        return tuple(r for r in self.records if r.start <= day)

    def end_on(self, day: date) -> date:
        """Return the course's exclusive end as it stood on ``day``."""
        if len(self.records) == 1:
            return min(self.records[0].end, day)
        return max(min(r.end, day) for r in self.started_by(day))

    def ongoing(self, as_of: date) -> bool:
        """Say whether the course was still being taken on ``as_of``."""
        last = self.last_record(as_of).trial
        return last.stopped is None or last.stopped > as_of

    def daily_doses(self) -> list[float]:
        """Return the course's daily dose series, one value per change, gaps left out."""
        series: list[float] = []
        for segment in self.segments:
            if segment.mg_per_day is not None and (not series or series[-1] != segment.mg_per_day):
                series.append(segment.mg_per_day)
        return series

    def current_dose(self, as_of: date) -> float:
        """Return the daily dose being taken on ``as_of`` by the record started last."""
        return dose_on(self.last_record(as_of).trial, as_of)

    def highest_dose(self) -> float:
        """Return the highest daily dose taken (the first dose for a course begun today)."""
        return max(self.daily_doses(), default=self.records[0].trial.doses[0].mg_per_day)

    def run(self, min_days: int) -> Run:
        """Return the runs at or above the agent's minimum adequate dose."""
        minimum = self.agent.min_adequate_mg_per_day or 0
        best: tuple[date | None, int] = (None, 0)
        run_start, run, adequate_on = None, 0, None
        for segment in self.segments:
            if segment.mg_per_day is None:
                continue  # a gap of at most 7 days: the run goes on, its days do not count
            if segment.mg_per_day < minimum:
                run = 0
                continue
            run_start = run_start if run else segment.start
            if adequate_on is None and run + segment.days >= min_days:
                adequate_on = segment.start + timedelta(days=min_days - run)
            run += segment.days
            if run > best[1]:
                best = (run_start, run)
        return Run(best[0], best[1], run, adequate_on)


def _segments(records: list[Record]) -> tuple[Segment, ...]:
    """Cut the course's window at every change and name the record whose dose applies."""
    cuts = {r.start for r in records} | {r.end for r in records}
    cuts |= {s.start for r in records for s in r.trial.doses if s.start < r.end}
    started_last_first = sorted(records, key=lambda r: r.order, reverse=True)
    segments = []
    for start, end in pairwise(sorted(cuts)):
        for r in started_last_first:
            if r.start <= start < r.end:
                segments.append(Segment(start, end, dose_on(r.trial, start), r.index))
                break
        else:  # no record covers the days: a gap
            segments.append(Segment(start, end, None, None))
    return tuple(segments)


def build_courses(records: list[Record]) -> list[Course]:
    """Join records of one agent into courses; return them in order of first dose.

    The records must all belong to one episode; records of different agents never join.
    """
    courses: list[Course] = []
    by_agent: dict[str, list[Record]] = {}
    for record in sorted(records, key=lambda r: (r.start, r.index)):
        by_agent.setdefault(record.trial.agent.generic, []).append(record)
    for members in by_agent.values():
        group: list[Record] = []
        for record in members:
            if group and (record.start - max(r.end for r in group)).days > MAX_GAP_DAYS:
                courses.append(Course(group[0].trial.agent, tuple(group), _segments(group)))
                group = []
            group.append(record)
        courses.append(Course(group[0].trial.agent, tuple(group), _segments(group)))
    return sorted(courses, key=lambda c: (c.started, c.first))


def joined_reason(course: Course) -> str | None:
    """Say which records were joined into the course and why, or None for a single record."""
    if len(course.records) == 1:
        return None
    parts = [f"trial {r.index} ({r.start.isoformat()})" for r in course.records]
    return (
        f"one {course.agent.generic} course of {len(parts)} records joined "
        f"({', '.join(parts)}): same agent, overlapping or at most {MAX_GAP_DAYS} days apart; "
        "on days two records cover, the dose of the one started last applies"
    )
