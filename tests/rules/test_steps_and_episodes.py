"""Table tests for Version 2 rules 2-4: combination steps, first met, remitted episodes."""

import pytest

from tests.rules.helpers import day, episode, history, score, trial
from tracker.rules import MET, assess, get_profile
from tracker.rules.steps import group_steps


def run(h, as_of=400, profile="standard"):
    return assess(h, get_profile(profile), day(as_of))


def failed(drug, start, mg=None, stopped=None):
    mg = mg or {"sertraline": 50, "venlafaxine": 150, "mirtazapine": 15, "bupropion": 300,
                "escitalopram": 10}[drug]
    return trial(drug, steps=((start, mg),), stopped=stopped or start + 60)


@pytest.mark.parametrize(("apart", "met"), [(14, False), (15, True)])
def test_first_doses_14_days_apart_are_one_step_and_15_are_two(apart, met):
    result = run(history(failed("sertraline", 0), failed("mirtazapine", apart)))
    assert result.trd is met
    assert result.failed_adequate_agents == ("mirtazapine", "sertraline")
    combination = [r for r in result.trials[0].reasons if "one combination step" in r]
    assert bool(combination) is not met
    if not met:
        assert combination[0].startswith("sertraline and mirtazapine were started within 14 "
                                         "days of each other (2024-01-01 and 2024-01-15)")
        assert result.missing == ("one more adequate failed trial of an antidepressant started "
                                  "more than 14 days after 2024-01-15 (mirtazapine and "
                                  "sertraline were started together: one combination step)",)


def test_an_add_on_after_15_days_is_a_new_step():
    h = history(trial("sertraline", steps=((0, 50),), stopped=120),
                trial("mirtazapine", steps=((15, 15),), stopped=120))
    result = run(h)
    assert result.trd and result.first_met == day(57)  # mirtazapine's 42nd day at dose


def test_a_combination_and_a_later_agent_meet_the_flag():
    h = history(failed("sertraline", 0), failed("mirtazapine", 5), failed("venlafaxine", 80))
    assert run(h).trd


def test_payer_strict_pair_needs_two_classes_and_two_steps():
    same_class = history(failed("sertraline", 0), failed("escitalopram", 80))
    assert not run(same_class, profile="payer-strict").trd
    combined = history(failed("sertraline", 0), failed("venlafaxine", 10))
    assert not run(combined, profile="payer-strict").trd
    assert run(history(failed("sertraline", 0), failed("venlafaxine", 80)),
               profile="payer-strict").trd


@pytest.mark.parametrize(("starts", "groups"), [
    ((5, 15, 25), [[5, 15], [25]]),  # the example of rule 2
    ((0, 14, 15), [[0, 14], [15]]),
    ((0, 30, 44, 45), [[0], [30, 44], [45]]),
])
def test_steps_group_from_the_first_course_of_each_step(starts, groups):
    drugs = ["sertraline", "mirtazapine", "venlafaxine", "bupropion"]
    h = history(*(failed(d, s) for d, s in zip(drugs, starts, strict=False)))
    from tracker.rules.outcomes import Scores
    from tracker.rules.verdicts import judge_courses

    verdicts = judge_courses(h, get_profile("standard"), day(400), Scores(h.measurements))[0]
    courses = [v.course for v in verdicts]
    assert [[(c.started - day(0)).days for c in step] for step in group_steps(courses)] == groups


def test_first_met_never_falls_before_the_current_episode():
    # TRD was met in e1 (two failed agents); the current episode e2 meets it again later
    h = history(failed("sertraline", 0), failed("venlafaxine", 70),
                failed("bupropion", 200), failed("mirtazapine", 270),
                episodes=[episode("e1", -10, 150), episode("e2", 180)])
    result = run(h)
    assert result.trd and result.first_met == day(312)  # mirtazapine's 42nd day in e2
    assert result.first_met >= day(180)


def test_first_met_is_the_onset_when_earlier_failures_belong_to_the_episode():
    h = history(failed("sertraline", 0), failed("venlafaxine", 70), episodes=[episode("e1", -10)])
    assert run(h).first_met == day(112)


def test_first_met_is_the_earliest_day_even_when_the_flag_lapsed_in_between():
    # venlafaxine fails by scores on day 120, then a better score on day 125 makes it a
    # response for a while, and day 140 a failure again: first met stays day 120
    h = history(failed("sertraline", 0),
                trial("venlafaxine", steps=((61, 150),), response="unknown"),
                scores=[score(60, 20), score(120, 18), score(125, 8), score(140, 19)])
    result = run(h, as_of=200)
    assert result.trd and result.first_met == day(120)
    assert not run(h, as_of=130).trd


def test_first_met_is_null_when_the_flag_is_false_on_the_as_of_date():
    h = history(failed("sertraline", 0),
                trial("venlafaxine", steps=((61, 150),), response="unknown"),
                scores=[score(60, 20), score(120, 18), score(125, 8)])
    assert run(h, as_of=130).first_met is None


@pytest.mark.parametrize(("remission", "as_of", "state", "date_"), [
    (None, 400, "current", None),
    (400, 399, "current", None),   # a remission after the as-of date is not yet known
    (400, 400, "in_remission", 400),  # on the as-of date
    (300, 400, "in_remission", 300),  # before it
])
def test_remission_on_and_after_the_as_of_date(remission, as_of, state, date_):
    h = history(failed("sertraline", 0), failed("venlafaxine", 70),
                episodes=[episode("e1", -10, remission)])
    result = run(h, as_of=as_of)
    assert result.trd and result.status == MET  # the verdict is still computed
    assert result.episode_state == state
    assert result.remission == (day(date_) if date_ is not None else None)
    as_dict = result.to_dict()
    assert (as_dict["episode_state"], as_dict["remission"]) == (
        state, day(date_).isoformat() if date_ is not None else None)


def test_no_episode_recorded_has_no_episode_state():
    result = run(history(failed("sertraline", 0)))
    assert (result.episode_state, result.remission) == (None, None)


def test_maudsley_duration_of_a_remitted_episode_runs_to_the_remission():
    h = history(failed("sertraline", 0), episodes=[episode("e1", 0, 100, severity="mild")])
    staging = run(h, as_of=1000).staging
    assert staging.maudsley_score == 1 + 2 + 1  # 3 months, mild, one failed agent


def test_changes_before_the_onset_apply_in_their_own_order():
    # sertraline is named to e2 but ran before its onset: it failed by day 50's score, then
    # day 60's score made it a response; on e2's onset it is not a failure
    h = history(trial("sertraline", steps=((0, 50),), stopped=90, response="unknown",
                      episode="e2"),
                failed("venlafaxine", 100), failed("mirtazapine", 200),
                scores=[score(-1, 20), score(50, 19), score(60, 5)],
                episodes=[episode("e1", -300, -200), episode("e2", 100)])
    result = run(h)
    assert result.trd and result.first_met == day(242)


def test_first_met_counts_a_failure_that_a_later_poorly_adhered_record_undid():
    # sertraline fails on day 42; a renewal taken poorly from day 60 makes the course
    # non-adherent; the flag holds from day 42 (with venlafaxine), lapses, and holds again
    h = history(trial("venlafaxine", steps=((-30, 150),), stopped=30),
                trial("sertraline", steps=((0, 50),), stopped=60),
                trial("sertraline", steps=((60, 50),), stopped=100, adherence="poor"),
                failed("mirtazapine", 100))
    assert not run(h, as_of=80).trd
    result = run(h)
    assert result.trd and result.first_met == day(42)
