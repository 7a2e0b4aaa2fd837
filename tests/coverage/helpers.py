"""Builders for coverage tests: criteria from keyword arguments and a history that fits all."""

from dataclasses import replace
from datetime import date

from tests.rules.helpers import day, episode, history, score, trial
from tracker.rules import Treatment
from tracker.rules.coverage import Criterion, judge

AS_OF = 300  # 2024-10-27


def crit(kind: str, *options: Criterion, **params) -> Criterion:
    return Criterion(kind, params, tuple(options))


def check(criterion: Criterion, h, as_of: int = AS_OF):
    return judge(criterion, h, day(as_of))


def therapy(start=10, end=100, modality="CBT", sessions=12, kind="psychotherapy", episode=None):
    return Treatment(kind, day(start), day(end) if end is not None else None, sessions, episode,
                     "", modality=modality)


def fitting_all(**changes):
    """Return a history every shipped policy accepts on day 300 (born 1980-05-05).

    Three failed steps of three classes (each >= 56 days, recorded response none), lithium and
    aripiprazole alongside mirtazapine, 12 sessions of CBT, PHQ-9 18 ten days before.
    """
    parts = dict(
        trials=[
            trial("sertraline", ((0, 100),), stopped=60),
            trial("venlafaxine", ((70, 150),), stopped=140),
            trial("mirtazapine", ((150, 30),)),
            trial("lithium", ((160, 600),), stopped=230),
            trial("aripiprazole", ((235, 5),)),
        ],
        episodes=[episode()],
        scores=[score(0, 22), score(59, 20), score(70, 20), score(139, 19), score(150, 19),
                score(290, 18)],
        treatments=[therapy()],
    )
    birth = changes.pop("birth_date", date(1980, 5, 5))
    parts.update(changes)
    h = history(*parts["trials"], episodes=parts["episodes"], scores=parts["scores"],
                treatments=parts["treatments"])
    return replace(h, birth_date=birth)
