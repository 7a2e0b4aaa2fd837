"""The patient's history as a FHIR R4 Bundle (type collection), validated by fhir.resources.

Built with the R4B models of fhir.resources: for the resources used here (Patient, Condition,
MedicationStatement, Procedure, Observation) R4B is R4 unchanged. Ids are UUIDs derived from
the record's content (MRN, episode key, drug and first dose date, ...), not from row ids, so
the same history exported again, even after a re-import, gives the same ids.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime

from fhir.resources.R4B.bundle import Bundle

from tracker.codes import (
    ICD10_MDD,
    ICD10_SYSTEM,
    SNOMED_MDD,
    SNOMED_SEVERITY,
    SNOMED_SYSTEM,
    instrument_coding,
)
from tracker.interchange.fhir.treatments import (
    esketamine_statement,
    medication_statement,
    procedure,
)
from tracker.models import Episode, Measurement, Patient
from tracker.rules.vocab import TreatmentKind

MRN_SYSTEM = "urn:trd-tracker:mrn"
NAMESPACE = uuid.UUID("5b0c2f0e-8a53-4d4e-9d0a-6d1f3f6f7a10")
GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


class _Ids:
    """Hand out content-derived UUIDs; a repeated key (two identical rows) gets a new one."""

    def __init__(self, mrn: str) -> None:
        self.mrn, self.seen = mrn, Counter()

    def __call__(self, kind: str, *parts) -> str:
        key = "/".join([kind, self.mrn, *(str(p) for p in parts)])
        self.seen[key] += 1
        return str(uuid.uuid5(NAMESPACE, f"{key}#{self.seen[key]}"))


def _ref(resource_id: str) -> dict:
    return {"reference": f"urn:uuid:{resource_id}"}


def _entry(kind: str, resource_id: str, resource: dict) -> dict:
    return {"fullUrl": f"urn:uuid:{resource_id}",
            "resource": {"resourceType": kind, "id": resource_id, **resource}}


def _patient(p: Patient) -> dict:
    mr = {"coding": [{"system": IDENTIFIER_TYPE, "code": "MR",
                      "display": "Medical record number"}], "text": "MRN"}
    return {
        "identifier": [{"use": "usual", "type": mr, "system": MRN_SYSTEM, "value": p.mrn}],
        "name": [{"text": p.name}],
        "gender": GENDER.get(str(p.sex), "unknown"),
        "birthDate": p.birth_date.isoformat(),
    }


def _severity(e: Episode) -> dict:
    words = str(e.severity) + (", with psychotic features" if e.psychotic else "")
    severity = {"text": words}
    if str(e.severity) in SNOMED_SEVERITY:
        code, display = SNOMED_SEVERITY[str(e.severity)]
        severity["coding"] = [{"system": SNOMED_SYSTEM, "code": code, "display": display}]
    return severity


def _condition(e: Episode, subject: dict) -> dict:
    codings = [{"system": SNOMED_SYSTEM, "code": SNOMED_MDD[0], "display": SNOMED_MDD[1]}]
    if e.icd10:
        codings.append({"system": ICD10_SYSTEM, "code": e.icd10, "display": ICD10_MDD[e.icd10]})
    status = "remission" if e.remission else "active"
    condition = {
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": status}]},
        "verificationStatus": {"coding": [{"system": CONDITION_VERIFICATION,
                                           "code": "confirmed"}]},
        "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item",
                                  "display": "Problem List Item"}]}],
        "severity": _severity(e),
        "code": {"coding": codings, "text": f"Major depressive episode {e.key}"},
        "subject": subject,
        "onsetDateTime": e.onset.isoformat(),
    }
    if e.remission:
        condition["abatementDateTime"] = e.remission.isoformat()
    return condition


def _observation(m: Measurement, subject: dict) -> dict:
    system, code, display = instrument_coding(str(m.instrument))
    return {
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
        "code": {"coding": [{"system": system, "code": code, "display": display}],
                 "text": display},
        "subject": subject,
        "effectiveDateTime": m.taken_on.isoformat(),
        "valueInteger": m.score,
    }


def _entries(patient: Patient) -> list[dict]:
    ids = _Ids(patient.mrn)
    patient_id = ids("Patient")
    subject = _ref(patient_id)
    conditions = {e.id: ids("Condition", e.key) for e in patient.episodes}

    def reason(episode_id: int | None) -> dict | None:
        return _ref(conditions[episode_id]) if episode_id in conditions else None

    entries = [_entry("Patient", patient_id, _patient(patient))]
    entries += [_entry("Condition", conditions[e.id], _condition(e, subject))
                for e in patient.episodes]
    entries += [_entry("MedicationStatement", ids("MedicationStatement", t.drug, t.started),
                       medication_statement(t, subject, reason(t.episode_id)))
                for t in patient.trials]
    for course in patient.treatments:
        key = ids("Course", course.kind, course.start)
        if course.kind == TreatmentKind.ESKETAMINE:
            entries.append(_entry("MedicationStatement", key, esketamine_statement(
                course, subject, reason(course.episode_id))))
        else:
            entries.append(_entry("Procedure", key, procedure(
                course, subject, reason(course.episode_id))))
    entries += [_entry("Observation", ids("Observation", m.instrument, m.taken_on),
                       _observation(m, subject)) for m in patient.measurements]
    return entries


def patient_bundle(patient: Patient, now: datetime | None = None) -> Bundle:
    """Return the patient's record as a validated FHIR Bundle of type collection."""
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    return Bundle.model_validate({
        "resourceType": "Bundle", "id": _Ids(patient.mrn)("Bundle"), "type": "collection",
        "timestamp": stamp, "entry": _entries(patient),
    })
