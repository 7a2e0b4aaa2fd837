"""History format 1.1: the optional keys, where they are allowed, and their round trip."""

import copy

import pytest

from tests.test_history import EXAMPLE, problems
from tracker.interchange.history import FORMAT, parse
from tracker.interchange.history_dump import dump


def v11(**changes) -> dict:
    """Return the example as a 1.1 document with ``changes`` applied (``a__0__b`` paths)."""
    doc = copy.deepcopy(EXAMPLE)
    doc["format"] = "trd-history/1.1"
    doc["treatments"].append({"kind": "ECT", "detail": "", "start": "2024-06-01", "end": None,
                              "sessions": 8, "episode": "e2"})
    for path, value in changes.items():
        target = doc
        *keys, last = path.split("__")
        for key in keys:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value
    return doc


ITEMS = [3, 3, 2, 2, 2, 3, 2, 2, 2]  # 21, the example's first score


def test_every_new_key_is_read_and_written_back():
    doc = v11(episodes__1__icd10="F33.1", trials__1__formulation="ODT",
              trials__1__doses__0={"from": "2024-01-15", "amount_mg": 25, "times_per_day": 2},
              measurements__0__items=ITEMS, treatments__0__modality="CBT",
              treatments__1__laterality="bilateral")
    document = parse(doc)
    assert document.details.episode_icd10(1) == "F33.1"
    assert document.details.formulation(1) == "ODT"
    assert document.history.trials[1].doses[0].mg_per_day == 50
    assert document.details.regimen(1, 0).times_per_day == 2
    assert document.history.measurements[0].items == tuple(ITEMS)
    assert document.details.modality(0) == "CBT"
    assert document.history.treatments[1].laterality == "bilateral"
    once = dump(document)
    assert once["format"] == FORMAT == "trd-history/1.1"
    assert once["episodes"][1]["icd10"] == "F33.1"
    assert once["trials"][1]["doses"][0] == {"from": "2024-01-15", "mg_per_day": 50,
                                             "amount_mg": 25, "times_per_day": 2}
    assert once["trials"][1]["formulation"] == "ODT"
    assert once["measurements"][0]["items"] == ITEMS
    assert once["treatments"][0]["modality"] == "CBT"
    assert once["treatments"][1]["laterality"] == "bilateral"
    assert dump(parse(once)) == once


def test_a_version_1_document_is_still_valid_and_its_ect_laterality_is_unknown():
    doc = copy.deepcopy(EXAMPLE)
    doc["treatments"].append({"kind": "ECT", "start": "2024-06-01"})
    assert parse(doc).history.treatments[1].laterality == "unknown"


@pytest.mark.parametrize(("name", "generic", "formulation"), [
    ("venlafaxine XR", "venlafaxine", "XR"), ("Wellbutrin XL", "bupropion", "XL"),
    ("paroxetine CR", "paroxetine", "CR"),
])
def test_a_release_form_in_the_drug_name_sets_the_formulation(name, generic, formulation):
    document = parse(v11(trials__1__drug=name))
    assert document.history.trials[1].agent.generic == generic
    assert document.details.formulation(1) == formulation
    assert dump(document)["trials"][1]["drug"] == generic


@pytest.mark.parametrize(("changes", "expected"), [
    ({"episodes__0__icd10": "F41.1"}, "episodes[0].icd10: must be an ICD-10-CM code of depression"),
    ({"trials__1__drug": "venlafaxine XR", "trials__1__formulation": "ER"},
     "trials[1].formulation: 'ER' contradicts the drug name's 'XR'"),
    ({"trials__1__formulation": "x" * 17}, "trials[1].formulation: must be at most 16 characters"),
    ({"trials__1__doses__0": {"from": "2024-01-15", "amount_mg": 25}},
     "trials[1].doses[0].times_per_day: is required with amount_mg"),
    ({"trials__1__doses__0": {"from": "2024-01-15", "amount_mg": 25, "times_per_day": 7}},
     "trials[1].doses[0].times_per_day: must be between 1 and 6"),
    ({"trials__1__doses__0": {"from": "2024-01-15", "amount_mg": 25, "times_per_day": 2,
                              "mg_per_day": 25}},
     "trials[1].doses[0].mg_per_day: must equal amount_mg x times_per_day (50)"),
    ({"trials__1__doses__0": {"from": "2024-01-15"}},
     "trials[1].doses[0].mg_per_day: is required (or amount_mg with times_per_day)"),
    ({"treatments__0__laterality": "bilateral"},
     "treatments[0].laterality: is for ECT courses only"),
    ({"treatments__1__laterality": "left"},
     "treatments[1].laterality: must be one of bilateral, unilateral, unknown"),
    ({"treatments__1__modality": "CBT"},
     "treatments[1].modality: is for psychotherapy courses only"),
    ({"treatments__0__modality": "yoga"}, "treatments[0].modality: must be one of CBT, IPT"),
    ({"measurements__0__items": [3, 3, 2]},
     "measurements[0].items: must be 9 whole numbers from 0 to 3"),
    ({"measurements__0__items": [3, 3, 2, 2, 2, 3, 2, 2, 4]},
     "measurements[0].items: must be 9 whole numbers from 0 to 3"),
    ({"measurements__0__items": [0] * 9}, "measurements[0].items: add up to 0, not the score 21"),
    ({"measurements__0__instrument": "MADRS", "measurements__0__items": ITEMS},
     "measurements[0].items: item answers are recorded for PHQ-9 only"),
])
def test_invalid_new_keys_name_their_path(changes, expected):
    found = problems(v11(**changes))
    assert any(p.startswith(expected) for p in found), found


@pytest.mark.parametrize(("path", "value", "where"), [
    ("episodes__0__icd10", "F33.1", "episodes[0].icd10"),
    ("trials__1__formulation", "XR", "trials[1].formulation"),
    ("measurements__0__items", ITEMS, "measurements[0].items"),
    ("treatments__0__modality", "CBT", "treatments[0].modality"),
])
def test_new_keys_in_a_version_1_document_are_unknown_keys_that_say_so(path, value, where):
    doc = v11(**{path: value})
    doc["format"] = "trd-history/1"
    doc["treatments"].pop()
    assert problems(doc) == [
        f'{where}: unknown key in trd-history/1 (a trd-history/1.1 key: '
        f'set "format" to "trd-history/1.1" to use it)']


def test_a_1_1_history_goes_into_the_database_and_comes_out_the_same(app, db, tmp_path):
    import json

    from tests.conftest import make_user
    from tracker.assessments import history_of
    from tracker.models import Patient

    clinician = make_user()
    db.session.commit()
    doc = v11(episodes__1__icd10="F33.2", trials__1__drug="sertraline ODT",
              trials__1__doses__0={"from": "2024-01-15", "amount_mg": 25, "times_per_day": 2},
              measurements__0__items=ITEMS, treatments__0__modality="IPT",
              treatments__1__laterality="unilateral")
    path = tmp_path / "v11.json"
    path.write_text(json.dumps(doc))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["trd", "import", str(path), "--clinician", clinician.email])
    assert result.exit_code == 0, result.output
    patient = db.session.query(Patient).one()
    trial = patient.trials[1]
    assert (trial.formulation, trial.doses[0].amount_mg, trial.doses[0].times_per_day,
            trial.doses[0].mg_per_day) == ("ODT", 25, 2, 50)
    assert patient.measurements[0].items == "".join(map(str, ITEMS))
    history = history_of(patient)
    assert history.measurements[0].items == tuple(ITEMS)
    assert history.treatments[1].laterality == "unilateral"
    exported = json.loads(runner.invoke(args=["trd", "export", "A-1001"]).output)
    assert exported == dump(parse(doc))
    assert exported["format"] == "trd-history/1.1"
