"""Version 2 rules 9-10 in the rules: what is still needed, the forecast, warnings and alerts.

One test per kind of gap: each "still needed" item names the record and the field to change.
"""

from datetime import date

import pytest

from tests.rules.helpers import day, episode, history, score, trial
from tracker.rules import assess, get_profile


def run(h, as_of=400, profile="standard"):
    return assess(h, get_profile(profile), as_of if isinstance(as_of, date) else day(as_of))


SERTRALINE_FAILED = trial("sertraline", steps=((0, 50),), stopped=60)


def test_an_ongoing_course_at_dose_needs_more_days_with_the_date():
    h = history(SERTRALINE_FAILED, trial("venlafaxine", steps=((100, 150),)))
    result = run(h, as_of=130)
    assert result.missing == ("venlafaxine: 12 more days at >= 150 mg/day (adequate on "
                              "2024-05-22 if continued)",)
    assert result.forecast.to_dict() == {"course_adequate_on": "2024-05-22",
                                         "trd_if_failed_on": "2024-05-22",
                                         "drug": "venlafaxine"}


def test_the_documented_example_of_rule_9():
    h = history(trial("venlafaxine", steps=((0, 150),), stopped=60),
                trial("sertraline", steps=(((date(2024, 4, 21) - day(0)).days, 50),)))
    result = run(h, as_of=date(2024, 5, 21))
    assert "sertraline: 12 more days at >= 50 mg/day (adequate on 2024-06-02 if continued)" \
        in result.missing
    assert result.forecast.course_adequate_on == date(2024, 6, 2)
    assert result.forecast.trd_if_failed_on == date(2024, 6, 2)


def test_an_ongoing_course_below_the_minimum_says_raise_the_dose_and_has_no_forecast():
    h = history(SERTRALINE_FAILED, trial("venlafaxine", steps=((100, 75),)))
    result = run(h, as_of=130)
    assert result.missing == ("venlafaxine: raise the dose to >= 150 mg/day (now 75 mg/day), "
                              "then 42 days at it",)
    assert result.forecast is None


def test_forecast_without_a_partner_says_when_adequate_but_not_trd():
    result = run(history(trial("venlafaxine", steps=((100, 150),))), as_of=130)
    assert result.forecast.trd_if_failed_on is None
    assert result.forecast.course_adequate_on == day(142)
    assert result.missing[-1].startswith("two adequate failed trials")


def test_forecast_picks_the_course_nearest_to_adequacy():
    h = history(SERTRALINE_FAILED, trial("venlafaxine", steps=((100, 150),)),
                trial("mirtazapine", steps=((120, 15),)))
    assert run(h, as_of=130).forecast.drug == "venlafaxine"


def test_forecast_of_a_combination_partner_is_not_trd():
    h = history(SERTRALINE_FAILED, trial("mirtazapine", steps=((10, 7.5), (40, 15))))
    forecast = run(h, as_of=70).forecast
    assert (forecast.drug, forecast.course_adequate_on) == ("mirtazapine", day(82))
    assert forecast.trd_if_failed_on is None


def test_no_forecast_once_trd_is_met():
    h = history(SERTRALINE_FAILED, trial("venlafaxine", steps=((70, 150),), stopped=130),
                trial("mirtazapine", steps=((140, 15),)))
    result = run(h, as_of=150)
    assert result.trd and result.forecast is None and result.missing == ()


def test_unknown_adherence_under_payer_strict_asks_to_document_it_not_for_another_trial():
    h = history(SERTRALINE_FAILED,
                trial("venlafaxine", steps=((70, 150),), stopped=130, adherence="unknown"))
    result = run(h, profile="payer-strict")
    assert result.missing == ("venlafaxine: document adherence (this definition needs good)",)


def test_follow_up_without_baseline_asks_for_the_baseline():
    h = history(SERTRALINE_FAILED,
                trial("bupropion", steps=((70, 300),), stopped=130, response="unknown"),
                scores=[score(100, 15)])
    assert run(h).missing == ("bupropion: a baseline score in the 28 days before 2024-03-11, "
                              "or a recorded response",)


def test_baseline_without_follow_up_asks_for_the_follow_up():
    h = history(SERTRALINE_FAILED,
                trial("bupropion", steps=((70, 300),), stopped=130, response="unknown"),
                scores=[score(65, 15)])
    assert run(h).missing == ("bupropion: a follow-up score after 2024-03-11 on the instrument "
                              "of the baseline, or a recorded response",)


def test_no_scores_asks_for_both():
    h = history(SERTRALINE_FAILED,
                trial("bupropion", steps=((70, 300),), stopped=130, response="unknown"))
    assert run(h).missing == ("bupropion: a baseline score in the 28 days before 2024-03-11 "
                              "and a later score of the same instrument, or a recorded "
                              "response",)


def test_zero_baseline_asks_for_the_recorded_response():
    h = history(SERTRALINE_FAILED,
                trial("bupropion", steps=((70, 300),), stopped=130, response="unknown"),
                scores=[score(65, 0), score(120, 2)])
    assert run(h).missing == ("bupropion: the baseline score is 0, so no improvement can be "
                              "measured: record the response",)


def test_one_failed_agent_asks_for_another_agent():
    result = run(history(SERTRALINE_FAILED))
    assert result.missing == ("one more adequate failed trial of an antidepressant other than "
                              "sertraline",)


def test_two_classes_profile_asks_for_another_class():
    h = history(SERTRALINE_FAILED, trial("escitalopram", steps=((70, 10),), stopped=130))
    assert run(h, profile="payer-strict").missing == (
        "one more adequate failed trial of an antidepressant from a class other than SSRI "
        "(this definition needs two classes)",)


def test_nothing_failed_under_two_classes():
    assert run(history(), profile="payer-strict").missing == (
        "two adequate failed trials of antidepressants of two different classes, started more "
        "than 14 days apart",)


def test_a_stopped_short_course_adds_no_item_of_its_own():
    h = history(SERTRALINE_FAILED, trial("venlafaxine", steps=((70, 150),), stopped=90))
    assert run(h).missing == ("one more adequate failed trial of an antidepressant other than "
                              "sertraline",)


@pytest.mark.parametrize(("items", "as_of", "episodes", "alerted"), [
    ((1, 1, 1, 1, 1, 1, 1, 1, 1), 400, (), True),
    ((3, 3, 3, 3, 3, 3, 3, 3, 0), 400, (), False),    # item 9 is 0
    ((0, 0, 0, 0, 0, 0, 0, 0, 2), 30, (), False),     # after the as-of date
    ((0, 0, 0, 0, 0, 0, 0, 0, 2), 400, (("e1", -10, 20), ("e2", 100)), False),  # earlier episode
])
def test_phq9_item_9_above_0_in_the_current_episode_alerts(items, as_of, episodes, alerted):
    h = history(SERTRALINE_FAILED, scores=[score(50, sum(items), items=items)],
                episodes=[episode(*e) for e in episodes])
    alerts = run(h, as_of=as_of).alerts
    assert bool(alerts) is alerted
    if alerted:
        assert alerts == ("PHQ-9 on 2024-02-20: item 9 (thoughts of being better off dead or of "
                          "self-harm) answered 1 of 3; assess suicide risk",)


@pytest.mark.parametrize(("mg", "warned"), [(200, False), (201, True), (600, True)])
def test_a_dose_above_the_label_maximum_warns(mg, warned):
    result = run(history(trial("sertraline", steps=((0, 50), (30, mg)), stopped=90)))
    assert bool(result.warnings) is warned
    if warned:
        assert result.warnings == (f"sertraline: {mg} mg/day from 2024-01-31 is above the label "
                                   "maximum of 200 mg/day; check the dose",)


@pytest.mark.parametrize(("mg", "item"), [
    (50, "sertraline: 42 more days at >= 50 mg/day (adequate on 2024-02-12 if continued)"),
    (25, "sertraline: raise the dose to >= 50 mg/day (now 25 mg/day), then 42 days at it"),
])
def test_a_course_begun_on_the_as_of_date(mg, item):
    result = run(history(trial("sertraline", steps=((0, mg),))), as_of=0)
    assert result.missing[0] == item
    assert result.trials[0].days_at_adequate_dose == 0
