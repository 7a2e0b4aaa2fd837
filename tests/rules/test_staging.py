"""Table tests for Thase & Rush, the Maudsley Staging Method and MGH staging."""

from datetime import date

import pytest

from tests.rules.helpers import day, ect, episode, history, trial
from tracker.rules import assess, get_profile
from tracker.rules import staging as stg


def failed(drug, start, mg):
    return trial(drug, steps=((start, mg),), stopped=start + 60)


@pytest.mark.parametrize(("classes", "bilateral", "stage"), [
    # Version 2 rule 6, read strictly: each stage with and without bilateral ECT
    (set(), False, "0"), (set(), True, "0"),
    ({"SSRI"}, False, "I"), ({"SSRI"}, True, "I"),
    ({"SSRI", "SNRI"}, False, "II"), ({"SSRI", "SNRI"}, True, "II"),
    ({"SSRI", "TCA"}, False, "II"),  # SSRI + TCA: a TCA and only one other class
    ({"SSRI", "SNRI", "TCA"}, False, "III"), ({"SSRI", "SNRI", "TCA"}, True, "III"),
    ({"SSRI", "TeCA", "SNRI"}, False, "II"),  # a TeCA is not a TCA
    ({"SSRI", "TCA", "MAOI"}, False, "III"),  # the MAOI is one of the two others for III
    ({"SSRI", "TCA", "MAOI"}, True, "III"),  # IV needs two classes besides TCA and MAOI
    ({"SSRI", "SNRI", "TCA", "MAOI"}, False, "IV"),
    ({"SSRI", "SNRI", "TCA", "MAOI"}, True, "V"),
    ({"SSRI", "SNRI", "TCA", "RIMA"}, True, "III"),  # moclobemide (RIMA) is not an MAOI
    ({"SSRI", "MAOI"}, True, "II"),
])
def test_thase_rush(classes, bilateral, stage):
    assert stg.thase_rush(classes, bilateral) == stage


FOUR_CLASSES = (failed("sertraline", 0, 50), failed("venlafaxine", 70, 150),
                failed("nortriptyline", 140, 75), failed("phenelzine", 210, 45))


@pytest.mark.parametrize(("laterality", "stage", "noted"), [
    ("bilateral", "V", False), ("unilateral", "IV", True), ("unknown", "IV", True),
])
def test_thase_rush_from_a_history_needs_bilateral_ect_for_stage_v(laterality, stage, noted):
    h = history(*FOUR_CLASSES, treatments=[ect(280, laterality=laterality)])
    staging = assess(h, get_profile("standard"), day(400)).staging
    assert staging.thase_rush == stage
    assert bool(staging.notes) is noted
    if noted:
        assert "bilateral ECT" in staging.notes[0]


def test_thase_rush_counts_ect_of_the_current_episode_only():
    h = history(*FOUR_CLASSES, treatments=[ect(-100, laterality="bilateral")],
                episodes=[episode("e1", -200, -50), episode("e2", -10)])
    assert assess(h, get_profile("standard"), day(400)).staging.thase_rush == "IV"


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


def mgh_of(*trials, treatments=()):
    return assess(history(*trials, treatments=treatments), get_profile("standard"),
                  day(400)).staging.mgh


@pytest.mark.parametrize(("steps", "points"), [
    # Version 2 rule 7: +0.5 only for a raise above an earlier step to above the minimum
    (((0, 50),), 1.0),                    # one failed step, no raise
    (((0, 100),), 1.0),                   # started and stayed high: not an optimisation
    (((0, 50), (20, 100)), 1.5),          # raised from the minimum
    (((0, 25), (10, 50)), 1.0),           # raised only up to the minimum, not above it
    (((0, 25), (10, 100)), 1.5),          # titrated from below to above the minimum
    (((0, 100), (10, 50), (50, 100)), 1.5),  # lowered then raised again: a raise
    (((0, 100), (30, 50)), 1.0),          # lowered only
])
def test_mgh_with_and_without_a_raise(steps, points):
    assert mgh_of(trial("sertraline", steps=steps, stopped=90)) == points


def test_mgh_counts_steps_combinations_augmentation_and_ect():
    # sertraline and mirtazapine started 10 days apart: one failed combination step
    together = (trial("sertraline", steps=((0, 50),), stopped=80),
                trial("mirtazapine", steps=((10, 15),), stopped=80))
    assert mgh_of(*together) == 1 + 0.5
    later = trial("venlafaxine", steps=((100, 150),), stopped=160)
    assert mgh_of(*together, later) == 1 + 0.5 + 1
    augmentation = (trial("aripiprazole", steps=((20, 5),), stopped=60),
                    trial("Abilify", steps=((110, 5),), stopped=150),
                    trial("lithium", steps=((110, 600),), stopped=150))
    assert mgh_of(*together, later, *augmentation) == 2.5 + 2 * 0.5  # two distinct agents
    assert mgh_of(*together, later, treatments=[ect(200, laterality="unknown")]) == 2.5 + 3


def test_mgh_step_fails_when_any_course_of_it_fails():
    responded = trial("mirtazapine", steps=((10, 15),), stopped=80, response="response")
    assert mgh_of(trial("sertraline", steps=((0, 50),), stopped=80), responded) == 1.5
    assert mgh_of(trial("sertraline", steps=((0, 50),), stopped=20), responded) == 0


@pytest.mark.parametrize(("classes", "stage", "note"), [
    ({"SSRI", "TCA"}, "II", "stage III needs a failed TCA and two other classes; the other "
                            "failed classes: SSRI"),
    ({"SSRI", "TCA", "MAOI"}, "III", "stage IV needs, besides the failed TCA and MAOI, two "
                                     "other classes; the other failed classes: SSRI"),
    ({"TCA", "MAOI"}, "II", "stage III needs a failed TCA and two other classes; the other "
                            "failed classes: none"),
    ({"SSRI", "SNRI", "TCA"}, "III", None),  # stage III without an MAOI: nothing to explain
    ({"SSRI", "SNRI"}, "II", None),
    ({"SSRI", "SNRI", "TCA", "MAOI"}, "IV", None),
])
def test_thase_rush_notes_say_why_a_tca_or_maoi_did_not_raise_the_stage(classes, stage, note):
    assert stg.thase_rush(classes, False) == stage
    notes = stg.thase_rush_notes(classes, stage)
    assert notes == ([f"Thase-Rush {note}"] if note else [])
