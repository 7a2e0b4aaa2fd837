"""The TRD verdict for one patient: which trials count, which failed, and what is missing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from . import staging as stg
from .episodes import current_episode, membership
from .history import History, Trial
from .profiles import Profile
from .trials import FAILURE, UNKNOWN, Outcome, adequate_run, duration_reason, outcome_of
from .vocab import TreatmentKind

MET, NOT_MET, OUTCOME_MISSING = "met", "not_met", "outcome_missing"


@dataclass(frozen=True)
class TrialVerdict:
    """How one trial fares under one profile, with its reasons in words."""

    index: int
    drug: str
    drug_class: str
    counted: bool
    adequate: bool
    failed: bool
    outcome: str
    days_at_adequate_dose: int
    reasons: tuple[str, ...]
    improvement_pct: float | None = None
    adequate_run_start: date | None = None  # first day of the longest run at adequate dose

    def to_dict(self) -> dict:
        return {
            "index": self.index,
            "drug": self.drug,
            "drug_class": self.drug_class,
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
    trd: bool
    status: str  # MET, NOT_MET or OUTCOME_MISSING
    failed_adequate_agents: tuple[str, ...]
    first_met: date | None
    missing: tuple[str, ...]
    trials: tuple[TrialVerdict, ...]
    staging: stg.Staging

    def to_dict(self) -> dict:
        return {
            "profile": self.profile,
            "as_of": self.as_of.isoformat(),
            "current_episode": self.current_episode,
            "trd": self.trd,
            "status": self.status,
            "failed_adequate_agents": list(self.failed_adequate_agents),
            "first_met": self.first_met.isoformat() if self.first_met else None,
            "missing": list(self.missing),
            "trials": [t.to_dict() for t in self.trials],
            "staging": self.staging.to_dict(),
        }


def judge_trial(
    history: History, index: int, trial: Trial, profile: Profile, as_of: date
) -> TrialVerdict:
    """Judge one trial for the current episode as of ``as_of``."""
    agent = trial.agent
    verdict = dict(index=index, drug=agent.generic, drug_class=agent.drug_class)
    if trial.started > as_of:
        return TrialVerdict(**verdict, counted=False, adequate=False, failed=False,
                            outcome=UNKNOWN, days_at_adequate_dose=0,
                            reasons=(f"first dose {trial.started.isoformat()} is after the "
                                     f"as-of date {as_of.isoformat()}",))
    member, where = membership(history, trial.episode, trial.started, as_of)
    if not agent.is_antidepressant:
        return TrialVerdict(**verdict, counted=False, adequate=False, failed=False,
                            outcome=UNKNOWN, days_at_adequate_dose=0,
                            reasons=(f"{agent.generic} is an augmentation agent "
                                     f"({agent.drug_class}): it counts toward staging, "
                                     "not as an antidepressant trial", where))
    run_start, days = adequate_run(trial, as_of)
    reasons = [duration_reason(trial, days, profile)]
    adherent = trial.adherence in profile.adherence_accepted
    if not adherent:
        accepted = " or ".join(sorted(profile.adherence_accepted))
        reasons.append(f"adherence {trial.adherence}; this profile needs {accepted}")
    outcome: Outcome = outcome_of(trial, history.measurements, profile, as_of)
    reasons.append(outcome.reason)
    reasons.insert(len(reasons) if member else 0, where)
    adequate = member and days >= profile.min_days and adherent
    return TrialVerdict(**verdict, counted=member, adequate=adequate,
                        failed=adequate and outcome.result == FAILURE, outcome=outcome.result,
                        days_at_adequate_dose=days, reasons=tuple(reasons),
                        improvement_pct=outcome.improvement_pct, adequate_run_start=run_start)


def judge_all(history: History, profile: Profile, as_of: date) -> tuple[TrialVerdict, ...]:
    """Judge every trial of the history, in input order."""
    return tuple(
        judge_trial(history, i, trial, profile, as_of) for i, trial in enumerate(history.trials)
    )


def meets(verdicts: tuple[TrialVerdict, ...], profile: Profile) -> bool:
    """Say whether the failed adequate trials cover enough distinct agents and classes."""
    failed = [v for v in verdicts if v.failed]
    agents = {v.drug for v in failed}
    classes = {v.drug_class for v in failed}
    return len(agents) >= 2 and len(classes) >= profile.distinct_classes


def candidate_days(history: History, profile: Profile, as_of: date) -> list[date]:
    """Return every date on or before ``as_of`` at which the verdict can change."""
    days = {as_of}
    for trial in history.trials:
        days.add(trial.started)
        days.update(step.start + timedelta(days=profile.min_days) for step in trial.doses)
        if trial.stopped:
            days.add(trial.stopped)
    days.update(m.day for m in history.measurements)
    days.update(e.onset for e in history.episodes)
    return sorted(d for d in days if d <= as_of)


def first_met(history: History, profile: Profile, as_of: date) -> date | None:
    """Return the earliest as-of date on which the flag would have been true."""
    return next(
        (day for day in candidate_days(history, profile, as_of)
         if meets(judge_all(history, profile, day), profile)),
        None,
    )


def missing(verdicts: tuple[TrialVerdict, ...], profile: Profile) -> tuple[str, ...]:
    """Say in words what the history still lacks for the flag to be met."""
    failed = [v for v in verdicts if v.failed]
    agents = sorted({v.drug for v in failed})
    classes = sorted({v.drug_class for v in failed})
    needs: list[str] = []
    if not agents:
        needs.append("two adequate failed trials of different antidepressants")
    elif len(agents) == 1:
        needs.append(f"one more adequate failed trial of an antidepressant other than {agents[0]}")
    if len(classes) < profile.distinct_classes and agents:
        needs.append(
            f"an adequate failed trial of an antidepressant from a class other than "
            f"{', '.join(classes)} (this profile needs {profile.distinct_classes} classes)"
        )
    for v in verdicts:
        if v.counted and not v.failed and v.outcome == UNKNOWN and v.adequate:
            needs.append(f"{v.drug}: a recorded response or a follow-up score to judge the outcome")
    return tuple(needs)


def _with_unknown_as_failed(verdicts: tuple[TrialVerdict, ...]) -> tuple[TrialVerdict, ...]:
    return tuple(
        TrialVerdict(**{**v.__dict__, "failed": v.failed or (v.adequate and v.outcome == UNKNOWN)})
        for v in verdicts
    )


def staging_for(
    history: History, profile: Profile, as_of: date, verdicts: tuple[TrialVerdict, ...]
) -> stg.Staging:
    """Stage the current episode from the verdicts."""
    current = current_episode(history, as_of)
    augmentations = [
        t for t in history.trials
        if not t.agent.is_antidepressant and t.started <= as_of
        and membership(history, t.episode, t.started, as_of)[0]
    ]
    ect = any(
        t.kind == TreatmentKind.ECT and t.start <= as_of
        and membership(history, t.episode, t.start, as_of)[0]
        for t in history.treatments
    )
    failed = [v for v in verdicts if v.failed]  # failed trials are always in the episode
    failed_trials = [history.trials[v.index] for v in failed]
    msm = stg.maudsley(current, as_of, len({v.drug for v in failed}), bool(augmentations), ect)
    return stg.Staging(
        thase_rush=stg.thase_rush({v.drug_class for v in failed}, ect),
        maudsley_score=msm[0] if msm else None,
        maudsley_band=msm[1] if msm else None,
        mgh=stg.mgh(failed_trials, len(augmentations), ect),
    )


def assess(history: History, profile: Profile, as_of: date) -> Assessment:
    """Assess the two-adequate-trials definition of TRD for one patient as of a date."""
    verdicts = judge_all(history, profile, as_of)
    trd = meets(verdicts, profile)
    if trd:
        status = MET
    elif meets(_with_unknown_as_failed(verdicts), profile):
        status = OUTCOME_MISSING
    else:
        status = NOT_MET
    current = current_episode(history, as_of)
    return Assessment(
        profile=profile.name,
        as_of=as_of,
        current_episode=current.key if current else None,
        trd=trd,
        status=status,
        failed_adequate_agents=tuple(sorted({v.drug for v in verdicts if v.failed})),
        first_met=first_met(history, profile, as_of) if trd else None,
        missing=() if trd else missing(verdicts, profile),
        trials=verdicts,
        staging=staging_for(history, profile, as_of, verdicts),
    )
