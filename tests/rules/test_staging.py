"""Table tests for Thase & Rush, the Maudsley Staging Method and MGH staging."""

from datetime import date

import pytest

from tests.rules.helpers import day, ect, episode, history, trial
from tracker.rules import assess, get_profile
from tracker.rules import staging as stg


def failed(drug, start, mg):
    return trial(drug, steps=((start, mg),), stopped=start + 60)


@pytest.mark.parametrize(("classes", "ect_given", "stage"), [
    (set(), False, "0"), ({"SSRI"}, False, "I"), ({"SSRI", "SNRI"}, False, "II"),
    ({"SSRI", "TCA"}, False, "III"), ({"SSRI", "TCA", "MAOI"}, False, "IV"),
    ({"SSRI", "TCA", "MAOI"}, True, "V"), ({"SSRI", "MAOI"}, True, "II"),
    ({"SSRI"}, True, "I"),
])
def test_thase_rush(classes, ect_given, stage):
    assert stg.thase_rush(classes, ect_given) == stage


def test_thase_rush_from_a_history():
    h = history(failed("sertraline", 0, 50), failed("nortriptyline", 70, 75),
                failed("phenelzine", 140, 45), treatments=[ect(210)])
    assert assess(h, get_profile("standard"), day(400)).staging.thase_rush == "V"


@pytest.mark.parametrize(("start", "end", "months"), [
    (date(2024, 1, 15), date(2025, 1, 15), 12), (date(2024, 1, 15), date(2025, 1, 14), 11),
    (date(2024, 1, 31), date(2024, 3, 1), 1),
])
def test_months_between(start, end, months):
    assert stg.months_between(start, end) == months


@pytest.mark.parametrize(("onset", "as_of", "severity", "psychotic", "failed_n", "aug", "ect_",
                          "score", "band"), [
    (date(2024, 1, 1), date(2024, 12, 31), "subsyndromal", False, 0, False, False, 2, "mild"),
    (date(2024, 1, 1), date(2025, 1, 1), "mild", False, 2, False, False, 4, "mild"),
    (date(2024, 1, 1), date(2025, 2, 1), "moderate", False, 3, False, False, 7, "moderate"),
    (date(2024, 1, 1), date(2026, 1, 1), "severe", False, 5, True, False, 10, "moderate"),
    (date(2024, 1, 1), date(2026, 2, 1), "severe", True, 11, True, True, 15, "severe"),
    (date(2024, 1, 1), date(2026, 2, 1), "severe", True, 7, True, True, 14, "severe"),
    (date(2024, 1, 1), date(2026, 2, 1), "severe", False, 11, False, False, 12, "severe"),
    (date(2024, 1, 1), date(2024, 6, 1), "severe", False, 4, False, False, 7, "moderate"),
    (date(2024, 1, 1), date(2024, 6, 1), "severe", False, 6, False, True, 9, "moderate"),
    (date(2024, 1, 1), date(2024, 6, 1), "mild", True, 10, False, False, 7, "moderate"),
])
def test_maudsley(onset, as_of, severity, psychotic, failed_n, aug, ect_, score, band):
    e = episode(onset=(onset - day(0)).days, severity=severity, psychotic=psychotic)
    assert stg.maudsley(e, as_of, failed_n, aug, ect_) == (score, band)


def test_maudsley_duration_stops_at_remission():
    e = episode(onset=0, remission=100)
    assert stg.maudsley(e, day(1000), 0, False, False) == (1 + 3, "mild")


def test_maudsley_needs_an_episode():
    assert stg.maudsley(None, day(0), 2, False, False) is None
    result = assess(history(failed("sertraline", 0, 50)), get_profile("standard"), day(100))
    assert result.staging.to_dict()["maudsley"] is None


def test_mgh_counts_trials_optimisations_augmentation_and_ect():
    trials = [trial("sertraline", steps=((0, 50), (20, 100)), stopped=80),
              trial("venlafaxine", steps=((0, 150),), stopped=80)]
    assert stg.mgh(trials, 0, False) == 2.5
    assert stg.mgh(trials, 2, True) == 2.5 + 1 + 3
    assert stg.mgh([], 0, False) == 0
