"""Criteria about the patient and the episode: scores, age, current treatment, episode."""

from __future__ import annotations

from datetime import date, timedelta

from ..episodes import IN_REMISSION, current_episode, episode_state
from ..history import History
from ..verdicts import fmt_mg
from .policy import Criterion
from .result import CriterionResult


def _options(criterion: Criterion) -> str:
    return " or ".join(f"{o['instrument']} >= {o['min_score']}" for o in criterion.get("any_of"))


def label_baseline(criterion: Criterion) -> str:
    """Return a ``baseline_score`` criterion in words."""
    return (f"a baseline {_options(criterion)} in the {criterion.get('within_days')} days "
            "before the request")


def baseline_score(criterion: Criterion, history: History, as_of: date) -> CriterionResult:
    """Judge a ``baseline_score``: the latest score of a listed instrument in the window."""
    label = label_baseline(criterion)
    first = as_of - timedelta(days=int(criterion.get("within_days")))
    evidence = []
    for option in criterion.get("any_of"):
        scores = [m for m in history.measurements
                  if m.instrument == option["instrument"] and first <= m.day <= as_of]
        if not scores:
            continue
        latest = max(scores, key=lambda m: m.day)
        words = (f"{latest.instrument} {latest.score} on {latest.day.isoformat()} "
                 f"(needs >= {option['min_score']})")
        if latest.score >= option["min_score"]:
            return CriterionResult(criterion.kind, label, True, (words,))
        evidence.append(words)
    missing = f"a score of {_options(criterion)} dated {first.isoformat()} to {as_of.isoformat()}"
    return CriterionResult(criterion.kind, label, False, tuple(evidence), missing)


def years_between(born: date, day: date) -> int:
    """Return the age in whole years on ``day``."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def label_age(criterion: Criterion) -> str:
    """Return an ``age`` criterion in words."""
    low, below = criterion.get("min_years"), criterion.get("below_years")
    parts = ([f"at least {low}"] if low is not None else []) + (
        [f"under {below}"] if below is not None else [])
    return "age " + " and ".join(parts)


def age(criterion: Criterion, history: History, as_of: date) -> CriterionResult:
    """Judge an ``age`` criterion: [min_years, below_years) on the as-of date."""
    label = label_age(criterion)
    if history.birth_date is None:
        return CriterionResult(criterion.kind, label, None, (), "record the date of birth")
    years = years_between(history.birth_date, as_of)
    low, below = criterion.get("min_years"), criterion.get("below_years")
    met = (low is None or years >= low) and (below is None or years < below)
    words = f"age {years} on {as_of.isoformat()} (born {history.birth_date.isoformat()})"
    return CriterionResult(criterion.kind, label, met, (words,),
                           None if met else f"the policy covers {label}; the patient is {years}")


def concurrent_antidepressant(criterion: Criterion, history: History, as_of: date
                              ) -> CriterionResult:
    """Judge ``concurrent_antidepressant``: an antidepressant taken on the as-of date."""
    label = "an oral antidepressant taken alongside"
    ongoing = [t for t in history.trials if t.agent.is_antidepressant and t.started <= as_of
               and (t.stopped is None or t.stopped > as_of)]
    if ongoing:
        t = ongoing[-1]
        dose = next(s.mg_per_day for s in reversed(t.doses) if s.start <= as_of)
        words = (f"{t.agent.generic} {fmt_mg(dose)} mg/day since {t.started.isoformat()}, "
                 f"ongoing on {as_of.isoformat()}")
        return CriterionResult(criterion.kind, label, True, (words,))
    return CriterionResult(criterion.kind, label, False, (),
                           "an antidepressant to be taken alongside (none is ongoing on "
                           f"{as_of.isoformat()})")


def active_episode(criterion: Criterion, history: History, as_of: date) -> CriterionResult:
    """Judge ``active_episode``: the current episode is not in remission."""
    label = "a current depressive episode, not in remission"
    episode = current_episode(history, as_of)
    if episode is None:
        return CriterionResult(criterion.kind, label, None, (),
                               "record the current episode and its onset date")
    state, since = episode_state(episode, as_of)
    if state == IN_REMISSION:
        return CriterionResult(criterion.kind, label, False,
                               (f"episode {episode.key} in remission since {since}",),
                               "the policy covers an active episode; this one is in remission")
    return CriterionResult(criterion.kind, label, True,
                           (f"episode {episode.key} since {episode.onset.isoformat()}, "
                            f"{episode.severity}, not in remission",))


def no_psychotic_features(criterion: Criterion, history: History, as_of: date
                          ) -> CriterionResult:
    """Judge ``no_psychotic_features``: the current episode is not recorded psychotic."""
    label = "no psychotic features in the current episode"
    episode = current_episode(history, as_of)
    if episode is None:
        return CriterionResult(criterion.kind, label, None, (),
                               "record the current episode and whether it has psychotic features")
    if episode.psychotic:
        return CriterionResult(criterion.kind, label, False,
                               (f"episode {episode.key} recorded with psychotic features",),
                               "the policy excludes depression with psychotic features")
    return CriterionResult(criterion.kind, label, True,
                           (f"episode {episode.key} recorded without psychotic features",))
