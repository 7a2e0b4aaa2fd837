"""Each shipped policy: a history it accepts, and one that fails on exactly one criterion."""

from dataclasses import replace
from datetime import date

import pytest

from tests.coverage.helpers import AS_OF, fitting_all, therapy
from tests.rules.helpers import day, episode, score, trial
from tracker.coverage import shipped_policies
from tracker.rules import Treatment
from tracker.rules.coverage import evaluate

POLICIES = shipped_policies()
BASE = fitting_all()


def without(items, drug):
    return [t for t in items if t.agent.generic != drug]


def run(policy_id, h, as_of=AS_OF):
    return evaluate(POLICIES[policy_id], h, day(as_of)).to_dict()


TRIALS = list(BASE.trials)
FAILS_ON_ONE = {
    "cigna-spravato": (fitting_all(birth_date=date(2006, 10, 28)), "age"),
    "qualchoice-spravato": (fitting_all(scores=[*BASE.measurements[:-1], score(290, 15)]),
                            "baseline_score"),
    "bcbsnd-spravato": (fitting_all(trials=[
        *TRIALS[:2], trial("mirtazapine", ((150, 30),), stopped=280), *TRIALS[3:]]),
        "concurrent_antidepressant"),
    "carefirst-spravato": (fitting_all(trials=TRIALS[:3], treatments=[]), "any_of"),
    "cms-l34998-tms": (fitting_all(episodes=[episode(psychotic=True)]), "no_psychotic_features"),
    "cms-l37086-tms": (fitting_all(treatments=[therapy(modality="psychodynamic")]),
                       "psychotherapy"),
    "centene-tms": (fitting_all(scores=list(BASE.measurements[:-1])), "baseline_score"),
    "aetna-tms": (fitting_all(trials=TRIALS[:3]), "augmentation_courses"),
}


def test_every_shipped_policy_has_a_failing_case():
    assert sorted(FAILS_ON_ONE) == sorted(POLICIES)


@pytest.mark.parametrize("policy_id", sorted(POLICIES))
def test_the_fitting_history_is_eligible(policy_id):
    result = run(policy_id, BASE)
    assert result["eligible"] is True, result
    assert result["criteria"][0]["kind"] == "active_episode"
    assert all(c["met"] is True and c["missing"] is None for c in result["criteria"])
    policy = POLICIES[policy_id]
    kinds = ["active_episode"] + [c.kind for c in policy.criteria if c.kind != "attest"]
    assert [c["kind"] for c in result["criteria"]] == kinds
    assert result["attest"] == [c.params["text"] for c in policy.criteria if c.kind == "attest"]


@pytest.mark.parametrize("policy_id", sorted(POLICIES))
def test_a_history_failing_on_exactly_one_criterion(policy_id):
    history, failing = FAILS_ON_ONE[policy_id]
    result = run(policy_id, history)
    assert result["eligible"] is False
    verdicts = {c["kind"]: c["met"] for c in result["criteria"]}
    assert [k for k, met in verdicts.items() if met is not True] == [failing]
    assert verdicts[failing] is False
    missing = next(c["missing"] for c in result["criteria"] if c["kind"] == failing)
    assert missing


def test_cigna_json_output_in_full():
    assert run("cigna-spravato", BASE) == {
        "policy": "cigna-spravato",
        "as_of": "2024-10-27",
        "eligible": True,
        "criteria": [
            {"kind": "active_episode", "met": True,
             "evidence": ["episode e1 since 2023-12-02, moderate, not in remission"],
             "missing": None, "criteria": []},
            {"kind": "failed_courses", "met": True, "evidence": [
                "sertraline (SSRI) 100 mg/day for 60 days at >= 50 mg/day, 2024-01-01 to "
                "2024-03-01, recorded response: none; PHQ-9 22 -> 20 (9.1%)",
                "venlafaxine (SNRI) 150 mg/day for 70 days at >= 150 mg/day, 2024-03-11 to "
                "2024-05-20, recorded response: none; PHQ-9 20 -> 19 (5.0%)"],
             "missing": None, "criteria": []},
            {"kind": "age", "met": True, "evidence": ["age 44 on 2024-10-27 (born 1980-05-05)"],
             "missing": None, "criteria": []},
            {"kind": "no_psychotic_features", "met": True,
             "evidence": ["episode e1 recorded without psychotic features"], "missing": None,
             "criteria": []},
        ],
        "attest": ["Prescription-monitoring program checked",
                   "Prescribed by or in consultation with a psychiatrist"],
        "reauthorisation": {"met": None, "evidence": [
            "no esketamine course recorded by 2024-10-27"]},
    }


def test_cigna_fails_on_age_and_says_so():
    history, _ = FAILS_ON_ONE["cigna-spravato"]
    age = run("cigna-spravato", history)["criteria"][2]
    assert age == {"kind": "age", "met": False,
                   "evidence": ["age 17 on 2024-10-27 (born 2006-10-28)"],
                   "missing": "the policy covers age at least 18; the patient is 17",
                   "criteria": []}


def test_eligible_is_null_when_a_criterion_is_unknown_and_none_fails():
    result = run("cigna-spravato", replace(BASE, birth_date=None))
    assert result["eligible"] is None
    result = run("cigna-spravato", replace(BASE, birth_date=None,
                                           episodes=(episode(psychotic=True),)))
    assert result["eligible"] is False


def test_remission_fails_the_implicit_active_episode():
    result = run("cms-l34998-tms", fitting_all(episodes=[episode(remission=299)]))
    assert result["eligible"] is False
    assert result["criteria"][0]["met"] is False


def esketamine(start):
    return Treatment("esketamine", day(start), None, 8, None, "")


@pytest.mark.parametrize("follow_up, met", [(18, True), (19, False)])
def test_cigna_reauthorisation_needs_any_improvement_after_28_days(follow_up, met):
    h = replace(BASE, treatments=(*BASE.treatments, esketamine(250)),
                measurements=(*BASE.measurements[:-1], score(240, 19), score(278, follow_up)))
    reauth = run("cigna-spravato", h)["reauthorisation"]
    assert reauth["met"] is met
    assert reauth["evidence"][0].startswith(f"PHQ-9 19 on 2024-08-28 -> {follow_up} on "
                                            "2024-10-05")
    assert reauth["evidence"][0].endswith("improvement (needs more than 0% improvement)")


def test_reauthorisation_is_unknown_without_a_follow_up_score_late_enough():
    h = replace(BASE, treatments=(*BASE.treatments, esketamine(250)),
                measurements=(*BASE.measurements[:-1], score(240, 19), score(277, 5)))
    reauth = run("cigna-spravato", h)["reauthorisation"]
    assert reauth["met"] is None
    assert reauth["evidence"] == [
        "course began 2024-09-07: no MADRS / HAMD-17 / PHQ-9 score both in the 30 days before "
        "it and at least 28 days after it"]


@pytest.mark.parametrize("follow_up, met", [(10, True), (11, False)])
def test_aetna_reauthorisation_at_least_50_percent_is_inclusive(follow_up, met):
    rtms = Treatment("rTMS", day(200), day(240), 30, None, "")
    h = replace(BASE, treatments=(*BASE.treatments, rtms),
                measurements=(score(180, 20, "MADRS"), score(260, follow_up, "MADRS"),
                              score(170, 0)))
    assert run("aetna-tms", h)["reauthorisation"]["met"] is met


def test_policies_without_reauthorisation_report_null():
    assert run("bcbsnd-spravato", BASE)["reauthorisation"] is None


def test_an_explicit_active_episode_is_not_repeated():
    from tracker.rules.coverage import Criterion
    policy = replace(POLICIES["cms-l34998-tms"], criteria=(
        Criterion("no_psychotic_features"), Criterion("active_episode")))
    result = evaluate(policy, BASE, day(AS_OF)).to_dict()
    assert [c["kind"] for c in result["criteria"]] == ["no_psychotic_features", "active_episode"]


def test_reauthorisation_takes_the_best_later_score_and_names_the_latest():
    h = replace(BASE, treatments=(*BASE.treatments, esketamine(250)),
                measurements=(*BASE.measurements[:-1], score(240, 20), score(280, 12),
                              score(290, 12), score(295, 19)))
    reauth = run("cigna-spravato", h)["reauthorisation"]
    assert reauth == {"met": True, "evidence": [
        "PHQ-9 20 on 2024-08-28 -> 12 on 2024-10-17: 40.0% improvement (needs more than 0% "
        "improvement)",
        "latest: PHQ-9 20 on 2024-08-28 -> 19 on 2024-10-22: 5.0% improvement (needs more "
        "than 0% improvement)"]}
