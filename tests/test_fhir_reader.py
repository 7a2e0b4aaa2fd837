"""Reading FHIR R4 Bundles into histories (shared/formats/fhir-import.md), rule by rule."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests.conftest import make_trial
from tests.fhir_bundles import (
    LOINC,
    PATIENT,
    RXNORM,
    SNOMED,
    US_CORE,
    assert_valid_r4,
    bundle,
    condition,
    dosage,
    mg,
    observation,
    procedure,
    request,
    statement,
    us_core,
)
from tracker.interchange.fhir.export import patient_bundle
from tracker.interchange.fhir.reader import InvalidBundle, read_bundle
from tracker.interchange.history import InvalidHistory, parse
from tracker.interchange.history_dump import dump
from tracker.interchange.reading import read_history
from tracker.interchange.transfer import export_document, import_document
from tracker.models import Patient, Treatment
from tracker.rules.vocab import TreatmentKind


def _parses_1_1() -> bool:
    try:
        parse({"format": "trd-history/1.1", "patient": {
            "mrn": "X", "name": "X", "birth_date": "1970-01-01", "sex": "female"}})
    except InvalidHistory:
        return False
    return True


# Tests marked so need history format 1.1 in ``history.parse`` (another branch adds it).
needs_1_1 = pytest.mark.skipif(not _parses_1_1(), reason="needs trd-history/1.1 in parse")


def _read(*resources, **kw) -> dict:
    return read_bundle(bundle(*resources, **kw)).document


def _problems(raw: dict) -> list[str]:
    with pytest.raises(InvalidBundle) as caught:
        read_bundle(raw)
    return caught.value.problems


def test_us_core_bundle_reads_into_the_history_it_records():
    reading = read_bundle(us_core())
    doc = reading.document
    assert doc["format"] == "trd-history/1"
    assert doc["patient"] == {"mrn": "USC-2001", "name": "Maria Elena Rivera",
                              "birth_date": "1975-09-14", "sex": "female"}
    assert doc["episodes"] == [{"key": "e1", "onset": "2024-01-05", "remission": None,
                                "severity": "severe", "psychotic": False}]
    # Renewals 30 days apart touch and form dose steps; the entered-in-error 200 mg is ignored;
    # the refill four days late starts a new trial; the statin is skipped.
    assert [(t["drug"], t["doses"], t["stopped"]) for t in doc["trials"]] == [
        ("sertraline", [{"from": "2024-01-10", "mg_per_day": 50},
                        {"from": "2024-02-09", "mg_per_day": 100}], "2024-04-09"),
        ("sertraline", [{"from": "2024-04-13", "mg_per_day": 150}], "2024-06-12"),
        ("bupropion", [{"from": "2024-06-20", "mg_per_day": 300}], None),
    ]
    assert all(t["episode"] == "e1" for t in doc["trials"][:2])
    assert doc["measurements"] == [
        {"date": "2024-01-08", "instrument": "PHQ-9", "score": 22},
        {"date": "2024-03-05", "instrument": "PHQ-9", "score": 19},
        {"date": "2024-06-15", "instrument": "PHQ-9", "score": 18},
    ]
    assert doc["treatments"] == [{"kind": "psychotherapy", "detail": "Individual psychotherapy",
                                  "start": "2024-02-01", "end": "2024-05-30", "sessions": None}]
    assert reading.skipped_medications == ["atorvastatin 20 MG Oral Tablet"]
    assert reading.skipped_resources == {
        "Condition (not depression)": 1, "Encounter": 1, "AllergyIntolerance": 1,
        "MedicationRequest entered in error, cancelled or not taken": 1,
        "Observation entered in error, cancelled or not done": 1,
        "Observation (not a depression score)": 1,
    }
    assert parse(doc).patient.mrn == "USC-2001"


def test_the_apps_own_export_reads_back_as_the_same_history(db, clinician, example_patient):
    raw = json.loads(patient_bundle(example_patient).model_dump_json(exclude_none=True))
    assert_valid_r4(raw)
    reading = read_history(raw)
    assert reading.source == "fhir" and not reading.skipped_resources
    want = dump(export_document(example_patient))
    for trial in want["trials"]:
        trial["notes"] = ""  # free-text notes are not carried by the export
    # A Bundle's trials come in order of first dose, its treatments in order of start.
    want["trials"].sort(key=lambda t: (t["doses"][0]["from"], t["drug"]))
    want["treatments"].sort(key=lambda t: (t["start"], t["kind"]))
    assert dump(reading.document) == want


def test_own_export_with_icd10_and_phq9_items_keeps_them(db, clinician, example_patient):
    example_patient.episodes[-1].icd10 = "F33.2"
    db.session.flush()
    raw = json.loads(patient_bundle(example_patient).model_dump_json(exclude_none=True))
    doc = read_bundle(raw).document
    assert doc["format"] == "trd-history/1.1"
    assert doc["episodes"][-1]["icd10"] == "F33.2" and "icd10" not in doc["episodes"][0]


@pytest.fixture
def example_patient(db, clinician):
    from tests.test_reports import DATA

    document = parse(json.loads((DATA / "example-history.json").read_text()))
    patient = import_document(document, clinician)
    patient.treatments.append(Treatment(kind=TreatmentKind.ESKETAMINE, detail="Spravato 56 mg",
                                        start=document.history.trials[2].started, sessions=8))
    patient.treatments.append(Treatment(kind=TreatmentKind.ECT, detail="",
                                        start=document.history.trials[0].started,
                                        end=document.history.trials[0].stopped, sessions=10))
    make_trial(patient, "Effexor", doses=((document.history.trials[0].stopped, 75),))
    db.session.flush()
    db.session.expire(patient)
    return patient


def test_patient_mrn_is_the_mr_identifier_else_the_first():
    patient = {**PATIENT, "identifier": [
        {"value": "ENT-9"},
        {"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                              "code": "MR"}]}, "value": "MRN-7"}],
        "name": [{"given": ["Ann", "B"], "family": "Cole"}]}
    doc = _read(patient=patient)
    assert doc["patient"]["mrn"] == "MRN-7" and doc["patient"]["name"] == "Ann B Cole"
    assert _read()["patient"]["mrn"] == "B-1"


def test_no_patient_or_two_patients_is_refused():
    assert _problems(bundle(patient=None)) == ["entry: exactly one Patient expected, found 0"]
    two = bundle({**PATIENT, "id": "q"})
    assert _problems(two) == ["entry: exactly one Patient expected, found 2"]
    assert _problems({"resourceType": "Patient"}) == ["resourceType: Bundle expected"]


def test_conditions_become_episodes_in_onset_order():
    reading = read_bundle(bundle(
        condition("2024-02-01", "F33.3", "http://hl7.org/fhir/sid/icd-10-cm",
                  severity={"coding": [{"system": SNOMED, "code": "24484000"}]}),
        condition("2019-01-01", "36923009", abatementDateTime="2019-12-15T08:00:00Z",
                  severity={"coding": [{"system": SNOMED, "code": "255604002"}]}),
        condition("2022-01-01", verificationStatus={"coding": [{"code": "refuted"}]}),
        condition("2023-01-01", "F41.1", "http://hl7.org/fhir/sid/icd-10-cm"),
        condition("2021-05-01", "66344007"),
    ))
    episodes = reading.document["episodes"]
    assert [(e["key"], e["onset"], e["remission"], e["severity"], e["psychotic"])
            for e in episodes] == [
        ("e1", "2019-01-01", "2019-12-15", "mild", False),
        ("e2", "2021-05-01", None, "moderate", False),
        ("e3", "2024-02-01", None, "severe", True),
    ]
    assert episodes[2]["icd10"] == "F33.3"
    assert reading.notes == ["Condition without severity taken as moderate"]
    assert reading.skipped_resources == {"Condition entered in error or refuted": 1,
                                         "Condition (not depression)": 1}


@pytest.mark.parametrize(("dose", "mg_per_day", "extra"), [
    (dosage(75, frequency=2), 150, {"amount_mg": 75, "times_per_day": 2}),
    (dosage(50, frequency=1, period=12, unit="h"), 100, {"amount_mg": 50, "times_per_day": 2}),
    (dosage(70, frequency=1, period=1, unit="wk"), 10, {}),
    ({"doseAndRate": [{"doseQuantity": mg(100)}]}, 100, {}),
    ({"timing": {"code": {"coding": [{"code": "TID"}]}},
      "doseAndRate": [{"doseQuantity": mg(25)}]}, 75, {"amount_mg": 25, "times_per_day": 3}),
    ({"doseAndRate": [{"rateQuantity": {"value": 150, "unit": "mg/d", "code": "mg/d",
                                        "system": "http://unitsofmeasure.org"}}]}, 150, {}),
])
def test_daily_dose_is_dose_times_daily_frequency_or_a_rate(dose, mg_per_day, extra):
    doc = _read(request("venlafaxine 75 MG Oral Tablet", "2024-01-01", dose))
    step = doc["trials"][0]["doses"][0]
    assert step == {"from": "2024-01-01", "mg_per_day": mg_per_day, **extra}
    assert doc["format"] == ("trd-history/1.1" if extra else "trd-history/1")


def test_a_dose_in_another_unit_is_refused_with_its_path():
    tablet = {"doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}]}
    problems = _problems(bundle(request("sertraline 50 MG Oral Tablet", "2024-01-01", tablet)))
    assert problems == ["entry[1].resource.dosageInstruction[0].doseAndRate[0].doseQuantity.unit:"
                        " mg expected"]


@pytest.mark.parametrize(("text", "generic"), [
    ("escitalopram 10 MG Oral Tablet", "escitalopram"),
    ("citalopram 20 MG Oral Tablet", "citalopram"),
    ("desvenlafaxine 50 MG Extended Release Oral Tablet", "desvenlafaxine"),
    ("24 HR venlafaxine 150 MG Extended Release Oral Capsule", "venlafaxine"),
    ("Fetzima 40 MG capsule", "levomilnacipran"),
    ("LEXAPRO", "escitalopram"),
])
def test_agent_is_the_longest_whole_name_found(text, generic):
    assert _read(statement(text, "2024-01-01"))["trials"][0]["drug"] == generic


def test_agent_by_rxnorm_ingredient_and_by_medication_reference():
    by_code = statement("ignored", "2024-01-01")
    by_code["medicationCodeableConcept"] = {"coding": [{"system": RXNORM, "code": "36437"}]}
    referenced = statement("x", "2024-03-01")
    del referenced["medicationCodeableConcept"]
    referenced["medicationReference"] = {"reference": "#med"}
    referenced["contained"] = [{"resourceType": "Medication", "id": "med",
                                "code": {"text": "mirtazapine 15 MG Oral Tablet"}}]
    drugs = [t["drug"] for t in _read(by_code, referenced)["trials"]]
    assert drugs == ["sertraline", "mirtazapine"]


def test_selegiline_patch_is_its_mg_per_24_hours():
    patch = {"timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
             "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "patch"}}]}
    doc = _read(statement("selegiline 9 MG/24HR Transdermal System", "2024-01-01", dose=patch))
    assert doc["trials"][0]["drug"] == "selegiline transdermal"
    assert doc["trials"][0]["doses"] == [{"from": "2024-01-01", "mg_per_day": 9}]


def test_other_medications_are_skipped_and_listed():
    reading = read_bundle(bundle(statement("metformin 500 MG Oral Tablet", "2024-01-01"),
                                 statement("metformin 500 MG Oral Tablet", "2024-02-01")))
    assert reading.document["trials"] == []
    assert reading.skipped_medications == ["metformin 500 MG Oral Tablet"]


def test_esketamine_becomes_a_treatment():
    spravato = statement("Spravato 28 MG Nasal Spray", "2024-05-01", "2024-06-30")
    doc = _read(spravato)
    assert doc["trials"] == []
    assert doc["treatments"] == [{"kind": "esketamine", "detail": "Spravato 28 MG Nasal Spray",
                                  "start": "2024-05-01", "end": "2024-06-30", "sessions": None}]


def test_covered_days_end_inclusively_and_a_one_day_gap_starts_a_new_trial():
    doc = _read(
        statement("sertraline", "2024-01-01", "2024-01-31", dose=dosage(50)),
        statement("sertraline", "2024-02-01", "2024-02-29", dose=dosage(100)),  # touches
        statement("sertraline", "2024-03-02", "2024-03-31", dose=dosage(100)),  # 1-day gap
    )
    assert [(t["doses"], t["stopped"]) for t in doc["trials"]] == [
        ([{"from": "2024-01-01", "mg_per_day": 50}, {"from": "2024-02-01", "mg_per_day": 100}],
         "2024-03-01"),
        ([{"from": "2024-03-02", "mg_per_day": 100}], "2024-04-01"),
    ]


def test_the_later_record_supersedes_where_records_overlap():
    doc = _read(
        request("fluoxetine 20 MG", "2024-01-01", dosage(20), days=90, status="active"),
        request("fluoxetine 40 MG", "2024-02-01", dosage(40), days=30),
        request("fluoxetine 40 MG", "2024-02-01", dosage(60), days=30),  # same day: later wins
    )
    assert doc["trials"] == [{
        "drug": "fluoxetine", "doses": [{"from": "2024-01-01", "mg_per_day": 20},
                                        {"from": "2024-02-01", "mg_per_day": 60}],
        "stopped": "2024-03-02", "stop_reason": None, "adherence": "unknown",
        "response": "unknown", "notes": ""}]


def test_record_ends_by_supply_days_repeats_status_or_thirty_days():
    dispense = {"resourceType": "MedicationDispense", "status": "completed",
                "medicationCodeableConcept": {"text": "duloxetine 60 MG"},
                "subject": {"reference": "Patient/p"}, "whenHandedOver": "2024-01-01T10:00:00Z",
                "daysSupply": {"value": 28, "unit": "day", "system": "http://unitsofmeasure.org",
                               "code": "d"},
                "dosageInstruction": [dosage(60)]}
    reading = read_bundle(bundle(
        dispense,
        request("paroxetine 20 MG", "2024-01-01", dosage(20), days=30, repeats=2),
        request("mirtazapine 15 MG", "2024-01-01", dosage(15), days=None, status="active"),
        statement("trazodone 50 MG", "2024-01-01", status="completed"),
    ))
    stops = {t["drug"]: t["stopped"] for t in reading.document["trials"]}
    assert stops == {"duloxetine": "2024-01-29", "paroxetine": "2024-03-31",
                     "mirtazapine": None, "trazodone": "2024-01-31"}
    assert reading.notes == [
        "A MedicationStatement without an end date and not active is taken to cover 30 days"]


def test_ignored_statuses_leave_no_trace():
    doc = _read(
        statement("sertraline", "2024-01-01", status="entered-in-error"),
        statement("sertraline", "2024-01-01", status="not-taken"),
        request("sertraline", "2024-01-01", dosage(50), status="cancelled"),
        observation("44261-6", "2024-01-01", 20, status="entered-in-error"),
        procedure("Electroconvulsive therapy", "2024-01-01", "2024-02-01", status="not-done"),
    )
    assert doc["trials"] == doc["measurements"] == doc["treatments"] == []


def _panel(items, total=None, **extra):
    components = [{"code": {"coding": [{"system": LOINC, "code": code}]}, "valueInteger": v}
                  for code, v in zip(("44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
                                      "44258-2", "44252-5", "44253-3", "44260-8"), items,
                                     strict=False)]
    if total is not None:
        components.append({"code": {"coding": [{"system": LOINC, "code": "44261-6"}]},
                           "valueInteger": total})
    return {"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": LOINC, "code": "44249-1"}]},
            "subject": {"reference": "Patient/p"}, "effectiveDateTime": "2024-03-01",
            "component": components, **extra}


def test_phq9_panel_gives_its_total_and_nine_items():
    items = [2, 2, 1, 1, 0, 1, 1, 0, 1]
    doc = _read(_panel(items, 9))
    assert doc["measurements"] == [{"date": "2024-03-01", "instrument": "PHQ-9", "score": 9,
                                    "items": items}]
    assert doc["format"] == "trd-history/1.1"
    assert _read(_panel(items))["measurements"][0]["score"] == 9  # the total from the items


def test_phq9_panel_members_and_coded_answers():
    answer = {"coding": [{"system": LOINC, "code": "LA6570-1"}]}
    members = [{"resourceType": "Observation", "id": f"i{n}", "status": "final",
                "code": {"coding": [{"system": LOINC, "code": code}]},
                "subject": {"reference": "Patient/p"}, "effectiveDateTime": "2024-03-01",
                "valueCodeableConcept": answer}
               for n, code in enumerate(("44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
                                         "44258-2", "44252-5", "44253-3", "44260-8"))]
    total = observation("44261-6", "2024-03-01", 18, id="total")
    panel = _panel([], hasMember=[{"reference": f"Observation/{m['id']}"} for m in members]
                   + [{"reference": "Observation/total"}])
    reading = read_bundle(bundle(panel, *members, total))
    assert reading.document["measurements"] == [
        {"date": "2024-03-01", "instrument": "PHQ-9", "score": 18, "items": [2] * 9}]


def test_phq9_items_that_do_not_add_up_and_scores_out_of_range_are_refused():
    problems = _problems(bundle(_panel([3] * 9, 20), observation("MADRS", "2024-01-01", 61,
                                                                 "urn:trd-tracker:instrument")))
    assert problems == [
        "entry[1].resource: the nine item answers add up to 27, not the total 20",
        "entry[2].resource.valueInteger: a whole number from 0 to 60 expected"]


def test_scores_by_own_code_or_text_with_dates_as_written():
    hamd = observation("x", "2024-01-02T23:59:00+09:00", 20, "urn:example")
    hamd["code"]["text"] = "Hamilton Depression Rating Scale total"
    doc = _read(hamd, observation("QIDS-SR16", "2024-01-03", 12, "urn:trd-tracker:instrument"))
    assert doc["measurements"] == [
        {"date": "2024-01-02", "instrument": "HAMD-17", "score": 20},
        {"date": "2024-01-03", "instrument": "QIDS-SR16", "score": 12}]


def test_procedures_become_ect_rtms_and_psychotherapy_courses():
    doc = _read(
        procedure("Right unilateral ECT", "2024-01-01", "2024-02-01",
                  coding=[{"system": SNOMED, "code": "23835007"}]),
        procedure("Transcranial magnetic stimulation", "2024-03-01", "2024-04-01"),
        procedure("Interpersonal therapy", "2024-05-01", "2024-08-01"),
        procedure("Appendectomy", "2020-01-01", "2020-01-01"),
    )
    assert [(t["kind"], t.get("laterality"), t.get("modality")) for t in doc["treatments"]] == [
        ("ECT", "unilateral", None), ("rTMS", None, None), ("psychotherapy", None, "IPT")]


def test_every_problem_is_named_by_its_path():
    bad = statement("sertraline", "2024-13-01")
    problems = _problems(bundle(bad, condition("sometime"),
                                observation("44261-6", "2024-01-01", 30), valid=False))
    assert problems == [
        "entry[2].resource.onsetDateTime: a full date YYYY-MM-DD expected",
        "entry[1].resource.effectivePeriod.start: 2024-13-01 is not a calendar date",
        "entry[3].resource.valueInteger: a whole number from 0 to 27 expected"]


@needs_1_1
def test_bundle_with_version_1_1_content_parses():
    doc = _read(_panel([1] * 9, 9), request("bupropion", "2024-01-01", dosage(150, 2)))
    assert parse(doc).history.measurements[0].items == (1,) * 9


def test_trd_assess_prints_for_a_bundle_what_it_prints_for_its_history_file(app, tmp_path):
    raw = us_core()
    files = {"bundle": tmp_path / "bundle.json", "history": tmp_path / "history.json"}
    files["bundle"].write_text(json.dumps(raw))
    files["history"].write_text(json.dumps(read_bundle(raw).document))
    runner = app.test_cli_runner()
    for fmt in ("json", "text"):
        out = {name: runner.invoke(args=["trd", "assess", str(path), "--as-of", "2024-07-01",
                                         "--format", fmt])
               for name, path in files.items()}
        assert out["bundle"].exit_code == 0, out["bundle"].output
        assert out["bundle"].output == out["history"].output
    assessed = json.loads(runner.invoke(args=["trd", "assess", str(files["bundle"]), "--as-of",
                                              "2024-07-01", "--format", "json"]).output)
    assert [t["drug"] for t in assessed["trials"]] == ["sertraline", "sertraline", "bupropion"]


def test_trd_import_reads_a_bundle_and_refuses_a_bad_one_whole(app, db, clinician, tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(us_core()))
    bad.write_text(json.dumps(bundle(statement("sertraline", "2024-01-01", dose={
        "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}]}))))
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["trd", "import", str(good), str(bad),
                                  "--clinician", clinician.email])
    assert refused.exit_code == 2
    assert "dosage[0].doseAndRate[0].doseQuantity.unit: mg expected" in refused.output
    assert db.session.scalars(select(Patient)).all() == []
    result = runner.invoke(args=["trd", "import", str(good), "--clinician", clinician.email])
    assert result.exit_code == 0, result.output
    patient = db.session.scalars(select(Patient).where(Patient.mrn == "USC-2001")).one()
    assert [(t.drug, len(t.doses)) for t in patient.trials] == [
        ("sertraline", 2), ("sertraline", 1), ("bupropion", 1)]
    assert len(patient.measurements) == 3 and patient.clinicians == [clinician]


def test_a_patient_without_name_or_full_birth_date_is_refused_by_path():
    patient = {"resourceType": "Patient", "id": "p", "identifier": [{"value": "N-1"}],
               "birthDate": "1970"}
    assert _problems(bundle(patient=patient)) == [
        "entry[0].resource.name: a name (text, or given and family) is required",
        "entry[0].resource.birthDate: a full birth date YYYY-MM-DD is required"]


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, i))
    yield path


US_CORE_RAW = json.loads(US_CORE.read_text())
BUNDLE_PATHS = [p for p in _leaves(US_CORE_RAW) if p]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=6)


@given(edits=st.lists(st.tuples(st.sampled_from(BUNDLE_PATHS), json_values), min_size=1,
                      max_size=3))
@settings(max_examples=150, deadline=None)
def test_a_bundle_with_junk_values_is_read_or_refused_never_crashes(edits):
    raw = copy.deepcopy(US_CORE_RAW)
    for path, value in edits:
        target = raw
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit replaced this branch
    try:
        read_history(raw)
    except InvalidHistory as error:  # InvalidBundle is one
        assert error.problems and all(isinstance(p, str) for p in error.problems)
