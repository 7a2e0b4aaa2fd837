"""Table tests for the patient-level verdict: agents, episodes, classes, first-met, missing."""

from datetime import date

import pytest

from tests.rules.helpers import day, ect, episode, history, score, trial
from tracker.interchange.history import parse
from tracker.rules import MET, NOT_MET, OUTCOME_MISSING, assess, get_profile


def run(h, as_of=400, profile="standard"):
    return assess(h, get_profile(profile), day(as_of))


def two_failed(**kw):
    return history(trial("sertraline", stopped=60), trial("venlafaxine", steps=((61, 150),),
                                                          stopped=121), **kw)


def test_two_different_failed_agents_meet_trd():
    result = run(two_failed())
    assert result.trd and result.status == MET
    assert result.failed_adequate_agents == ("sertraline", "venlafaxine")
    assert result.missing == ()


def test_same_agent_twice_under_two_brand_names_counts_once():
    h = history(trial("Zoloft", stopped=60), trial("Lustral", steps=((70, 100),), stopped=130))
    result = run(h)
    assert not result.trd and result.failed_adequate_agents == ("sertraline",)
    assert result.missing[0] == "one more adequate failed trial of an antidepressant other " \
                                "than sertraline"


def test_nothing_failed_says_two_trials_are_missing():
    result = run(history(trial(stopped=20)))
    assert result.status == NOT_MET
    assert result.missing == ("two adequate failed trials of different antidepressants, "
                              "started more than 14 days apart",)


def test_adequate_trial_with_unknown_outcome_is_outcome_missing():
    h = history(trial("sertraline", stopped=60),
                trial("venlafaxine", steps=((61, 150),), stopped=121, response="unknown"))
    result = run(h)
    assert result.status == OUTCOME_MISSING and not result.trd
    assert "venlafaxine: a baseline score in the 28 days before 2024-03-02 and a later score " \
           "of the same instrument, or a recorded response" in result.missing


def test_trials_of_an_earlier_episode_do_not_count():
    h = two_failed(episodes=[episode("e1", -10, 200), episode("e2", 300)])
    result = run(h)
    assert result.current_episode == "e2" and not result.trd
    assert all(not t.counted for t in result.trials)


def test_trials_without_episode_key_join_the_episode_holding_their_first_dose():
    h = two_failed(episodes=[episode("e1", -400, -100), episode("e2", -10)])
    assert run(h).trd


def test_first_dose_outside_every_episode_window_is_not_counted():
    h = two_failed(episodes=[episode("e1", -400, -100), episode("e2", 100)])
    result = run(h)
    assert not result.trials[0].counted
    assert "falls in no recorded episode" in result.trials[0].reasons[0]


def test_no_episodes_at_all_is_one_implicit_current_episode():
    result = run(two_failed())
    assert result.current_episode is None and result.trd


def test_episode_not_yet_begun_counts_nothing():
    result = run(two_failed(episodes=[episode("e1", 500)]), as_of=400)
    assert not result.trd and "no episode had begun" in result.trials[0].reasons[0]


def test_named_episode_wins_over_the_window():
    h = history(trial("sertraline", stopped=60, episode="e2"),
                trial("venlafaxine", steps=((61, 150),), stopped=121, episode="e2"),
                episodes=[episode("e1", -30, 300), episode("e2", 301)])
    assert run(h).trd


def test_ongoing_trial_becomes_adequate_with_time():
    h = history(trial("sertraline", stopped=60),
                trial("venlafaxine", steps=((61, 150),), stopped=None))
    assert not run(h, as_of=102).trd
    assert run(h, as_of=103).trd


@pytest.mark.parametrize(("drugs", "met"), [
    (("sertraline", "escitalopram"), False),   # two SSRIs: one class
    (("sertraline", "venlafaxine"), True),     # SSRI and SNRI
])
def test_payer_strict_needs_two_classes(drugs, met):
    h = history(trial(drugs[0], stopped=60), trial(drugs[1], steps=((61, 150),), stopped=121))
    result = run(h, profile="payer-strict")
    assert result.trd is met
    if not met:
        assert "from a class other than SSRI" in result.missing[0]


def test_first_met_is_the_earliest_date_the_flag_holds():
    h = history(trial("sertraline", stopped=60),
                trial("venlafaxine", steps=((61, 150),), stopped=None))
    result = run(h, as_of=300)
    assert result.first_met == day(103)
    assert run(h, as_of=int((result.first_met - day(0)).days)).trd


def test_first_met_with_derived_outcome_is_the_follow_up_date():
    h = history(trial("sertraline", stopped=60),
                trial("venlafaxine", steps=((61, 150),), response="unknown"),
                scores=[score(60, 20), score(150, 18)])
    assert run(h, as_of=300).first_met == day(150)


def test_example_history_matches_the_format_document():
    import json
    from pathlib import Path

    doc = json.loads(Path(__file__).parents[2].joinpath(
        "tests", "data", "example-history.json").read_text())
    result = assess(parse(doc).history, get_profile("standard"), date(2024, 6, 1)).to_dict()
    assert result["profile"] == "standard" and result["as_of"] == "2024-06-01"
    assert result["current_episode"] == "e2" and result["trd"] is True
    assert result["failed_adequate_agents"] == ["escitalopram", "sertraline"]
    sertraline = result["trials"][1]
    assert sertraline == {**sertraline, "index": 1, "drug": "sertraline", "counted": True,
                          "adequate": True, "failed": True, "days_at_adequate_dose": 77}
    assert sertraline["reasons"][0] == "77 days at >= 50 mg/day (needs 42)"
    assert result["staging"] == {"thase_rush": "I", "maudsley": {"score": 7, "band": "moderate"},
                                 "mgh": 3.5, "notes": []}
    # version 2 output
    assert (result["episode_state"], result["remission"]) == ("current", None)
    assert result["first_met"] == "2024-05-25"
    assert result["warnings"] == [] and result["alerts"] == [] and result["forecast"] is None
    assert [t["course"] for t in result["trials"]] == [0, 1, 2, 3]


def test_augmentation_and_ect_are_staged_but_never_agents():
    h = two_failed(treatments=[ect()])
    h = history(*h.trials, trial("lithium", steps=((10, 600),), stopped=90),
                treatments=[ect()])
    result = run(h)
    assert result.failed_adequate_agents == ("sertraline", "venlafaxine")
    assert result.staging.mgh == 1 + 1 + 0.5 + 3  # two failed, one augmentation, ECT
