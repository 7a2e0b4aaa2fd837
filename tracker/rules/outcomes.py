"""Whether a course failed: the recorded response, else the change in one instrument's scores.

Version 2 rule 5 (``shared/reference/trd-definitions.md``): clinician-rated instruments decide
first; the first instrument with a baseline above 0 and an end score decides; contradictions
between instruments, or between a recorded response and the scores, become warnings.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from .history import Measurement, Trial
from .profiles import Profile
from .vocab import Instrument, Response

# Baseline: the last score at most this many days before the first dose (default profile, rule 5).
BASELINE_WINDOW_DAYS = 28
BASELINE_WINDOW = timedelta(days=BASELINE_WINDOW_DAYS)
# Version 2 rule 5: clinician-rated first (TRANSFORM-2 and the EMA use the MADRS).
INSTRUMENT_ORDER = (Instrument.MADRS, Instrument.HAMD17, Instrument.PHQ9, Instrument.QIDS_SR16)
# Response grading (Desseilles et al. 2011): 50% improvement or more is a response; a recorded
# none or partial contradicted by scores showing a response is a warning.
RESPONSE_PCT = 50.0

FAILURE, NO_FAILURE, UNKNOWN = "failure", "no_failure", "unknown"
# Why a derived outcome is unknown, so that the missing item names the score to add.
NO_SCORES, NO_BASELINE, NO_FOLLOW_UP, ZERO_BASELINE = (
    "no_scores", "no_baseline", "no_follow_up", "zero_baseline")


class Window(NamedTuple):
    """The days whose scores judge a course: baseline up to ``start``, end scores after it."""

    start: date  # the first dose
    end: date  # the last day an end score may fall on (the stop date, or the as-of date)


class ScoreChange(NamedTuple):
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


class Scores:
    """A patient's scores by instrument in date order, for quick look-ups by window."""

    def __init__(self, measurements: tuple[Measurement, ...]):
        self._by_instrument: dict[str, tuple[list[date], list[Measurement]]] = {}
        for m in sorted(measurements, key=lambda m: m.day):  # stable: same day keeps input order
            days, found = self._by_instrument.setdefault(m.instrument, ([], []))
            days.append(m.day)
            found.append(m)
        # The instruments scored at least once, in decision order: the others never pair.
        self._scored = [i for i in INSTRUMENT_ORDER if i in self._by_instrument]

    def pair(self, window: Window, instrument: str
             ) -> tuple[Measurement | None, Measurement | None]:
        """Return the baseline and the end score of one instrument within the window.

        The baseline is the last score on or before the first dose (at most 28 days before);
        the end score the last one after the first dose, up to the window's end inclusive.
        """
        days, found = self._by_instrument.get(instrument, ([], []))
        at_start = bisect_right(days, window.start)
        earliest = window.start - BASELINE_WINDOW
        baseline = found[at_start - 1] if at_start and days[at_start - 1] >= earliest else None
        at_end = bisect_right(days, window.end)
        end = found[at_end - 1] if at_end > at_start else None
        return baseline, end

    def days(self) -> list[date]:
        """Return the days on which any instrument was scored."""
        return [day for days, _ in self._by_instrument.values() for day in days]

    def changes(self, window: Window) -> list[ScoreChange]:
        """Return every instrument's baseline and end score in the window, in decision order."""
        changes = []
        for instrument in self._scored:
            baseline, end = self.pair(window, instrument)
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


def _unknown(window: Window, scores: Scores, changes: list[ScoreChange]) -> Outcome:
    first = window.start.isoformat()
    if changes:  # every usable pair had a baseline of 0
        return Outcome(UNKNOWN, "response unknown and the baseline score is 0, so no improvement "
                       "can be measured: outcome unknown", gap=ZERO_BASELINE)
    pairs = [scores.pair(window, i) for i in INSTRUMENT_ORDER]
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


def fails(response: str, window: Window, scores: Scores, profile: Profile) -> bool:
    """Say whether the outcome is a failure: ``outcome_of(...).result == FAILURE``, quickly."""
    if response == Response.NONE:
        return True
    if response == Response.PARTIAL:
        return profile.partial_is_failure
    if response != Response.UNKNOWN:
        return False
    for change in scores.changes(window):
        if change.baseline.score > 0:  # the first usable instrument decides
            return profile.is_nonresponse(change.change_pct or 0.0)
    return False


def outcome_of(drug: str, response: str, window: Window, scores: Scores, profile: Profile
               ) -> Outcome:
    """Return the recorded outcome, else the one the first usable instrument gives."""
    changes = scores.changes(window)
    usable = [c for c in changes if c.baseline.score > 0]
    recorded = recorded_outcome(response, profile)
    if recorded is not None:
        warnings = _recorded_against_scores(drug, response, usable[0] if usable else None, profile)
        return Outcome(recorded.result, recorded.reason, usable[0] if usable else None,
                       warnings=tuple(warnings))
    if not usable:
        return _unknown(window, scores, changes)
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
    changes = Scores(measurements).changes(Window(trial.started, end))
    return changes[0] if changes else None
