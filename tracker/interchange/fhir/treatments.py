"""Trials and treatment courses as FHIR R4 MedicationStatements and Procedures.

Each dose step is a daily dose (``doseAndRate.rateQuantity`` in UCUM ``mg/d``) whose period
ends the day before the next step starts. FHIR period ends are inclusive while the record's stop
date is the first day without the drug, so the last step and the trial end the day before it.
ECT, rTMS and psychotherapy courses are Procedures; esketamine courses are MedicationStatements.
"""

from __future__ import annotations

from datetime import timedelta

from tracker.catalogue import default_catalogue
from tracker.codes import RXNORM_SYSTEM, UCUM_SYSTEM, treatment_coding
from tracker.interchange.fhir.common import ADHERENCE, RESPONSE, SESSIONS, TREATMENT_KINDS
from tracker.models import Treatment, Trial
from tracker.reporting import dose_words
from tracker.rules.vocab import StopReason, TreatmentKind

STOP_REASONS = "urn:trd-tracker:stop-reason"


def _last_day(trial: Trial):
    return trial.stopped - timedelta(days=1) if trial.stopped else None


def _dosage(trial: Trial) -> list[dict]:
    steps = list(trial.doses)
    dosage = []
    for n, (step, after) in enumerate(zip(steps, [*steps[1:], None], strict=True), start=1):
        end = after.start - timedelta(days=1) if after else _last_day(trial)
        bounds = {"start": step.start.isoformat()}
        if end:
            bounds["end"] = end.isoformat()
        dosage.append({
            "sequence": n,
            "text": f"{dose_words(step)} from {step.start.isoformat()}"
                    + (f" to {end.isoformat()}" if end else ""),
            "timing": {"repeat": {"boundsPeriod": bounds}},
            "doseAndRate": [{"rateQuantity": {
                "value": step.mg_per_day, "unit": "mg/d", "system": UCUM_SYSTEM,
                "code": "mg/d"}}],
        })
    return dosage


def _status(trial: Trial) -> str:
    if not trial.stopped:
        return "active"
    return "completed" if trial.stop_reason == StopReason.REMISSION else "stopped"


def medication_statement(trial: Trial, subject: dict, condition: dict | None) -> dict:
    """Return one trial as a MedicationStatement: drug, a dosage per step, status, reason."""
    agent = default_catalogue().resolve(trial.drug)
    medication = {"text": agent.generic}
    if agent.rxcui:
        medication["coding"] = [{"system": RXNORM_SYSTEM, "code": agent.rxcui,
                                 "display": agent.generic}]
    period = {"start": trial.started.isoformat()}
    if trial.stopped:
        period["end"] = _last_day(trial).isoformat()
    statement = {
        "status": _status(trial),
        "medicationCodeableConcept": medication,
        "subject": subject,
        "effectivePeriod": period,
        "dosage": _dosage(trial),
        "note": [{"text": f"Adherence: {trial.adherence}. Response: {trial.response}."}],
        # The same, coded, so that the reader (fhir/reader.py) gives them back.
        "extension": [{"url": ADHERENCE, "valueCode": str(trial.adherence)},
                      {"url": RESPONSE, "valueCode": str(trial.response)}],
    }
    if trial.stop_reason:
        statement["statusReason"] = [{"coding": [{"system": STOP_REASONS,
                                                  "code": str(trial.stop_reason)}],
                                      "text": str(trial.stop_reason).replace("_", " ")}]
    if condition:
        statement["reasonReference"] = [condition]
    if trial.notes:
        statement["note"].append({"text": trial.notes})
    return statement


def _course_period(course: Treatment) -> dict:
    period = {"start": course.start.isoformat()}
    if course.end:
        period["end"] = course.end.isoformat()
    return period


def _course_details(resource: dict, course: Treatment) -> None:
    """Add the number of sessions, in words and coded (the reader gives it back)."""
    if course.sessions is not None:
        resource["note"] = [{"text": f"Sessions: {course.sessions}."}]
        resource["extension"] = [{"url": SESSIONS, "valueInteger": course.sessions}]


def _course_words(course: Treatment, display: str) -> str:
    """Return the course's name with its ECT laterality or psychotherapy modality, if recorded.

    Both columns arrive with the dose-entry work (issue 12); until then neither exists.
    """
    qualifier = getattr(course, "laterality", None) if course.kind == TreatmentKind.ECT else \
        getattr(course, "modality", None) if course.kind == TreatmentKind.PSYCHOTHERAPY else None
    qualifier = str(qualifier or "")
    return display if qualifier in ("", "unknown") else f"{display}, {qualifier}"


def procedure(course: Treatment, subject: dict, condition: dict | None) -> dict:
    """Return an ECT, rTMS, psychotherapy or other course as a Procedure."""
    system, code, display = treatment_coding(str(course.kind))
    kind = str(course.kind)
    resource = {
        "status": "completed" if course.end else "in-progress",
        # the app's own kind code beside the standard one, and the clinician's detail as the
        # text, so that reading the export back gives the same course
        "code": {"coding": [{"system": system, "code": code,
                             "display": _course_words(course, display)},
                            {"system": TREATMENT_KINDS, "code": kind, "display": kind}]},
        "subject": subject,
        "performedPeriod": _course_period(course),
    }
    if course.detail:
        resource["code"]["text"] = course.detail
    if condition:
        resource["reasonReference"] = [condition]
    _course_details(resource, course)
    return resource


def esketamine_statement(course: Treatment, subject: dict, condition: dict | None) -> dict:
    """Return an esketamine course as a MedicationStatement (nasal; doses not recorded)."""
    statement = {
        "status": "completed" if course.end else "active",
        "medicationCodeableConcept": {
            "coding": [{"system": TREATMENT_KINDS, "code": "esketamine", "display": "esketamine"}],
            "text": course.detail or "esketamine"},
        "subject": subject,
        "effectivePeriod": _course_period(course),
        "dosage": [{"text": "esketamine nasal spray", "route": {"text": "nasal"}}],
    }
    if condition:
        statement["reasonReference"] = [condition]
    _course_details(statement, course)
    return statement
