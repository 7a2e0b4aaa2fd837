"""The patient's history as a FHIR R4 Bundle (type collection), validated by fhir.resources.

Built with the R4B models of fhir.resources: for the resources used here (Patient, Condition,
MedicationStatement, Observation) R4B is R4 unchanged. Ids are stable UUIDs derived from the
row ids, so the same record gives the same bundle.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fhir.resources.R4B.bundle import Bundle

from tracker.catalogue import default_catalogue
from tracker.codes import (
    ICD10_MDD,
    ICD10_SYSTEM,
    RXNORM_SYSTEM,
    SNOMED_MDD,
    SNOMED_SYSTEM,
    instrument_coding,
)
from tracker.models import Episode, Measurement, Patient, Trial

MRN_SYSTEM = "urn:trd-tracker:mrn"
NAMESPACE = uuid.UUID("5b0c2f0e-8a53-4d4e-9d0a-6d1f3f6f7a10")
GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
STOP_REASONS = "urn:trd-tracker:stop-reason"


def _uuid(kind: str, row_id: int) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}/{row_id}"))


def _ref(kind: str, row_id: int) -> dict:
    return {"reference": f"urn:uuid:{_uuid(kind, row_id)}"}


def _entry(kind: str, row_id: int, resource: dict) -> dict:
    resource = {"resourceType": kind, "id": _uuid(kind, row_id), **resource}
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def _patient(p: Patient) -> dict:
    return {
        "identifier": [{"system": MRN_SYSTEM, "value": p.mrn}],
        "name": [{"text": p.name}],
        "gender": GENDER.get(str(p.sex), "unknown"),
        "birthDate": p.birth_date.isoformat(),
    }


def _condition(e: Episode, patient: Patient) -> dict:
    codings = [{"system": SNOMED_SYSTEM, "code": SNOMED_MDD[0], "display": SNOMED_MDD[1]}]
    if e.icd10:
        codings.append({"system": ICD10_SYSTEM, "code": e.icd10, "display": ICD10_MDD[e.icd10]})
    status = "remission" if e.remission else "active"
    condition = {
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": status}]},
        "verificationStatus": {"coding": [{"system": CONDITION_VERIFICATION,
                                           "code": "confirmed"}]},
        "code": {"coding": codings, "text": f"Major depressive episode {e.key}"},
        "subject": _ref("Patient", patient.id),
        "onsetDateTime": e.onset.isoformat(),
        "severity": {"text": str(e.severity) + (", psychotic features" if e.psychotic else "")},
    }
    if e.remission:
        condition["abatementDateTime"] = e.remission.isoformat()
    return condition


def _medication_statement(t: Trial, patient: Patient) -> dict:
    agent = default_catalogue().resolve(t.drug)
    medication = {"text": agent.generic}
    if agent.rxcui:
        medication["coding"] = [{"system": RXNORM_SYSTEM, "code": agent.rxcui,
                                 "display": agent.generic}]
    steps = list(t.doses)
    dosage = []
    for n, (step, after) in enumerate(zip(steps, [*steps[1:], None], strict=True), start=1):
        end = after.start if after else t.stopped
        bounds = {"start": step.start.isoformat()}
        if end:
            bounds["end"] = end.isoformat()
        dosage.append({
            "sequence": n,
            "text": f"{step.mg_per_day:g} mg per day from {step.start.isoformat()}",
            "timing": {"repeat": {"boundsPeriod": bounds}},
            "doseAndRate": [{"doseQuantity": {
                "value": step.mg_per_day, "unit": "mg", "system": "http://unitsofmeasure.org",
                "code": "mg"}}],
        })
    period = {"start": t.started.isoformat()}
    statement = {
        "status": "stopped" if t.stopped else "active",
        "medicationCodeableConcept": medication,
        "subject": _ref("Patient", patient.id),
        "effectivePeriod": period,
        "dosage": dosage,
        "note": [{"text": f"Adherence: {t.adherence}. Response: {t.response}."}],
    }
    if t.stopped:
        period["end"] = t.stopped.isoformat()
    if t.stop_reason:
        statement["statusReason"] = [{"coding": [{"system": STOP_REASONS,
                                                  "code": str(t.stop_reason)}],
                                      "text": str(t.stop_reason).replace("_", " ")}]
    if t.episode_id and any(e.id == t.episode_id for e in patient.episodes):
        statement["reasonReference"] = [_ref("Condition", t.episode_id)]
    if t.notes:
        statement["note"].append({"text": t.notes})
    return statement


def _observation(m: Measurement, patient: Patient) -> dict:
    system, code, display = instrument_coding(str(m.instrument))
    return {
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
        "code": {"coding": [{"system": system, "code": code, "display": display}],
                 "text": display},
        "subject": _ref("Patient", patient.id),
        "effectiveDateTime": m.taken_on.isoformat(),
        "valueInteger": m.score,
    }


def patient_bundle(patient: Patient, now: datetime | None = None) -> Bundle:
    """Return the patient's record as a validated FHIR Bundle of type collection."""
    entries = [_entry("Patient", patient.id, _patient(patient))]
    entries += [_entry("Condition", e.id, _condition(e, patient)) for e in patient.episodes]
    entries += [_entry("MedicationStatement", t.id, _medication_statement(t, patient))
                for t in patient.trials]
    entries += [_entry("Observation", m.id, _observation(m, patient))
                for m in patient.measurements]
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    return Bundle.model_validate({
        "resourceType": "Bundle", "id": _uuid("Bundle", patient.id), "type": "collection",
        "timestamp": stamp, "entry": entries,
    })
