"""One trial judged under one profile: dose adequacy, duration, adherence and outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .history import Measurement, Trial
from .profiles import Profile
from .vocab import Instrument, Response, StopReason

# Baseline for a derived outcome: the last score at most this many days before the first dose
# (trd-definitions.md, default profile, rule 5).
BASELINE_WINDOW_DAYS = 28
# Instruments are tried in this order when several have a baseline and an end score.
INSTRUMENT_ORDER = (Instrument.PHQ9, Instrument.MADRS, Instrument.HAMD17, Instrument.QIDS_SR16)

FAILURE, NO_FAILURE, UNKNOWN = "failure", "no_failure", "unknown"


@dataclass(frozen=True)
class Outcome:
    """Whether a trial failed, as recorded or as derived from two scores of one instrument."""

    result: str  # FAILURE, NO_FAILURE or UNKNOWN
    reason: str
    instrument: str | None = None
    baseline: Measurement | None = None
    end: Measurement | None = None
    improvement_pct: float | None = None


def fmt_mg(mg: float) -> str:
    """Return a dose without a needless ".0"."""
    return f"{mg:g}"


def trial_end(trial: Trial, as_of: date) -> date:
    """Return the exclusive end of the trial as seen on ``as_of``."""
    if trial.stopped is not None and trial.stopped <= as_of:
        return trial.stopped
    return as_of


def adequate_run(trial: Trial, as_of: date) -> tuple[date | None, int]:
    """Return the start and length of the longest run at or above the minimum adequate dose.

    Days are counted with end dates exclusive; the start is None when no day was adequate.
    """
    minimum = trial.agent.min_adequate_mg_per_day
    end = trial_end(trial, as_of)
    best: tuple[date | None, int] = (None, 0)
    run_start, run = None, 0
    for i, step in enumerate(trial.doses):
        step_end = trial.doses[i + 1].start if i + 1 < len(trial.doses) else end
        days = max(0, (min(step_end, end) - step.start).days)
        if minimum is not None and step.mg_per_day >= minimum:
            run_start = run_start if run else step.start
            run += days
            if run > best[1]:
                best = (run_start, run)
        else:
            run = 0
    return best


def longest_adequate_run(trial: Trial, as_of: date) -> int:
    """Return the longest run of days at or above the minimum adequate dose (end exclusive)."""
    return adequate_run(trial, as_of)[1]


def max_dose(trial: Trial) -> float:
    """Return the highest daily dose of the trial."""
    return max(step.mg_per_day for step in trial.doses)


def duration_reason(trial: Trial, days: int, profile: Profile) -> str:
    """Describe the days at adequate dose against the profile's minimum."""
    minimum = fmt_mg(trial.agent.min_adequate_mg_per_day or 0)
    if days >= profile.min_days:
        return f"{days} days at >= {minimum} mg/day (needs {profile.min_days})"
    if max_dose(trial) < (trial.agent.min_adequate_mg_per_day or 0):
        return (
            f"never reached the minimum adequate dose of {minimum} mg/day "
            f"(highest {fmt_mg(max_dose(trial))} mg/day)"
        )
    reason = f"only {days} of {profile.min_days} days at >= {minimum} mg/day"
    if trial.stop_reason == StopReason.SIDE_EFFECTS:
        reason += "; stopped early for side effects, so not a failed trial"
    return reason


def recorded_outcome(response: str, profile: Profile) -> Outcome | None:
    """Return the outcome a recorded response gives, or None when it must be derived."""
    if response == Response.NONE:
        return Outcome(FAILURE, "recorded response: none")
    if response == Response.PARTIAL:
        if profile.partial_is_failure:
            return Outcome(FAILURE, "recorded response: partial (counts as inadequate response)")
        return Outcome(NO_FAILURE, "recorded response: partial, which this profile does not count")
    if response in (Response.RESPONSE, Response.REMISSION):
        return Outcome(NO_FAILURE, f"recorded response: {response}")
    return None


def score_pair(
    trial: Trial, scores: list[Measurement], as_of: date
) -> tuple[Measurement, Measurement] | None:
    """Return (baseline, end) scores of one instrument for the trial, or None."""
    start = trial.started
    earliest = start - timedelta(days=BASELINE_WINDOW_DAYS)
    end_day = trial_end(trial, as_of)
    baselines = [m for m in scores if earliest <= m.day <= start]
    ends = [m for m in scores if start < m.day <= end_day and m.day <= as_of]
    if not baselines or not ends:
        return None
    key = lambda m: m.day  # noqa: E731
    return max(baselines, key=key), max(ends, key=key)


@dataclass(frozen=True)
class ScoreChange:
    """A trial's baseline and last score on one instrument, for reports."""

    instrument: str
    baseline: Measurement
    end: Measurement

    @property
    def change_pct(self) -> float | None:
        """Return the improvement in % from baseline (None when the baseline is 0)."""
        if self.baseline.score == 0:
            return None
        return 100.0 * (self.baseline.score - self.end.score) / self.baseline.score


def score_change(
    trial: Trial, measurements: tuple[Measurement, ...], as_of: date
) -> ScoreChange | None:
    """Return the baseline and last score of the first instrument (in ``INSTRUMENT_ORDER``)
    that has both within the trial's windows, whatever outcome was recorded; else None."""
    for instrument in INSTRUMENT_ORDER:
        pair = score_pair(trial, [m for m in measurements if m.instrument == instrument], as_of)
        if pair is not None:
            return ScoreChange(instrument, *pair)
    return None


def derived_outcome(
    trial: Trial, measurements: tuple[Measurement, ...], profile: Profile, as_of: date
) -> Outcome:
    """Derive the outcome from a baseline and an end score of one instrument."""
    for instrument in INSTRUMENT_ORDER:
        scores = [m for m in measurements if m.instrument == instrument]
        pair = score_pair(trial, scores, as_of)
        if pair is None or pair[0].score == 0:
            continue
        baseline, end = pair
        improvement = 100.0 * (baseline.score - end.score) / baseline.score
        failed = profile.is_nonresponse(improvement)
        verdict = "non-response" if failed else "not a failure"
        reason = (
            f"{instrument} {baseline.score} on {baseline.day.isoformat()} -> {end.score} on "
            f"{end.day.isoformat()}: {improvement:.0f}% improvement "
            f"(failure is {profile.nonresponse_wording()}): {verdict}"
        )
        return Outcome(
            FAILURE if failed else NO_FAILURE, reason, instrument, baseline, end, improvement
        )
    return Outcome(
        UNKNOWN,
        "response unknown and no baseline score (within "
        f"{BASELINE_WINDOW_DAYS} days before the first dose) with a later score of the same "
        "instrument: outcome unknown",
    )


def outcome_of(
    trial: Trial, measurements: tuple[Measurement, ...], profile: Profile, as_of: date
) -> Outcome:
    """Return the recorded outcome, or the one derived from measurements."""
    recorded = recorded_outcome(trial.response, profile)
    if recorded is not None:
        return recorded
    return derived_outcome(trial, measurements, profile, as_of)
