"""Table tests: every rule and boundary of trial adequacy, under every profile."""

import pytest

from tests.rules.helpers import day, episode, history, score, trial
from tracker.rules import PROFILES, assess, get_profile
from tracker.rules.outcomes import score_change

STANDARD = get_profile("standard")


def verdict(h, as_of=400, profile="standard", index=0):
    return assess(h, get_profile(profile), day(as_of)).trials[index]


@pytest.mark.parametrize(("steps", "stopped", "as_of", "days"), [
    (((0, 50),), 42, 400, 42),            # 1 Jan to 12 Feb is 42 days, end exclusive
    (((0, 50),), 41, 400, 41),
    (((0, 49.9),), 100, 400, 0),          # just under the minimum never counts
    (((0, 25), (14, 50)), 100, 400, 86),  # titration: the run starts at the adequate step
    (((0, 50), (20, 25), (30, 50)), 90, 400, 60),  # a dip breaks the run: longest wins
    (((0, 50), (20, 100)), None, 30, 30),  # ongoing: runs to the as-of date
    (((0, 50),), 100, 10, 10),            # stopped after the as-of date: still running then
    (((0, 50), (50, 100)), None, 30, 30),  # a step after the as-of date adds nothing
])
def test_longest_run_at_adequate_dose(steps, stopped, as_of, days):
    assert verdict(history(trial(steps=steps, stopped=stopped)), as_of).days_at_adequate_dose \
        == days


@pytest.mark.parametrize(("profile", "minimum"), [
    (p.name, p.min_days) for p in PROFILES.values()
])
def test_duration_boundary_is_inclusive_for_every_profile(profile, minimum):
    at = verdict(history(trial(stopped=minimum)), profile=profile)
    under = verdict(history(trial(stopped=minimum - 1)), profile=profile)
    assert at.adequate and at.failed
    assert not under.adequate and not under.failed
    assert f"only {minimum - 1} of {minimum} days at >= 50 mg/day" in under.reasons


def test_adequate_run_start_is_the_first_adequate_step_of_the_longest_run():
    v = verdict(history(trial(steps=((0, 25), (10, 50), (20, 25), (30, 50), (40, 100)),
                              stopped=90)))
    assert (v.adequate_run_start, v.days_at_adequate_dose) == (day(30), 60)
    v = verdict(history(trial(steps=((0, 10),), stopped=50)))
    assert (v.adequate_run_start, v.days_at_adequate_dose) == (None, 0)


def test_reason_states_days_and_minimum():
    v = verdict(history(trial(steps=((0, 50), (21, 100)), stopped=77)))
    assert v.reasons[0] == "77 days at >= 50 mg/day (needs 42)"


def test_dose_at_minimum_counts_and_just_under_does_not():
    assert verdict(history(trial(steps=((0, 50),), stopped=60))).adequate
    v = verdict(history(trial(steps=((0, 49),), stopped=60)))
    assert not v.adequate
    assert "never reached the minimum adequate dose of 50 mg/day (highest 49 mg/day)" in v.reasons


def test_dose_dip_breaks_the_run():
    v = verdict(history(trial(steps=((0, 50), (30, 25), (40, 50)), stopped=70)))
    assert v.days_at_adequate_dose == 30 and not v.adequate


@pytest.mark.parametrize(("adherence", "standard", "payer"), [
    ("good", True, True), ("partial", True, False), ("unknown", True, False),
    ("poor", False, False),
])
def test_adherence(adherence, standard, payer):
    h = history(trial(stopped=60, adherence=adherence))
    assert verdict(h).adequate is standard
    assert verdict(h, profile="payer-strict").adequate is payer
    if not standard:
        assert any("adherence poor" in r for r in verdict(h).reasons)


def test_early_stop_for_side_effects_is_not_a_failure():
    v = verdict(history(trial(stopped=20, stop_reason="side_effects", response="none")))
    assert not v.failed
    assert "stopped early for side effects" in v.reasons[0]


@pytest.mark.parametrize(("response", "profile", "failed"), [
    ("none", "standard", True), ("partial", "standard", True), ("response", "standard", False),
    ("remission", "standard", False), ("partial", "sforzini-2022", False),
    ("partial", "canadian-2021", True), ("partial", "payer-strict", False),
    ("none", "payer-strict", True),
])
def test_recorded_response(response, profile, failed):
    assert verdict(history(trial(stopped=60, response=response)), profile=profile).failed is failed


def test_unknown_response_without_scores_is_unknown_not_failed():
    v = verdict(history(trial(stopped=60, response="unknown")))
    assert v.adequate and not v.failed and v.outcome == "unknown"


@pytest.mark.parametrize(("baseline_day", "failed"), [(-28, True), (-29, False), (0, True)])
def test_derived_outcome_baseline_window(baseline_day, failed):
    h = history(trial(stopped=60, response="unknown"),
                scores=[score(baseline_day, 20), score(59, 18)])
    assert verdict(h).failed is failed


@pytest.mark.parametrize(("end", "profile", "failed"), [
    (11, "standard", True),     # 45% improvement, below 50%
    (10, "standard", False),    # exactly 50%: a response
    (16, "sforzini-2022", True),   # 20%
    (15, "payer-strict", True),    # 25% is "25% or less"
    (14, "payer-strict", False),   # 30%
    (14, "canadian-2021", True),   # 30% below 50%
])
def test_derived_outcome_thresholds(end, profile, failed):
    h = history(trial(stopped=60, response="unknown"), scores=[score(-1, 20), score(50, end)])
    assert verdict(h, profile=profile).failed is failed, verdict(h, profile=profile).reasons


def test_sforzini_threshold_is_strict():
    h = history(trial(stopped=60, response="unknown"), scores=[score(-1, 20), score(50, 15)])
    assert not verdict(h, profile="sforzini-2022").failed  # 25% is not below 25%


def test_derived_outcome_uses_one_instrument_and_the_last_scores():
    h = history(trial(stopped=60, response="unknown"),
                scores=[score(-5, 20), score(-2, 22), score(30, 5), score(55, 20)])
    v = verdict(h)
    assert v.failed
    assert v.reasons[1].startswith("PHQ-9 22 on 2023-12-30 -> 20 on 2024-02-25: 9.1% improvement")


def test_derived_outcome_falls_back_to_another_instrument():
    h = history(trial(stopped=60, response="unknown"),
                scores=[score(-1, 30, "MADRS"), score(50, 28, "MADRS"), score(50, 10)])
    assert verdict(h).failed and "MADRS" in verdict(h).reasons[1]


def test_zero_baseline_cannot_give_an_improvement():
    h = history(trial(stopped=60, response="unknown"), scores=[score(-1, 0), score(50, 0)])
    assert verdict(h).outcome == "unknown"


def test_score_after_the_stop_or_the_as_of_date_is_not_used():
    h = history(trial(stopped=60, response="unknown"), scores=[score(-1, 20), score(61, 19)])
    assert verdict(h).outcome == "unknown"
    h2 = history(trial(response="unknown"), scores=[score(-1, 20), score(80, 19)])
    assert verdict(h2, as_of=70).outcome == "unknown"
    assert verdict(h2, as_of=80).failed


def test_augmentation_agent_is_never_an_antidepressant_trial():
    v = verdict(history(trial("aripiprazole", steps=((0, 5),), stopped=90)))
    assert not v.counted and not v.adequate and not v.failed
    assert "augmentation agent" in v.reasons[0]


def test_trial_starting_after_as_of_is_not_counted():
    v = verdict(history(trial(steps=((100, 50),))), as_of=50)
    assert not v.counted and "after the as-of date" in v.reasons[0]


def test_brand_names_resolve_to_the_generic():
    v = verdict(history(trial("ZOLOFT", stopped=60)))
    assert v.drug == "sertraline" and v.drug_class == "SSRI"


def test_every_profile_cites_a_source():
    for profile in PROFILES.values():
        assert profile.source and profile.title


def test_unknown_profile_lists_the_known_ones():
    with pytest.raises(KeyError, match="standard"):
        get_profile("lenient")


def test_episode_reason_for_trial_in_another_episode():
    h = history(trial(stopped=60, episode="e1"),
                episodes=[episode("e1", -30, 100), episode("e2", 200)])
    v = verdict(h, as_of=300)
    assert not v.counted and v.reasons[0] == "belongs to episode e1, not the current episode e2"


@pytest.mark.parametrize(("scores", "expected"), [
    # (instrument, day, score) rows -> (instrument, baseline, end, change %) or None
    ([("PHQ-9", -3, 20), ("PHQ-9", 40, 15)], ("PHQ-9", 20, 15, 25.0)),
    ([("PHQ-9", -40, 20), ("PHQ-9", 40, 15)], None),  # baseline too early
    ([("MADRS", -1, 30), ("MADRS", 20, 12), ("PHQ-9", 5, 3)], ("MADRS", 30, 12, 60.0)),
    ([("PHQ-9", 0, 0), ("PHQ-9", 30, 4)], ("PHQ-9", 0, 4, None)),  # no change from zero
    ([("PHQ-9", -2, 18), ("PHQ-9", 70, 5)], None),  # after the stop date (day 60)
])
def test_score_change_for_reports(scores, expected):
    t = trial(steps=((0, 50),), stopped=60, response="partial")
    h = history(t, scores=[score(d, s, i) for i, d, s in scores])
    change = score_change(t, h.measurements, day(100))
    if expected is None:
        assert change is None
    else:
        assert (change.instrument, change.baseline.score, change.end.score,
                change.change_pct) == expected
