"""Building FHIR R4 Bundles for the tests, each checked against the official R4 JSON schema."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import jsonschema

DATA = Path(__file__).parent / "data"
US_CORE = DATA / "us-core-bundle.json"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
PATIENT = {"resourceType": "Patient", "id": "p", "identifier": [{"value": "B-1"}],
           "name": [{"text": "Bea Bundle"}], "gender": "female", "birthDate": "1970-01-01"}


@cache
def _validator() -> jsonschema.Draft6Validator:
    return jsonschema.Draft6Validator(json.loads((DATA / "fhir-r4.schema.json").read_text()))


def assert_valid_r4(bundle: dict) -> None:
    """Fail with the schema's best explanation unless ``bundle`` is valid FHIR R4 JSON."""
    error = jsonschema.exceptions.best_match(_validator().iter_errors(bundle))
    assert error is None, f"not valid FHIR R4: {error.message[:300]} at {list(error.path)}"


def bundle(*resources: dict, patient: dict | None = PATIENT, kind: str = "collection",
           valid: bool = True) -> dict:
    """Return a Bundle of ``resources`` (with a Patient unless told otherwise), schema-checked.

    ``valid=False`` builds one the R4 schema refuses too (bad dates), to test our own problems.
    """
    found = ([patient] if patient else []) + list(resources)
    entries = []
    for n, resource in enumerate(found):
        resource = {"id": f"r{n}", **resource}
        entries.append({"fullUrl": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
                        "resource": resource})
    raw = {"resourceType": "Bundle", "type": kind, "entry": entries}
    if valid:
        assert_valid_r4(raw)
    return raw


def mg(value: float) -> dict:
    return {"value": value, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}


def dosage(amount: float, frequency: int = 1, period: float = 1, unit: str = "d",
           **timing) -> dict:
    repeat = {"frequency": frequency, "period": period, "periodUnit": unit, **timing}
    return {"timing": {"repeat": repeat}, "doseAndRate": [{"doseQuantity": mg(amount)}]}


def statement(name: str, start: str, end: str | None = None, status: str = "completed",
              dose: dict | None = None, **extra) -> dict:
    period = {"start": start, **({"end": end} if end else {})}
    return {"resourceType": "MedicationStatement", "status": status,
            "medicationCodeableConcept": {"text": name},
            "subject": {"reference": "Patient/p"}, "effectivePeriod": period,
            "dosage": [dose or dosage(50)], **extra}


def request(name: str, authored: str, dose: dict, days: int | None = 30, repeats: int = 0,
            status: str = "completed", **extra) -> dict:
    found = {"resourceType": "MedicationRequest", "status": status, "intent": "order",
             "medicationCodeableConcept": {"text": name},
             "subject": {"reference": "Patient/p"}, "authoredOn": authored,
             "dosageInstruction": [dose], **extra}
    if days:
        found["dispenseRequest"] = {"numberOfRepeatsAllowed": repeats, "expectedSupplyDuration": {
            "value": days, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"}}
    return found


def condition(onset: str, code: str = "370143000", system: str = SNOMED, **extra) -> dict:
    return {"resourceType": "Condition", "code": {"coding": [{"system": system, "code": code}]},
            "subject": {"reference": "Patient/p"}, "onsetDateTime": onset, **extra}


def observation(code: str, day: str, value: int, system: str = LOINC, **extra) -> dict:
    return {"resourceType": "Observation", "status": "final",
            "code": {"coding": [{"system": system, "code": code}]},
            "subject": {"reference": "Patient/p"}, "effectiveDateTime": day,
            "valueInteger": value, **extra}


def procedure(text: str, start: str, end: str, status: str = "completed", **code) -> dict:
    return {"resourceType": "Procedure", "status": status, "code": {"text": text, **code},
            "subject": {"reference": "Patient/p"},
            "performedPeriod": {"start": start, "end": end}}


def us_core() -> dict:
    """Return the US Core-style Bundle of the tests, checked against the R4 schema."""
    raw = json.loads(US_CORE.read_text())
    assert_valid_r4(raw)
    return raw
