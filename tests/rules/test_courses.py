"""Table tests for Version 2 rule 1: records of one agent joined into courses."""

import pytest

from tests.rules.helpers import day, episode, history, trial
from tracker.rules import assess, get_profile


def run(h, as_of=400, profile="standard"):
    return assess(h, get_profile(profile), day(as_of))


def test_effexor_then_effexor_xr_at_the_same_dose_is_one_42_day_course():
    h = history(trial("Effexor", steps=((0, 150),), stopped=21, response="unknown"),
                trial("Effexor XR", steps=((21, 150),), stopped=42, response="none"))
    result = run(h)
    for v in result.trials:
        assert (v.course, v.adequate, v.failed, v.days_at_adequate_dose) == (0, True, True, 42)
    assert "one venlafaxine course of 2 records joined" in result.trials[1].reasons[0]
    assert result.failed_adequate_agents == ("venlafaxine",)


@pytest.mark.parametrize(("gap", "joined", "days"), [
    (0, True, 42),   # touching: the second starts on the first's stop date
    (7, True, 42),   # a gap of 7 days joins, its days are not counted
    (8, False, 21),  # a gap of 8 days: two courses of the same agent
])
def test_gap_of_seven_days_joins_and_eight_does_not(gap, joined, days):
    h = history(trial("sertraline", steps=((0, 50),), stopped=21),
                trial("sertraline", steps=((21 + gap, 50),), stopped=42 + gap))
    first, second = run(h).trials
    assert (second.course == 0) is joined
    assert first.days_at_adequate_dose == days and second.days_at_adequate_dose == days
    assert first.adequate is joined


def test_a_gap_does_not_break_the_run():
    # 30 days, a 5-day gap, 12 days: 42 days at adequate dose over 47 calendar days
    h = history(trial("sertraline", steps=((0, 50),), stopped=30),
                trial("sertraline", steps=((35, 50),), stopped=47))
    assert run(h).trials[0].days_at_adequate_dose == 42


def test_a_gap_after_a_low_dose_does_not_restore_the_old_run():
    h = history(trial("sertraline", steps=((0, 50), (20, 25)), stopped=30),
                trial("sertraline", steps=((33, 50),), stopped=60))
    assert run(h).trials[0].days_at_adequate_dose == 27  # 20 before the dip, 27 after it


@pytest.mark.parametrize(("second_mg", "days"), [
    (50, 60),  # duplicate entries: the dose is never doubled (25 + 25 would reach 50)
    (100, 60),
])
def test_overlapping_records_take_the_later_record_dose_never_a_sum(second_mg, days):
    h = history(trial("sertraline", steps=((0, 25),), stopped=60),
                trial("sertraline", steps=((0, 25),), stopped=60),
                trial("sertraline", steps=((10, second_mg),), stopped=60))
    result = run(h)
    assert result.trials[0].days_at_adequate_dose == 50  # days 10-59 at the later record's dose
    assert {v.course for v in result.trials} == {0}
    twice = run(history(trial("sertraline", steps=((0, 25),), stopped=days),
                        trial("sertraline", steps=((0, 25),), stopped=days)))
    assert twice.trials[0].days_at_adequate_dose == 0  # 25 + 25 is not 50


def test_a_later_record_at_a_lower_dose_supersedes_from_its_start():
    h = history(trial("sertraline", steps=((0, 100),), stopped=90),
                trial("sertraline", steps=((30, 25),), stopped=90))
    assert run(h).trials[0].days_at_adequate_dose == 30


def test_same_start_tie_goes_to_the_later_stop_then_the_later_position():
    # both start on day 0; the one stopping later applies on the shared days
    h = history(trial("sertraline", steps=((0, 100),), stopped=90, response="partial"),
                trial("sertraline", steps=((0, 25),), stopped=50, response="response"))
    result = run(h)
    assert result.trials[0].days_at_adequate_dose == 90
    assert result.trials[0].failed  # the last record (later stop) carries the outcome
    same = history(trial("sertraline", steps=((0, 25),), stopped=60, response="response"),
                   trial("sertraline", steps=((0, 100),), stopped=60, response="none"))
    assert run(same).trials[0].days_at_adequate_dose == 60 and run(same).trials[0].failed


def test_the_course_outcome_is_the_last_record_response():
    h = history(trial("sertraline", steps=((0, 50),), stopped=30, response="none"),
                trial("sertraline", steps=((30, 100),), stopped=60, response="response"))
    assert all(not v.failed and v.adequate for v in run(h).trials)


def test_course_outcome_derived_over_the_whole_course_window():
    from tests.rules.helpers import score

    h = history(trial("sertraline", steps=((0, 50),), stopped=30, response="unknown"),
                trial("sertraline", steps=((30, 100),), stopped=60, response="unknown"),
                scores=[score(-1, 20), score(59, 18)])
    result = run(h)
    assert all(v.failed for v in result.trials)
    assert "PHQ-9 20 on 2023-12-31 -> 18 on 2024-02-29: 10.0% improvement" in \
        result.trials[0].reasons[2]


@pytest.mark.parametrize(("adherence", "profile", "adequate"), [
    (("good", "poor"), "standard", False),
    (("good", "partial"), "standard", True),
    (("good", "partial"), "payer-strict", False),
    (("good", "good"), "payer-strict", True),
])
def test_a_course_is_adherent_only_when_every_record_is(adherence, profile, adequate):
    h = history(trial("sertraline", steps=((0, 50),), stopped=30, adherence=adherence[0]),
                trial("sertraline", steps=((30, 50),), stopped=60, adherence=adherence[1]))
    assert run(h, profile=profile).trials[0].adequate is adequate


def test_records_of_other_episodes_never_join():
    h = history(trial("sertraline", steps=((0, 50),), stopped=21),
                trial("sertraline", steps=((21, 50),), stopped=42),
                episodes=[episode("e1", -10, 20), episode("e2", 21)])
    first, second = run(h).trials
    assert not first.counted and second.counted and second.course == 1
    assert second.days_at_adequate_dose == 21


def test_course_index_is_the_record_started_first_whatever_the_input_order():
    h = history(trial("sertraline", steps=((30, 50),), stopped=60),
                trial("Zoloft", steps=((0, 50),), stopped=30))
    assert [v.course for v in run(h).trials] == [1, 1]


def test_a_re_challenge_after_a_longer_gap_is_a_new_course_of_the_same_agent():
    h = history(trial("sertraline", stopped=60), trial("sertraline", steps=((100, 50),),
                                                       stopped=160))
    result = run(h)
    assert [v.course for v in result.trials] == [0, 1]
    assert result.failed_adequate_agents == ("sertraline",) and not result.trd
