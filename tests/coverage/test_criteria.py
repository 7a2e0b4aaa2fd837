"""Table tests for every criterion kind at its boundaries."""

from dataclasses import replace
from datetime import date

import pytest

from tests.coverage.helpers import check, crit, therapy
from tests.rules.helpers import day, episode, history, score, trial

FAILED = dict(count=2)


def two_courses(second_start=70, response="unknown", end_score=15, first_stop=60, **kw):
    """Sertraline days 0-60 (PHQ-9 20 -> end_score) and bupropion from ``second_start``."""
    return history(
        trial("sertraline", ((0, 100),), stopped=first_stop, response=response, **kw),
        trial("bupropion", ((second_start, 300),), stopped=second_start + 60, response="none"),
        episodes=[episode()], scores=[score(0, 20), score(first_stop - 1, end_score)])


@pytest.mark.parametrize("end_score, inclusive, met", [
    (15, True, True),    # 25.0% improvement, failure at most 25%
    (15, False, False),  # 25.0% improvement, failure below 25%
    (16, False, True),   # 20.0%
    (14, True, False),   # 30.0%
])
def test_improvement_threshold_inclusive_and_exclusive(end_score, inclusive, met):
    criterion = crit("failed_courses", count=2, improvement_max_pct=25, inclusive=inclusive)
    result = check(criterion, two_courses(end_score=end_score))
    assert result.met is met
    if met:
        assert result.evidence[0] == (
            f"sertraline (SSRI) 100 mg/day for 60 days at >= 50 mg/day, 2024-01-01 to "
            f"2024-03-01, PHQ-9 20 -> {end_score} ({100 * (20 - end_score) / 20:.1f}%)")


def test_default_failure_is_below_50_percent_exclusive():
    assert check(crit("failed_courses", **FAILED), two_courses(end_score=11)).met is True
    assert check(crit("failed_courses", **FAILED), two_courses(end_score=10)).met is False


@pytest.mark.parametrize("first_stop, met", [(42, True), (41, False)])
def test_min_days_is_inclusive(first_stop, met):
    result = check(crit("failed_courses", count=2, min_days=42), two_courses(
        first_stop=first_stop, response="none"))
    assert result.met is met


@pytest.mark.parametrize("second_start, met", [(14, False), (15, True)])
def test_courses_started_within_14_days_are_one_step(second_start, met):
    result = check(crit("failed_courses", **FAILED), two_courses(
        second_start=second_start, response="none", first_stop=80))
    assert result.met is met
    if not met:
        assert result.missing.startswith("1 more adequate failed antidepressant course to "
                                         "document (found 1 that count together")


def test_three_courses_need_three_steps_of_rule_2():
    h = history(trial("sertraline", ((0, 100),), stopped=60),
                trial("bupropion", ((10, 300),), stopped=80),
                trial("nortriptyline", ((100, 100),), stopped=160), episodes=[episode()])
    assert check(crit("failed_courses", count=3), h).met is False
    h3 = replace(h, trials=(*h.trials, trial("mirtazapine", ((170, 30),), stopped=230)))
    result = check(crit("failed_courses", count=3), h3)
    assert result.met is True
    assert [e.split(" ")[0] for e in result.evidence] == ["sertraline", "nortriptyline",
                                                          "mirtazapine"]


def test_classes_need_different_classes():
    h = history(trial("sertraline", ((0, 100),), stopped=60),
                trial("escitalopram", ((70, 10),), stopped=140), episodes=[episode()])
    result = check(crit("failed_courses", count=2, classes=2), h)
    assert result.met is False
    assert result.missing.startswith("an adequate failed course of another class to document "
                                     "(the failed courses found span 1 class;")
    assert check(crit("failed_courses", count=2), h).met is True


@pytest.mark.parametrize("partial_counts, met", [(True, True), (False, False)])
def test_partial_response_counts_only_when_the_policy_says(partial_counts, met):
    h = two_courses(response="partial")
    assert check(crit("failed_courses", count=2, partial_counts=partial_counts), h).met is met


def test_an_outcome_unknown_course_that_would_complete_the_count_is_unknown():
    h = history(trial("sertraline", ((0, 100),), stopped=60, response="unknown"),
                trial("bupropion", ((70, 300),), stopped=140), episodes=[episode()])
    result = check(crit("failed_courses", **FAILED), h)
    assert result.met is None
    assert result.missing == ("sertraline: record the response, or a score in the 28 days "
                              "before 2024-01-01 and one after it (outcome unknown)")
    assert "(not yet counted)" in result.evidence[0]


@pytest.mark.parametrize("adherence, met", [("good", True), ("unknown", None), ("partial", False)])
def test_good_adherence_policy(adherence, met):
    h = two_courses(response="none", adherence=adherence)
    result = check(crit("failed_courses", count=2, adherence="good"), h)
    assert result.met is met
    if met is None:
        assert result.missing == "sertraline: document adherence (this policy needs good)"


def test_poor_adherence_never_counts_under_the_default():
    h = two_courses(response="none", adherence="poor")
    assert check(crit("failed_courses", **FAILED), h).met is False


@pytest.mark.parametrize("intolerance_counts, met", [(True, True), (False, False)])
def test_a_course_stopped_for_side_effects_counts_only_with_intolerance_counts(
        intolerance_counts, met):
    h = history(trial("sertraline", ((0, 25),), stopped=10, stop_reason="side_effects",
                      response="unknown"), episodes=[episode()])
    result = check(crit("failed_courses", count=1, intolerance_counts=intolerance_counts), h)
    assert result.met is met
    if met:
        assert result.evidence == ("sertraline (SSRI) 25 mg/day, 2024-01-01 to 2024-01-11: "
                                   "stopped for side effects (counts as failed)",)


def test_an_ongoing_course_stopped_for_side_effects_later_does_not_count_yet():
    h = history(trial("sertraline", ((0, 25),), stopped=20, stop_reason="side_effects"),
                episodes=[episode()])
    assert check(crit("failed_courses", count=1, intolerance_counts=True), h, 15).met is False


@pytest.mark.parametrize("stop, met", [(26, True), (25, False)])
def test_lookback_window_edge(stop, met):
    """As of 2024-10-27 a 9-month window starts on 2024-01-27 (day 26); both ends inclusive."""
    h = history(trial("sertraline", ((-60, 100),), stopped=stop),
                trial("bupropion", ((100, 300),), stopped=160))
    result = check(crit("failed_courses", count=2, window={"lookback_months": 9}), h)
    assert result.met is met
    assert result.label.endswith("in the last 9 months")


def test_lookback_window_reaches_earlier_episodes_and_current_episode_does_not():
    h = history(trial("sertraline", ((0, 100),), stopped=60, episode="e0"),
                trial("bupropion", ((200, 300),), stopped=260, episode="e1"),
                episodes=[episode("e0", -30, 80), episode("e1", 190)])
    assert check(crit("failed_courses", count=2), h).met is False
    assert check(crit("failed_courses", count=2, window={"lookback_months": 12}), h).met is True


def test_near_miss_says_how_many_more_days():
    h = history(trial("sertraline", ((0, 100),), stopped=60),
                trial("bupropion", ((270, 300),)), episodes=[episode()])
    result = check(crit("failed_courses", **FAILED), h)
    assert result.met is False
    assert result.missing.endswith("; bupropion: 12 more days at >= 300 mg/day (adequate on "
                                   "2024-11-08 if continued)")


@pytest.mark.parametrize("overlap, met", [(56, True), (55, False)])
def test_augmentation_overlap_is_inclusive(overlap, met):
    h = history(trial("sertraline", ((0, 100),)),
                trial("lithium", ((100, 600),), stopped=100 + overlap), episodes=[episode()])
    result = check(crit("augmentation_courses", count=1, min_days=56), h)
    assert result.met is met
    if met:
        assert result.evidence == ("lithium (mood stabiliser) 600 mg/day, 2024-04-10 to "
                                   f"{day(100 + overlap).isoformat()}, taken with sertraline for "
                                   f"{overlap} days",)
    else:
        assert result.missing.startswith("1 more augmentation agent to document")


def test_augmentation_needs_distinct_agents_and_an_antidepressant():
    h = history(trial("lithium", ((0, 600),), stopped=60),
                trial("lithium", ((100, 600),), stopped=160), episodes=[episode()])
    assert check(crit("augmentation_courses", count=1), h).met is False
    h2 = replace(h, trials=(*h.trials, trial("sertraline", ((0, 100),))))
    assert check(crit("augmentation_courses", count=1), h2).met is True
    assert check(crit("augmentation_courses", count=2), h2).missing.startswith(
        "1 more augmentation agent to document")


@pytest.mark.parametrize("modality, met", [
    ("CBT", True), ("cbasp", True), ("psychodynamic", False), (None, None)])
def test_evidence_based_modality(modality, met):
    h = history(treatments=[therapy(modality=modality)], episodes=[episode()])
    result = check(crit("psychotherapy", evidence_based=True), h)
    assert result.met is met
    if met is None:
        assert result.missing == "psychotherapy from 2024-01-11: record its modality"
    if met is False:
        assert result.missing.startswith("document an evidence-based psychotherapy course")


def test_any_psychotherapy_meets_a_criterion_without_evidence_based():
    h = history(treatments=[therapy(modality=None, end=None)], episodes=[episode()])
    result = check(crit("psychotherapy"), h)
    assert result.met is True
    assert result.evidence == ("psychotherapy (modality not recorded, 12 sessions), "
                               "2024-01-11 to ongoing",)


@pytest.mark.parametrize("sessions, days, met", [
    (8, 56, True), (7, 56, False), (None, 56, None), (8, 55, False)])
def test_psychotherapy_sessions_and_days_bounds(sessions, days, met):
    h = history(treatments=[therapy(start=0, end=days, sessions=sessions)], episodes=[episode()])
    result = check(crit("psychotherapy", min_sessions=8, min_days=56), h)
    assert result.met is met
    assert result.label == ("a psychotherapy course, >= 8 sessions, lasting >= 56 days, "
                            "in the current episode")


def test_psychotherapy_outside_the_episode_or_absent_is_not_met():
    h = history(treatments=[therapy(start=-100, end=-50)], episodes=[episode()])
    result = check(crit("psychotherapy", evidence_based=True), h)
    assert (result.met, result.evidence) == (False, ())


@pytest.mark.parametrize("taken, value, met", [
    (270, 16, True),   # exactly 30 days before: inside
    (269, 16, False),  # 31 days before: outside
    (300, 15, False),  # on the as-of date but below 16
    (300, 16, True),
])
def test_baseline_score_recency_and_threshold(taken, value, met):
    h = history(scores=[score(taken, value), score(301, 27)])
    criterion = crit("baseline_score", any_of=[{"instrument": "PHQ-9", "min_score": 16}],
                     within_days=30)
    result = check(criterion, h)
    assert result.met is met
    if not met:
        assert result.missing == "a score of PHQ-9 >= 16 dated 2024-09-27 to 2024-10-27"


def test_baseline_score_uses_the_latest_score_and_any_listed_instrument():
    criterion = crit("baseline_score", within_days=30, any_of=[
        {"instrument": "PHQ-9", "min_score": 16}, {"instrument": "MADRS", "min_score": 20}])
    h = history(scores=[score(280, 20), score(290, 10), score(285, 22, "MADRS")])
    result = check(criterion, h)
    assert result.met is True
    assert result.evidence == ("MADRS 22 on 2024-10-12 (needs >= 20)",)
    h2 = history(scores=[score(280, 20), score(290, 10)])
    assert check(criterion, h2).evidence == ("PHQ-9 10 on 2024-10-17 (needs >= 16)",)


@pytest.mark.parametrize("born, met", [
    (date(2006, 10, 27), True),   # 18th birthday on the as-of date
    (date(2006, 10, 28), False),  # 18 tomorrow
    (date(1959, 10, 28), True),   # 64, 65 tomorrow
    (date(1959, 10, 27), False),  # 65th birthday: below_years is exclusive
    (None, None),
])
def test_age_bounds(born, met):
    h = replace(history(), birth_date=born)
    result = check(crit("age", min_years=18, below_years=65), h)
    assert result.met is met
    assert result.label == "age at least 18 and under 65"
    if met is None:
        assert result.missing == "record the date of birth"


def test_age_with_only_an_upper_bound():
    h = replace(history(), birth_date=date(2010, 1, 1))
    assert check(crit("age", below_years=18), h).met is True


@pytest.mark.parametrize("stop, met", [(None, True), (301, True), (300, False)])
def test_concurrent_antidepressant_stop_date_is_exclusive(stop, met):
    h = history(trial("sertraline", ((0, 50), (100, 100)), stopped=stop), trial("lithium"))
    result = check(crit("concurrent_antidepressant"), h)
    assert result.met is met
    if met:
        assert result.evidence == ("sertraline 100 mg/day since 2024-01-01, ongoing on "
                                   "2024-10-27",)


@pytest.mark.parametrize("remission, psychotic, active, no_psychosis", [
    (None, False, True, True), (300, False, False, True), (301, False, True, True),
    (None, True, True, False)])
def test_episode_criteria(remission, psychotic, active, no_psychosis):
    h = history(episodes=[episode(remission=remission, psychotic=psychotic)])
    assert check(crit("active_episode"), h).met is active
    assert check(crit("no_psychotic_features"), h).met is no_psychosis


def test_episode_criteria_are_unknown_without_an_episode():
    assert check(crit("active_episode"), history()).met is None
    assert check(crit("no_psychotic_features"), history()).met is None


def test_any_of_is_met_by_one_option_unknown_or_not_met_otherwise():
    augmentation = crit("augmentation_courses", count=1)
    therapy_crit = crit("psychotherapy", evidence_based=True)
    either = crit("any_of", augmentation, therapy_crit)
    met = check(either, history(treatments=[therapy()], episodes=[episode()]))
    assert met.met is True
    assert [o.met for o in met.criteria] == [False, True]
    unknown = check(either, history(treatments=[therapy(modality=None)], episodes=[episode()]))
    assert (unknown.met, unknown.missing) == (None, "psychotherapy from 2024-01-11: record its "
                                                    "modality")
    no = check(either, history(episodes=[episode()]))
    assert no.met is False
    assert " - or - " in no.missing
    assert no.to_dict()["criteria"][0]["kind"] == "augmentation_courses"


def test_a_rechallenge_of_the_same_agent_is_one_agent():
    h = history(trial("sertraline", ((0, 100),), stopped=60),
                trial("sertraline", ((100, 100),), stopped=160), episodes=[episode()])
    result = check(crit("failed_courses", **FAILED), h)
    assert result.met is False
    assert len(result.evidence) == 2


def test_records_started_after_the_as_of_date_are_left_out():
    h = history(trial("sertraline", ((0, 100),), stopped=60),
                trial("bupropion", ((301, 300),)))
    assert check(crit("failed_courses", count=1, window={"lookback_months": 12}), h).met is True
    assert check(crit("failed_courses", count=2, window={"lookback_months": 12}), h).met is False
