"""Table tests for Version 2 rule 5: which score decides a derived outcome, and warnings."""

from itertools import combinations

import pytest

from tests.rules.helpers import day, history, score, trial
from tracker.rules import assess, get_profile
from tracker.rules.outcomes import INSTRUMENT_ORDER

# a baseline and an end score giving a failure (10% better) and a response (60% better)
FAILS = {"MADRS": (30, 27), "HAMD-17": (20, 18), "PHQ-9": (20, 18), "QIDS-SR16": (20, 18)}
RESPONDS = {"MADRS": (30, 12), "HAMD-17": (20, 8), "PHQ-9": (20, 8), "QIDS-SR16": (20, 8)}


def run(h, as_of=400, profile="standard"):
    return assess(h, get_profile(profile), day(as_of))


def pair(instrument, values):
    return [score(-1, values[0], instrument), score(50, values[1], instrument)]


@pytest.mark.parametrize(("first", "second"), list(combinations(INSTRUMENT_ORDER, 2)))
@pytest.mark.parametrize("first_fails", [True, False])
def test_every_instrument_pair_the_earlier_decides_and_disagreement_warns(first, second,
                                                                         first_fails):
    first_scores = FAILS if first_fails else RESPONDS
    second_scores = RESPONDS if first_fails else FAILS
    h = history(trial(stopped=60, response="unknown"),
                scores=pair(first, first_scores[first]) + pair(second, second_scores[second]))
    result = run(h)
    assert result.trials[0].failed is first_fails
    assert result.trials[0].reasons[1].startswith(f"{first} ")
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith(f"sertraline: {second} (")
    assert f"points the other way from {first}" in result.warnings[0]


@pytest.mark.parametrize(("first", "second"), list(combinations(INSTRUMENT_ORDER, 2)))
def test_instruments_that_agree_give_no_warning(first, second):
    h = history(trial(stopped=60, response="unknown"),
                scores=pair(first, FAILS[first]) + pair(second, FAILS[second]))
    result = run(h)
    assert result.trials[0].failed and result.warnings == ()


def test_a_baseline_of_zero_passes_the_decision_to_the_next_instrument():
    h = history(trial(stopped=60, response="unknown"),
                scores=pair("MADRS", (0, 5)) + pair("PHQ-9", (20, 18)))
    v = run(h).trials[0]
    assert v.failed and v.reasons[1].startswith("PHQ-9 20")


def test_only_a_zero_baseline_says_so():
    h = history(trial(stopped=60, response="unknown"), scores=pair("PHQ-9", (0, 3)))
    v = run(h).trials[0]
    assert v.outcome == "unknown"
    assert "the baseline score is 0" in v.reasons[1] and "no baseline" not in v.reasons[1]


@pytest.mark.parametrize(("response", "scores", "warned"), [
    ("response", (20, 18), True),    # recorded response, scores show failure
    ("remission", (20, 18), True),
    ("response", (20, 8), False),
    ("none", (20, 10), True),        # recorded none, scores show 50% improvement
    ("partial", (20, 9), True),
    ("none", (20, 11), False),       # 45%: no contradiction
])
def test_a_recorded_response_contradicted_by_scores_warns_and_still_wins(response, scores,
                                                                        warned):
    h = history(trial(stopped=60, response=response), scores=pair("PHQ-9", scores))
    result = run(h)
    assert result.trials[0].reasons[1].startswith(f"recorded response: {response}")
    assert bool(result.warnings) is warned
    if warned:
        assert result.warnings[0].startswith(f"sertraline: recorded response is {response} but "
                                             "PHQ-9 shows")
        assert result.warnings[0].endswith("the recorded response is used")


def test_percentages_keep_one_decimal():
    # payer-strict fails at 25% or less: 59 -> 44 is 25.4%, which must not read as 25%
    h = history(trial(stopped=60, response="unknown"),
                scores=[score(-1, 59, "MADRS"), score(50, 44, "MADRS")])
    v = run(h, profile="payer-strict").trials[0]
    assert "25.4% improvement (failure is at most 25%): not a failure" in v.reasons[1]
    assert not v.failed


@pytest.mark.parametrize(("day_", "role"), [
    (0, "baseline"),   # a score on the first-dose day is a baseline only
    (60, "end"),       # a score on the stop date is an end score
])
def test_window_edges(day_, role):
    scores = [score(day_, 10)]
    scores.append(score(30, 20) if role == "baseline" else score(-3, 20))
    v = run(history(trial(stopped=60, response="unknown"), scores=scores)).trials[0]
    if role == "baseline":
        assert "PHQ-9 10 on 2024-01-01 -> 20 on 2024-01-31" in v.reasons[1]
    else:
        assert "-> 10 on 2024-03-01" in v.reasons[1]


def test_a_score_on_the_as_of_date_is_an_end_score():
    h = history(trial(response="unknown"), scores=[score(-1, 20), score(70, 19)])
    assert run(h, as_of=70).trials[0].failed


@pytest.mark.parametrize("response", ["none", "partial", "response", "remission", "unknown"])
@pytest.mark.parametrize("profile", ["standard", "sforzini-2022", "payer-strict"])
@pytest.mark.parametrize("end", [None, 5, 18])
def test_the_quick_failure_test_agrees_with_the_full_outcome(response, profile, end):
    from tracker.rules.outcomes import FAILURE, Scores, Window, fails, outcome_of

    scores = Scores(tuple(pair("PHQ-9", (20, end)) if end is not None else []))
    window, chosen = Window(day(0), day(60)), get_profile(profile)
    full = outcome_of("sertraline", response, window, scores, chosen)
    assert fails(response, window, scores, chosen) is (full.result == FAILURE)


@pytest.mark.parametrize("end", [5, 18])
def test_the_quick_failure_test_skips_an_instrument_whose_baseline_is_0(end):
    from tracker.rules.outcomes import FAILURE, Scores, Window, fails, outcome_of

    scores = Scores(tuple(pair("MADRS", (0, 3)) + pair("PHQ-9", (20, end))))
    window, chosen = Window(day(0), day(60)), get_profile("standard")
    full = outcome_of("sertraline", "unknown", window, scores, chosen)
    assert full.change.instrument == "PHQ-9"
    assert fails("unknown", window, scores, chosen) is (full.result == FAILURE)
