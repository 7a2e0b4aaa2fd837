"""How long a verdict holds (issue 15): the next date it could change without new data."""

from datetime import date

import pytest

from tests.rules.helpers import day, episode, history, score, trial
from tracker.rules import assess, get_profile
from tracker.rules.validity import first_day_of_months


def until(h, as_of=400, profile="standard"):
    return assess(h, get_profile(profile), day(as_of)).valid_until


def test_a_history_of_stopped_trials_holds_forever():
    assert until(history(trial(stopped=60), trial("venlafaxine", steps=((70, 150),),
                                                  stopped=130))) is None


def test_an_ongoing_course_holds_until_it_becomes_adequate():
    h = history(trial(stopped=60), trial("venlafaxine", steps=((100, 150),)))
    assert until(h, as_of=130) == day(142)
    assert assess(h, get_profile("standard"), day(142)).trd  # and it does change then


def test_a_course_below_the_minimum_never_changes_by_itself():
    assert until(history(trial(steps=((0, 25),))), as_of=30) is None


def test_future_dates_bound_the_verdict():
    h = history(trial(stopped=60), scores=[score(500, 10)])
    assert until(h) == day(500)
    assert until(history(trial(steps=((450, 50),)))) == day(450)


@pytest.mark.parametrize(("as_of", "expected"), [
    (date(2024, 2, 1), date(2025, 2, 15)),   # 13 whole months: the second duration band
    (date(2025, 2, 15), date(2026, 2, 15)),  # 25 whole months: the third
    (date(2026, 2, 15), None),
])
def test_maudsley_duration_bands_bound_the_verdict(as_of, expected):
    h = history(episodes=[episode("e1", (date(2024, 1, 15) - day(0)).days)])
    assert assess(h, get_profile("standard"), as_of).valid_until == expected


def test_a_remitted_episode_no_longer_grows():
    h = history(episodes=[episode("e1", 0, 100)])
    assert until(h, as_of=200) is None


@pytest.mark.parametrize(("onset", "months", "first"), [
    (date(2024, 1, 15), 13, date(2025, 2, 15)),
    (date(2024, 1, 31), 1, date(2024, 3, 1)),   # no 31 February: the first of March
    (date(2024, 12, 31), 2, date(2025, 3, 1)),
])
def test_first_day_of_months(onset, months, first):
    assert first_day_of_months(onset, months) == first
