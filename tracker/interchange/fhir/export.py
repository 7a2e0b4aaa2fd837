"""The patient's history as a FHIR R4 Bundle (type collection), validated by fhir.resources.

Built with the R4B models of fhir.resources: for the resources used here (Patient, Condition,
MedicationStatement, Observation, Procedure) R4B is R4 unchanged. Ids are stable UUIDs derived
from the row ids, so the same record gives the same bundle. FHIR period ends are inclusive: a
period ends the day before a stop date (the first day without the drug). The reader
(``fhir/reader.py``) gives back the same history.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

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
from tracker.models import Episode, Measurement, Patient, Treatment, Trial

MRN_SYSTEM = "urn:trd-tracker:mrn"
NAMESPACE = uuid.UUID("5b0c2f0e-8a53-4d4e-9d0a-6d1f3f6f7a10")
GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
STOP_REASONS = "urn:trd-tracker:stop-reason"
TREATMENT_KINDS = "urn:trd-tracker:treatment-kind"
SESSIONS = "urn:trd-tracker:sessions"
ADHERENCE, RESPONSE = "urn:trd-tracker:adherence", "urn:trd-tracker:response"
# SNOMED CT procedures: electroconvulsive therapy, psychotherapy.
PROCEDURE_SNOMED = {"ECT": ("23835007", "Electroconvulsive therapy"),
                    "psychotherapy": ("75516001", "Psychotherapy")}


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


def _last_day(stop: date) -> str:
    """Return the inclusive FHIR end of a period that stops on ``stop`` (not taken that day)."""
    return (stop - timedelta(days=1)).isoformat()


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
            bounds["end"] = _last_day(end)
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
        # The same, coded, so that the reader gives them back.
        "extension": [{"url": ADHERENCE, "valueCode": str(t.adherence)},
                      {"url": RESPONSE, "valueCode": str(t.response)}],
    }
    if t.stopped:
        period["end"] = _last_day(t.stopped)
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


def _esketamine(t: Treatment, patient: Patient) -> dict:
    """Return an esketamine course as a MedicationStatement (the way EHRs record it)."""
    period = {"start": t.start.isoformat()}
    if t.end:
        period["end"] = t.end.isoformat()
    medication = {"coding": [{"system": TREATMENT_KINDS, "code": "esketamine",
                              "display": "esketamine"}]}
    if t.detail:
        medication["text"] = t.detail
    statement = {
        "status": "completed" if t.end else "active", "medicationCodeableConcept": medication,
        "subject": _ref("Patient", patient.id), "effectivePeriod": period,
    }
    _course_details(statement, t, patient)
    return statement


def _course_details(resource: dict, t: Treatment, patient: Patient) -> None:
    """Add the course's number of sessions and its episode to a Procedure or statement."""
    if t.sessions is not None:
        resource["extension"] = [{"url": SESSIONS, "valueInteger": t.sessions}]
    if t.episode_id and any(e.id == t.episode_id for e in patient.episodes):
        resource["reasonReference"] = [_ref("Condition", t.episode_id)]


def _procedure(t: Treatment, patient: Patient) -> dict:
    kind = str(t.kind)
    coding = [{"system": TREATMENT_KINDS, "code": kind, "display": kind}]
    if kind in PROCEDURE_SNOMED:
        code, display = PROCEDURE_SNOMED[kind]
        coding.insert(0, {"system": SNOMED_SYSTEM, "code": code, "display": display})
    period = {"start": t.start.isoformat()}
    if t.end:
        period["end"] = t.end.isoformat()
    code = {"coding": coding}
    if t.detail:
        code["text"] = t.detail
    procedure = {
        "status": "completed" if t.end else "in-progress", "code": code,
        "subject": _ref("Patient", patient.id), "performedPeriod": period,
    }
    _course_details(procedure, t, patient)
    return procedure


def _treatment_entry(t: Treatment, patient: Patient) -> dict:
    if str(t.kind) == "esketamine":  # a negative id keeps it apart from the trials' ids
        return _entry("MedicationStatement", -t.id, _esketamine(t, patient))
    return _entry("Procedure", t.id, _procedure(t, patient))


def patient_bundle(patient: Patient, now: datetime | None = None) -> Bundle:
    """Return the patient's record as a validated FHIR Bundle of type collection."""
    entries = [_entry("Patient", patient.id, _patient(patient))]
    entries += [_entry("Condition", e.id, _condition(e, patient)) for e in patient.episodes]
    entries += [_entry("MedicationStatement", t.id, _medication_statement(t, patient))
                for t in patient.trials]
    entries += [_entry("Observation", m.id, _observation(m, patient))
                for m in patient.measurements]
    entries += [_treatment_entry(t, patient) for t in patient.treatments]
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds")
    return Bundle.model_validate({
        "resourceType": "Bundle", "id": _uuid("Bundle", patient.id), "type": "collection",
        "timestamp": stamp, "entry": entries,
    })
