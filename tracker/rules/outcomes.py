"""Whether a course failed: the recorded response, else the change in one instrument's scores.

Version 2 rule 5 (``shared/reference/trd-definitions.md``): clinician-rated instruments decide
first; the first instrument with a baseline above 0 and an end score decides; contradictions
between instruments, or between a recorded response and the scores, become warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .history import Measurement, Trial
from .profiles import Profile
from .vocab import Instrument, Response

# Baseline: the last score at most this many days before the first dose (default profile, rule 5).
BASELINE_WINDOW_DAYS = 28
# Version 2 rule 5: clinician-rated first (TRANSFORM-2 and the EMA use the MADRS).
INSTRUMENT_ORDER = (Instrument.MADRS, Instrument.HAMD17, Instrument.PHQ9, Instrument.QIDS_SR16)
# Response grading (Desseilles et al. 2011): 50% improvement or more is a response; a recorded
# none or partial contradicted by scores showing a response is a warning.
RESPONSE_PCT = 50.0

FAILURE, NO_FAILURE, UNKNOWN = "failure", "no_failure", "unknown"
# Why a derived outcome is unknown, so that the missing item names the score to add.
NO_SCORES, NO_BASELINE, NO_FOLLOW_UP, ZERO_BASELINE = (
    "no_scores", "no_baseline", "no_follow_up", "zero_baseline")


@dataclass(frozen=True)
class Window:
    """The days whose scores judge a course: baseline up to ``start``, end scores after it."""

    start: date  # the first dose
    end: date  # the last day an end score may fall on (the stop date, or the as-of date)


@dataclass(frozen=True)
class ScoreChange:
    """A baseline and the last score on one instrument within a window."""

    instrument: str
    baseline: Measurement
    end: Measurement

    @property
    def change_pct(self) -> float | None:
        """Return the improvement in % from baseline (None when the baseline is 0)."""
        if self.baseline.score == 0:
            return None
        return 100.0 * (self.baseline.score - self.end.score) / self.baseline.score


@dataclass(frozen=True)
class Outcome:
    """Whether a course failed, why in words, and any contradiction found on the way."""

    result: str  # FAILURE, NO_FAILURE or UNKNOWN
    reason: str
    change: ScoreChange | None = None
    gap: str | None = None  # for UNKNOWN: which score is missing
    warnings: tuple[str, ...] = ()

    @property
    def improvement_pct(self) -> float | None:
        return self.change.change_pct if self.change else None


def pct(value: float) -> str:
    """Return a percentage with one decimal, so 25.4% never reads as 25%."""
    return f"{value:.1f}%"


def scores_in(window: Window, measurements: tuple[Measurement, ...], instrument: str
              ) -> tuple[Measurement | None, Measurement | None]:
    """Return the baseline and the end score of one instrument within the window."""
    earliest = window.start - timedelta(days=BASELINE_WINDOW_DAYS)
    baseline = end = None
    for m in measurements:
        if m.instrument != instrument:
            continue
        if earliest <= m.day <= window.start and (baseline is None or m.day >= baseline.day):
            baseline = m
        elif window.start < m.day <= window.end and (end is None or m.day >= end.day):
            end = m
    return baseline, end


def score_changes(window: Window, measurements: tuple[Measurement, ...]) -> list[ScoreChange]:
    """Return every instrument's baseline and end score in the window, in decision order."""
    changes = []
    for instrument in INSTRUMENT_ORDER:
        baseline, end = scores_in(window, measurements, instrument)
        if baseline is not None and end is not None:
            changes.append(ScoreChange(instrument, baseline, end))
    return changes


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


def _change_words(change: ScoreChange, improvement: float) -> str:
    return (f"{change.instrument} {change.baseline.score} on {change.baseline.day.isoformat()} -> "
            f"{change.end.score} on {change.end.day.isoformat()}: {pct(improvement)} improvement")


def _unknown(window: Window, measurements: tuple[Measurement, ...], changes: list[ScoreChange]
             ) -> Outcome:
    first = window.start.isoformat()
    if changes:  # every usable pair had a baseline of 0
        return Outcome(UNKNOWN, "response unknown and the baseline score is 0, so no improvement "
                       "can be measured: outcome unknown", gap=ZERO_BASELINE)
    pairs = [scores_in(window, measurements, i) for i in INSTRUMENT_ORDER]
    if any(b is not None for b, _ in pairs):
        return Outcome(UNKNOWN, f"response unknown and no later score of the baseline's "
                       f"instrument after the first dose on {first}: outcome unknown",
                       gap=NO_FOLLOW_UP)
    if any(e is not None for _, e in pairs):
        return Outcome(UNKNOWN, f"response unknown and no baseline score in the "
                       f"{BASELINE_WINDOW_DAYS} days before the first dose on {first}: "
                       "outcome unknown", gap=NO_BASELINE)
    return Outcome(UNKNOWN, f"response unknown and no scores from {BASELINE_WINDOW_DAYS} days "
                   f"before the first dose on {first} onwards: outcome unknown", gap=NO_SCORES)


def _contradictions(drug: str, deciding: ScoreChange, changes: list[ScoreChange],
                    profile: Profile) -> list[str]:
    """Say where another instrument points the other way from the deciding one."""
    failed = profile.is_nonresponse(deciding.change_pct or 0)
    warnings = []
    for other in changes:
        if other is deciding or other.change_pct is None:
            continue
        if profile.is_nonresponse(other.change_pct) != failed:
            warnings.append(
                f"{drug}: {other.instrument} ({pct(other.change_pct)} improvement) points the "
                f"other way from {deciding.instrument} ({pct(deciding.change_pct or 0)}), which "
                "decides")
    return warnings


def _recorded_against_scores(drug: str, response: str, change: ScoreChange | None,
                             profile: Profile) -> list[str]:
    if change is None or change.change_pct is None:
        return []
    improvement = change.change_pct
    words = f"{change.instrument} shows {pct(improvement)} improvement"
    if response in (Response.RESPONSE, Response.REMISSION) and profile.is_nonresponse(improvement):
        return [f"{drug}: recorded response is {response} but {words} (failure is "
                f"{profile.nonresponse_wording()}); the recorded response is used"]
    if response in (Response.NONE, Response.PARTIAL) and improvement >= RESPONSE_PCT:
        return [f"{drug}: recorded response is {response} but {words} (a response is "
                f"{RESPONSE_PCT:g}% or more); the recorded response is used"]
    return []


def outcome_of(drug: str, response: str, window: Window, measurements: tuple[Measurement, ...],
               profile: Profile) -> Outcome:
    """Return the recorded outcome, else the one the first usable instrument gives."""
    changes = score_changes(window, measurements)
    usable = [c for c in changes if c.baseline.score > 0]
    recorded = recorded_outcome(response, profile)
    if recorded is not None:
        warnings = _recorded_against_scores(drug, response, usable[0] if usable else None, profile)
        return Outcome(recorded.result, recorded.reason, usable[0] if usable else None,
                       warnings=tuple(warnings))
    if not usable:
        return _unknown(window, measurements, changes)
    deciding = usable[0]
    improvement = deciding.change_pct or 0.0
    failed = profile.is_nonresponse(improvement)
    reason = (f"{_change_words(deciding, improvement)} (failure is "
              f"{profile.nonresponse_wording()}): {'non-response' if failed else 'not a failure'}")
    return Outcome(FAILURE if failed else NO_FAILURE, reason, deciding,
                   warnings=tuple(_contradictions(drug, deciding, usable, profile)))


def score_change(trial: Trial, measurements: tuple[Measurement, ...], as_of: date
                 ) -> ScoreChange | None:
    """Return the first instrument's baseline and last score around one record, for reports.

    The record's own window is used (not its course's), whatever outcome was recorded.
    """
    end = trial.stopped if trial.stopped is not None and trial.stopped <= as_of else as_of
    changes = score_changes(Window(trial.started, end), measurements)
    return changes[0] if changes else None
