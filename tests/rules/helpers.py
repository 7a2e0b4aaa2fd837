"""Small builders for rule-engine inputs."""

from datetime import date, timedelta

from tracker.catalogue import default_catalogue
from tracker.rules import DoseStep, Episode, History, Measurement, Treatment, Trial

D0 = date(2024, 1, 1)


def day(n: int) -> date:
    """Return the date ``n`` days after 2024-01-01."""
    return D0 + timedelta(days=n)


def trial(drug="sertraline", steps=((0, 50),), stopped=None, response="none",
          adherence="good", episode=None, stop_reason=None) -> Trial:
    return Trial(
        agent=default_catalogue().resolve(drug),
        doses=tuple(DoseStep(day(d), mg) for d, mg in steps),
        stopped=day(stopped) if stopped is not None else None,
        stop_reason=stop_reason, adherence=adherence, response=response, episode=episode,
    )


def episode(key="e1", onset=-30, remission=None, severity="moderate", psychotic=False):
    return Episode(key, day(onset), day(remission) if remission is not None else None,
                   severity, psychotic)


def score(n: int, value: int, instrument="PHQ-9", items=None) -> Measurement:
    return Measurement(day(n), instrument, value, tuple(items) if items else None)


def history(*trials, episodes=(), scores=(), treatments=()) -> History:
    return History(tuple(episodes), tuple(trials), tuple(scores), tuple(treatments))


def ect(start=10, episode=None, laterality="bilateral") -> Treatment:
    return Treatment("ECT", day(start), day(start + 30), 12, episode, "", laterality)
