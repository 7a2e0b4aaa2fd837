"""The interchange format: validation by JSON path, round trips, and property tests."""

import copy
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rules.helpers import day
from tracker.catalogue import default_catalogue
from tracker.interchange.history import InvalidHistory, parse
from tracker.interchange.history_dump import dump
from tracker.rules import DoseStep, Trial, assess, get_profile

EXAMPLE = json.loads((Path(__file__).parent / "data" / "example-history.json").read_text())


def problems(doc) -> list[str]:
    with pytest.raises(InvalidHistory) as caught:
        parse(doc)
    return caught.value.problems


def edited(**changes):
    doc = copy.deepcopy(EXAMPLE)
    for path, value in changes.items():
        target = doc
        keys = path.split("__")
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        last = keys[-1]
        if value is KeyError:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return doc


def test_example_is_valid_and_brand_names_resolve():
    document = parse(EXAMPLE)
    assert document.patient.mrn == "A-1001"
    assert [t.agent.generic for t in document.history.trials][:2] == ["fluoxetine", "sertraline"]


@pytest.mark.parametrize(("changes", "expected"), [
    ({"trials__2__doses__1__mg_per_day": 0}, "trials[2].doses[1].mg_per_day: must be > 0"),
    ({"trials__2__doses__1__mg_per_day": -5}, "trials[2].doses[1].mg_per_day: must be > 0"),
    ({"trials__2__doses__1__mg_per_day": "20"}, "trials[2].doses[1].mg_per_day: must be a number"),
    ({"trials__1__drug": "Zolfot"}, "trials[1].drug: unknown drug 'Zolfot' (closest: Zoloft)"),
    ({"trials__1__episode": "e9"}, "trials[1].episode: no episode has the key 'e9'"),
    ({"trials__1__stopped": "2024-01-15"},
     "trials[1].stopped: must be after the first dose date and every dose step"),
    ({"trials__1__doses__1__from": "2024-01-10"},
     "trials[1].doses[1].from: must be after the previous step's date"),
    ({"trials__1__doses": []}, "trials[1].doses: must hold at least one dose step"),
    ({"trials__1__colour": "red"}, "trials[1].colour: unknown key"),
    ({"trials__1__adherence": "great"},
     "trials[1].adherence: must be one of good, partial, poor, unknown"),
    ({"trials__2__stop_reason": "cost"},
     "trials[2].stop_reason: must be null while the trial is running"),
    ({"measurements__0__score": 28}, "measurements[0].score: must be between 0 and 27"),
    ({"measurements__0__score": 3.5}, "measurements[0].score: must be a whole number"),
    ({"measurements__0__instrument": "BDI"},
     "measurements[0].instrument: must be one of PHQ-9, MADRS, HAMD-17, QIDS-SR16"),
    ({"measurements__0__date": "2024-02-30"},
     "measurements[0].date: 2024-02-30 is not a calendar date"),
    ({"measurements__0__date": "12/01/2024"}, "measurements[0].date: must be a date YYYY-MM-DD"),
    ({"episodes__0__remission": "2020-01-01"},
     "episodes[0].remission: must not be before the onset"),
    ({"episodes__1__key": "e1"}, "episodes[1].key: duplicate episode key 'e1'"),
    ({"episodes__0__psychotic": "no"}, "episodes[0].psychotic: must be true or false"),
    ({"patient__mrn": ""}, "patient.mrn: must be a non-empty string"),
    ({"patient__sex": "f"}, "patient.sex: must be one of female, male, other, unknown"),
    ({"patient__birth_date": KeyError}, "patient.birth_date: is required"),
    ({"patient__birth_date": "2999-01-01"}, "patient.birth_date: 2999-01-01 is in the future"),
    ({"format": "trd-history/2"}, "format: must be 'trd-history/1' or 'trd-history/1.1'"),
    ({"treatments__0__end": "2024-01-01"}, "treatments[0].end: must not be before the start"),
    ({"treatments__0__kind": "yoga"},
     "treatments[0].kind: must be one of ECT, rTMS, esketamine, psychotherapy, other"),
    ({"treatments__0__sessions": -1}, "treatments[0].sessions: must be between 0 and 1000"),
    ({"treatments__0__episode": "e7"}, "treatments[0].episode: no episode has the key 'e7'"),
    ({"patient__birth_date": "2022-01-01"},
     "episodes[0].onset: is before the patient's birth date"),
    ({"trials": {}}, "trials: must be a list"),
    ({"trials__1__notes": "x" * 2001}, "trials[1].notes: must be at most 2000 characters"),
    ({"trials__1__doses__0__mg_per_day": 50000},
     "trials[1].doses[0].mg_per_day: must be at most 5000"),
    ({"trials__1__doses__0__mg_per_day": 601},
     "trials[1].doses[0].mg_per_day: 601 mg/day is more than 3 times the label maximum of "
     "200 mg/day for sertraline: check the dose."),
])
def test_invalid_documents_name_the_path(changes, expected):
    assert expected in problems(edited(**changes))


def test_every_problem_is_listed_at_once():
    found = problems(edited(trials__1__drug="nope", measurements__0__score=99, format="x"))
    assert len(found) == 3


@pytest.mark.parametrize("doc", [None, [], "text", 3, {"format": "trd-history/1"}])
def test_non_documents_are_rejected(doc):
    assert problems(doc)


def test_a_problem_with_the_whole_document_is_named_dollar():
    assert problems([]) == ["$: must be an object"]


def test_dump_is_canonical_and_round_trips():
    once = dump(parse(EXAMPLE))
    assert dump(parse(once)) == once
    assert once["trials"][1]["drug"] == "sertraline"
    assert once["measurements"] == EXAMPLE["measurements"]


# --- property tests -------------------------------------------------------------------------

dates = st.integers(min_value=-60, max_value=600).map(day)
drugs = st.sampled_from(["sertraline", "Prozac", "venlafaxine", "bupropion", "aripiprazole",
                         "nortriptyline", "Lexapro", "phenelzine"])


def plausible_doses(drug: str) -> list[int]:
    """Return the test doses a history may hold for ``drug`` (at most 3x its label maximum)."""
    maximum = default_catalogue().resolve(drug).max_mg_per_day
    return [mg for mg in (5, 10, 20, 50, 75, 150, 300) if maximum is None or mg <= 3 * maximum]


@st.composite
def histories(draw):
    n_episodes = draw(st.integers(0, 2))
    episodes = []
    onset = draw(st.integers(-100, 100))
    for i in range(n_episodes):
        remission = draw(st.one_of(st.none(), st.integers(onset, onset + 300)))
        if i + 1 < n_episodes and remission is None:
            remission = onset + 100
        episodes.append({"key": f"e{i + 1}", "onset": day(onset).isoformat(),
                         "remission": day(remission).isoformat() if remission is not None
                         else None,
                         "severity": draw(st.sampled_from(["mild", "moderate", "severe"])),
                         "psychotic": draw(st.booleans())})
        onset = (remission or onset) + draw(st.integers(1, 100))
    trials = []
    for _ in range(draw(st.integers(0, 5))):
        drug = draw(drugs)
        start = draw(st.integers(-50, 500))
        offsets = sorted(draw(st.sets(st.integers(0, 120), min_size=1, max_size=3)))
        steps = [{"from": day(start + o).isoformat(),
                  "mg_per_day": draw(st.sampled_from(plausible_doses(drug)))}
                 for o in offsets]
        stopped = draw(st.one_of(st.none(), st.integers(start + offsets[-1] + 1, start + 300)))
        trial = {"drug": drug, "doses": steps,
                 "stopped": day(stopped).isoformat() if stopped else None,
                 "stop_reason": "inadequate_response" if stopped else None,
                 "adherence": draw(st.sampled_from(["good", "partial", "poor", "unknown"])),
                 "response": draw(st.sampled_from(["none", "partial", "response", "unknown"])),
                 "notes": draw(st.text(max_size=20))}
        if episodes and draw(st.booleans()):
            trial["episode"] = draw(st.sampled_from([e["key"] for e in episodes]))
        trials.append(trial)
    measurements = [{"date": draw(dates).isoformat(), "instrument": "PHQ-9",
                     "score": draw(st.integers(0, 27))} for _ in range(draw(st.integers(0, 6)))]
    return {"format": "trd-history/1",
            "patient": {"mrn": "P-1", "name": "Prop Erty", "birth_date": "1950-01-01",
                        "sex": "unknown"},
            "episodes": episodes, "trials": trials, "measurements": measurements,
            "treatments": []}


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROFILE_NAMES = st.sampled_from(["standard", "sforzini-2022", "payer-strict", "mgh-atrq-8wk"])


@PROPERTY
@given(histories())
def test_export_import_export_is_identity(doc):
    once = dump(parse(doc))
    assert dump(parse(json.loads(json.dumps(once)))) == once


@PROPERTY
@given(histories(), histories(), PROFILE_NAMES, dates)
def test_adding_a_trial_never_removes_a_failed_agent(doc, other, profile, as_of):
    """A trial of an agent the history does not hold yet joins no course (Version 2 rule 1:
    courses are per agent), so it can only add failed agents. (A record of an agent already
    there may join its course and change the course's outcome, as the rules intend.)"""
    base = parse(doc).history
    extra = parse(other).history.trials
    profile = get_profile(profile)
    before = set(assess(base, profile, as_of).failed_adequate_agents)
    held = {t.agent.generic for t in base.trials}
    for trial in extra:
        if trial.agent.generic in held:
            continue
        grown = type(base)(base.episodes, (*base.trials, trial), base.measurements,
                           base.treatments)
        assert before <= set(assess(grown, profile, as_of).failed_adequate_agents)


@PROPERTY
@given(histories(), PROFILE_NAMES, st.integers(1, 200))
def test_lengthening_an_adequate_failed_trial_keeps_it_adequate(doc, profile, extra_days):
    from datetime import timedelta

    history = parse(doc).history
    profile = get_profile(profile)
    as_of = day(900)
    result = assess(history, profile, as_of)
    for verdict in result.trials:
        if not verdict.failed:
            continue
        trial = history.trials[verdict.index]
        if sum(t.agent.generic == trial.agent.generic for t in history.trials) > 1:
            continue  # lengthened, it may join another record's course (rule 1), rightly
        end = trial.stopped or as_of
        longer = Trial(trial.agent, trial.doses, end + timedelta(days=extra_days)
                       if trial.stopped else None, trial.stop_reason, trial.adherence,
                       trial.response, trial.episode)
        grown = type(history)(history.episodes,
                              tuple(longer if i == verdict.index else t
                                    for i, t in enumerate(history.trials)),
                              history.measurements, history.treatments)
        again = assess(grown, profile, as_of + timedelta(days=extra_days)).trials[verdict.index]
        assert again.adequate, again.reasons
        _ = DoseStep


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@PROPERTY
@given(json_values)
def test_random_documents_raise_only_the_validation_error(doc):
    try:
        parse(doc)
    except InvalidHistory as error:
        assert error.problems
