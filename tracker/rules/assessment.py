"""The TRD verdict for one patient: which courses count, which failed, and what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from . import staging as stg
from .courses import Course
from .episodes import current_episode, episode_state, in_current, membership
from .history import History, Trial
from .needs import Forecast, forecast, missing
from .notices import dose_warnings, safety_alerts
from .outcomes import UNKNOWN, Scores
from .profiles import Profile
from .steps import group_steps
from .validity import valid_until
from .verdicts import (
    CourseVerdict,
    combination_reasons,
    course_reasons,
    first_met,
    judge_courses,
    pair_if_unknown_failed,
    standing_pair,
)
from .vocab import TreatmentKind

MET, NOT_MET, OUTCOME_MISSING = "met", "not_met", "outcome_missing"


@dataclass(frozen=True)
class TrialVerdict:
    """How one trial record fares under one profile, through its course, with reasons."""

    index: int
    drug: str
    drug_class: str
    counted: bool
    adequate: bool
    failed: bool
    outcome: str
    days_at_adequate_dose: int
    reasons: tuple[str, ...]
    course: int  # the input index of the first record of the course (its own index if alone)
    improvement_pct: float | None = None
    adequate_run_start: date | None = None  # first day of the course's longest adequate run

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "drug": self.drug,
            "drug_class": self.drug_class,
            "course": self.course,
            "counted": self.counted,
            "adequate": self.adequate,
            "failed": self.failed,
            "outcome": self.outcome,
            "days_at_adequate_dose": self.days_at_adequate_dose,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Assessment:
    """The verdict of the two-adequate-trials definition for one patient on one date."""

    profile: str
    as_of: date
    current_episode: str | None
    episode_state: str | None  # "current", "in_remission", or None without episodes
    remission: date | None
    trd: bool
    status: str  # MET, NOT_MET or OUTCOME_MISSING
    failed_adequate_agents: tuple[str, ...]
    first_met: date | None
    missing: tuple[str, ...]
    trials: tuple[TrialVerdict, ...]
    staging: stg.Staging
    warnings: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()
    forecast: Forecast | None = None
    valid_until: date | None = None  # the first day it could change without new data

    def to_dict(self) -> dict:
        return {
            "profile": self.profile,
            "as_of": self.as_of.isoformat(),
            "current_episode": self.current_episode,
            "episode_state": self.episode_state,
            "remission": self.remission.isoformat() if self.remission else None,
            "trd": self.trd,
            "status": self.status,
            "failed_adequate_agents": list(self.failed_adequate_agents),
            "first_met": self.first_met.isoformat() if self.first_met else None,
            "missing": list(self.missing),
            "warnings": list(self.warnings),
            "alerts": list(self.alerts),
            "forecast": self.forecast.to_dict() if self.forecast else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "trials": [t.to_dict() for t in self.trials],
            "staging": self.staging.to_dict(),
        }


def _uncounted(history: History, index: int, trial: Trial, as_of: date) -> TrialVerdict:
    """Say why a record outside every course is not counted: not yet begun, or augmentation."""
    agent = trial.agent
    if trial.started > as_of:
        reasons = (f"first dose {trial.started.isoformat()} is after the as-of date "
                   f"{as_of.isoformat()}",)
    else:
        where = membership(history, trial.episode, trial.started, as_of)[1]
        reasons = (f"{agent.generic} is an augmentation agent ({agent.drug_class}): it "
                   "counts toward staging, not as an antidepressant trial", where)
    return TrialVerdict(index, agent.generic, agent.drug_class, counted=False, adequate=False,
                        failed=False, outcome=UNKNOWN, days_at_adequate_dose=0, reasons=reasons,
                        course=index)


def trial_verdicts(history: History, verdicts: list[CourseVerdict],
                   elsewhere: list[CourseVerdict], profile: Profile, as_of: date
                   ) -> tuple[TrialVerdict, ...]:
    """Return one verdict per record, in input order; each record reports its course's.

    Records of other episodes' courses say how they fared there but are never counted.
    """
    by_record: dict[int, TrialVerdict] = {}
    combinations = combination_reasons(verdicts)
    for counted, group in ((True, verdicts), (False, elsewhere)):
        for v in group:
            course = v.course
            shared = course_reasons(v, profile, as_of) + combinations.get(course.first, [])
            for record in course.records:
                where = membership(history, record.trial.episode, record.start, as_of)[1]
                by_record[record.index] = TrialVerdict(
                    record.index, course.agent.generic, course.agent.drug_class,
                    counted=counted, adequate=counted and v.adequate,
                    failed=counted and v.failed, outcome=v.outcome.result,
                    days_at_adequate_dose=v.run.best_days,
                    reasons=(*shared, where) if counted else (where, *shared),
                    course=course.first, improvement_pct=v.outcome.improvement_pct,
                    adequate_run_start=v.run.best_start)
    return tuple(by_record.get(i) or _uncounted(history, i, t, as_of)
                 for i, t in enumerate(history.trials))


def staging_for(history: History, as_of: date, verdicts: list[CourseVerdict]) -> stg.Staging:
    """Stage the current episode from its courses (Version 2 rules 6-8)."""
    def in_episode(named: str | None, day: date) -> bool:
        return day <= as_of and in_current(history, named, day, as_of)

    augmentation = {t.agent.generic for t in history.trials
                    if not t.agent.is_antidepressant and in_episode(t.episode, t.started)}
    ect = [t for t in history.treatments
           if t.kind == TreatmentKind.ECT and in_episode(t.episode, t.start)]
    bilateral = any(t.laterality == "bilateral" for t in ect)
    failed: list[Course] = [v.course for v in verdicts if v.failed]
    stage = stg.thase_rush({c.agent.drug_class for c in failed}, bilateral)
    notes = stg.thase_rush_notes({c.agent.drug_class for c in failed}, stage)
    if stage == "IV" and ect:
        notes.append("Thase-Rush stage V needs a course of bilateral ECT; the ECT recorded in "
                     "this episode is unilateral or of unknown laterality")
    msm = stg.maudsley(current_episode(history, as_of), as_of,
                       len({c.agent.generic for c in failed}), bool(augmentation), bool(ect))
    steps = group_steps(v.course for v in verdicts)
    return stg.Staging(
        thase_rush=stage,
        maudsley_score=msm[0] if msm else None,
        maudsley_band=msm[1] if msm else None,
        mgh=stg.mgh(steps, {c.first for c in failed}, len(augmentation), bool(ect)),
        notes=tuple(notes),
    )


def assess(history: History, profile: Profile, as_of: date) -> Assessment:
    """Assess the two-adequate-trials definition of TRD for one patient as of a date."""
    scores = Scores(history.measurements)
    verdicts, elsewhere = judge_courses(history, profile, as_of, scores)
    trd = standing_pair(verdicts, profile)
    if trd:
        status = MET
    elif pair_if_unknown_failed(verdicts, profile):
        status = OUTCOME_MISSING
    else:
        status = NOT_MET
    current = current_episode(history, as_of)
    state, remission = episode_state(current, as_of)
    warnings = [w for v in verdicts for w in v.outcome.warnings] + dose_warnings(history, as_of)
    return Assessment(
        profile=profile.name,
        as_of=as_of,
        current_episode=current.key if current else None,
        episode_state=state,
        remission=remission,
        trd=trd,
        status=status,
        failed_adequate_agents=tuple(sorted({v.course.agent.generic for v in verdicts
                                             if v.failed})),
        first_met=first_met(history, profile, as_of, verdicts, scores) if trd else None,
        missing=() if trd else missing(verdicts, profile, as_of),
        trials=trial_verdicts(history, verdicts, elsewhere, profile, as_of),
        staging=staging_for(history, as_of, verdicts),
        warnings=tuple(warnings),
        alerts=tuple(safety_alerts(history, as_of)),
        forecast=None if trd else forecast(verdicts, profile, as_of),
        valid_until=valid_until(history, verdicts, profile, as_of),
    )
