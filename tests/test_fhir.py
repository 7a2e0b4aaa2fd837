"""The FHIR export read as a receiving system would: the official R4 JSON schema (an
independent validator), fhir.resources, and the codes and meaning each resource carries."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from jsonschema import Draft6Validator

from tests.conftest import make_patient, make_trial
from tracker.codes import ICD10_MDD
from tracker.interchange.fhir.export import patient_bundle
from tracker.interchange.history import parse
from tracker.interchange.transfer import export_document, import_document
from tracker.models import Treatment
from tracker.rules.vocab import StopReason, TreatmentKind

DATA = Path(__file__).parent / "data"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@cache
def _schema_validator() -> Draft6Validator:
    """The official FHIR R4 JSON schema (hl7.org/fhir/R4/fhir.schema.json), copied in."""
    return Draft6Validator(json.loads((DATA / "fhir-r4.schema.json").read_text()))


@pytest.fixture
def example(db, clinician):
    """The format document's example patient with ECT, rTMS and esketamine courses added."""
    document = parse(json.loads((DATA / "example-history.json").read_text()))
    patient = import_document(document, clinician)
    patient.episodes[-1].icd10 = "F33.2"
    episode = patient.episodes[-1]
    patient.treatments.extend([
        Treatment(kind=TreatmentKind.ECT, start=date(2024, 5, 2), end=date(2024, 5, 30),
                  sessions=9, episode=episode, detail="brief pulse"),
        Treatment(kind=TreatmentKind.RTMS, start=date(2023, 3, 1), end=date(2023, 4, 12),
                  sessions=30),
        Treatment(kind=TreatmentKind.ESKETAMINE, start=date(2024, 5, 20), episode=episode),
    ])
    db.session.commit()
    return patient


def _exported(patient) -> dict:
    return json.loads(patient_bundle(patient, NOW).model_dump_json(exclude_none=True))


def _resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_bundle_is_valid_by_the_official_r4_json_schema_and_fhir_resources(example):
    bundle = _exported(example)
    errors = sorted(_schema_validator().iter_errors(bundle), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message[:200]}" for e in errors[:5]]
    Bundle.model_validate(bundle)
    kinds = [e["resource"]["resourceType"] for e in bundle["entry"]]
    assert kinds.count("Procedure") == 3  # psychotherapy, ECT, rTMS
    assert kinds.count("MedicationStatement") == len(example.trials) + 1  # + esketamine


def test_the_schema_check_catches_an_invalid_resource(example):
    bundle = _exported(example)
    _resources(bundle, "MedicationStatement")[0]["status"] = 7
    assert list(_schema_validator().iter_errors(bundle))


def test_diagnosis_is_coded_in_icd_10_cm_with_official_titles(example):
    condition = _resources(_exported(example), "Condition")[-1]
    icd = [c for c in condition["code"]["coding"] if c["code"] == "F33.2"]
    assert icd == [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "F33.2",
                    "display": "Major depressive disorder, recurrent severe without psychotic "
                               "features"}]
    assert ICD10_MDD["F33.3"] == \
        "Major depressive disorder, recurrent, severe with psychotic symptoms"
    assert {"F32.81", "F32.89", "F32.A", "F33.8", "F32.4", "F33.40"} <= set(ICD10_MDD)
    assert len(ICD10_MDD) == 19  # every code under F32 and F33 of ICD-10-CM


def test_conditions_carry_category_and_snomed_severity(example):
    conditions = _resources(_exported(example), "Condition")
    assert [c["category"][0]["coding"][0]["code"] for c in conditions] == \
        ["problem-list-item"] * 2
    assert [c["severity"]["coding"][0]["code"] for c in conditions] == ["6736007", "24484000"]
    assert all(c["severity"]["coding"][0]["system"] == "http://snomed.info/sct"
               for c in conditions)


def test_patient_identifier_is_typed_as_a_medical_record_number(example):
    identifier = _resources(_exported(example), "Patient")[0]["identifier"][0]
    assert identifier["value"] == "A-1001"
    assert identifier["type"]["coding"][0] == {
        "system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR",
        "display": "Medical record number"}


def test_daily_doses_are_rates_and_step_periods_do_not_overlap(example):
    statements = _resources(_exported(example), "MedicationStatement")
    sertraline = statements[1]
    rates = [d["doseAndRate"][0]["rateQuantity"] for d in sertraline["dosage"]]
    assert rates == [{"value": 50.0, "unit": "mg/d", "system": "http://unitsofmeasure.org",
                      "code": "mg/d"}, {"value": 100.0, "unit": "mg/d",
                                        "system": "http://unitsofmeasure.org", "code": "mg/d"}]
    assert all("doseQuantity" not in d["doseAndRate"][0] for s in statements
               for d in s.get("dosage", []) if "doseAndRate" in d)
    periods = [d["timing"]["repeat"]["boundsPeriod"] for d in sertraline["dosage"]]
    assert periods == [{"start": "2024-01-15", "end": "2024-02-04"},
                       {"start": "2024-02-05", "end": "2024-03-31"}]
    assert sertraline["effectivePeriod"] == {"start": "2024-01-15", "end": "2024-03-31"}
    for statement in statements:
        bounds = [d["timing"]["repeat"]["boundsPeriod"] for d in statement["dosage"]
                  if "timing" in d]
        for before, after in pairwise(bounds):
            assert date.fromisoformat(before["end"]) + timedelta(days=1) == \
                date.fromisoformat(after["start"])


def test_trial_status_says_how_it_ended(db, example):
    statements = _resources(_exported(example), "MedicationStatement")
    assert example.trials[0].stop_reason == StopReason.REMISSION
    assert [s["status"] for s in statements] == \
        ["completed", "stopped", "active", "active", "active"]


def test_ect_rtms_psychotherapy_are_procedures_and_esketamine_a_statement(example):
    bundle = _exported(example)
    procedures = {p["code"]["coding"][0]["code"]: p for p in _resources(bundle, "Procedure")}
    assert set(procedures) == {"75516001", "23835007", "rTMS"}
    ect = procedures["23835007"]
    assert ect["code"]["coding"][0]["system"] == "http://snomed.info/sct"
    assert ect["performedPeriod"] == {"start": "2024-05-02", "end": "2024-05-30"}
    assert ect["status"] == "completed"
    assert {"text": "Sessions: 9."} in ect["note"]
    conditions = [f"urn:uuid:{c['id']}" for c in _resources(bundle, "Condition")]
    assert ect["reasonReference"] == [{"reference": conditions[-1]}]
    rtms = procedures["rTMS"]["code"]
    assert rtms["coding"][0]["system"] == "urn:trd-tracker:treatment"
    assert "transcranial magnetic stimulation" in rtms["coding"][0]["display"]
    esketamine = _resources(bundle, "MedicationStatement")[-1]
    assert esketamine["medicationCodeableConcept"]["text"] == "esketamine"
    assert esketamine["status"] == "active" and esketamine["dosage"][0]["route"] == \
        {"text": "nasal"}


def test_phq9_display_is_the_loinc_long_common_name(example):
    observation = _resources(_exported(example), "Observation")[0]
    assert observation["code"]["coding"][0] == {
        "system": "http://loinc.org", "code": "44261-6",
        "display": "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"}


def test_ids_survive_a_re_import_of_the_same_history(db, example, clinician):
    before = _exported(example)
    row_ids = [t.id for t in example.trials]
    import_document(export_document(example), clinician)
    example.episodes[-1].icd10 = "F33.2"  # history format 1.0 has no ICD-10 code (1.1 will)
    db.session.commit()
    db.session.expire_all()
    assert [t.id for t in example.trials] != row_ids  # new rows ...
    after = _exported(example)
    assert [e["fullUrl"] for e in after["entry"]] == [e["fullUrl"] for e in before["entry"]]
    for old, new in zip(before["entry"], after["entry"], strict=True):
        assert new == old  # ... the same bundle


def test_two_identical_rows_get_distinct_ids(db, clinician):
    patient = make_patient(clinician)
    make_trial(patient)
    make_trial(patient)
    db.session.commit()
    ids = [e["resource"]["id"] for e in _exported(patient)["entry"]]
    assert len(set(ids)) == len(ids)


def test_ect_laterality_and_psychotherapy_modality_name_the_procedure(db, example):
    """The standard coding's display names them; the text keeps the clinician's own detail."""
    ect = next(t for t in example.treatments if t.kind == TreatmentKind.ECT)
    therapy = next(t for t in example.treatments if t.kind == TreatmentKind.PSYCHOTHERAPY)
    ect.laterality, therapy.modality = "unilateral", "CBT"
    texts = {p["code"]["coding"][0]["code"]: p["code"]["coding"][0]["display"]
             for p in _resources(_exported(example), "Procedure")}
    assert texts["23835007"] == "Electroconvulsive therapy, unilateral"
    assert texts["75516001"] == "Psychotherapy, CBT"
