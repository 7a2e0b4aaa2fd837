"""Code systems the exports use: ICD-10-CM for the diagnosis, SNOMED CT, RxNorm and LOINC.

Sources: ICD-10-CM (CDC/CMS, FY2024) F32 "Major depressive disorder, single episode" and F33
"Major depressive disorder, recurrent", every billable code with its official title (the
subdivisions F32.4, F32.5 and F33.40-F33.42 exist in ICD-10-CM only, so the system is ICD-10-CM,
not WHO ICD-10); SNOMED CT 370143000 "Major depressive disorder", the severity qualifiers
255604002 "Mild", 6736007 "Moderate", 24484000 "Severe", the procedures 23835007
"Electroconvulsive therapy" and 75516001 "Psychotherapy"; LOINC 44261-6, whose long common name
is "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]". The project could not
confirm LOINC codes for the MADRS, HAMD-17 and QIDS-SR16 totals, nor a SNOMED CT code for rTMS,
offline, so those use the local code systems ``LOCAL_INSTRUMENTS`` and ``LOCAL_TREATMENTS``.
"""

from __future__ import annotations

ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED_SYSTEM = "http://snomed.info/sct"
RXNORM_SYSTEM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC_SYSTEM = "http://loinc.org"
UCUM_SYSTEM = "http://unitsofmeasure.org"
LOCAL_INSTRUMENTS = "urn:trd-tracker:instrument"
LOCAL_TREATMENTS = "urn:trd-tracker:treatment"

SNOMED_MDD = ("370143000", "Major depressive disorder")
SNOMED_SEVERITY = {
    "mild": ("255604002", "Mild"),
    "moderate": ("6736007", "Moderate"),
    "severe": ("24484000", "Severe"),
}
SNOMED_PROCEDURES = {
    "ECT": ("23835007", "Electroconvulsive therapy"),
    "psychotherapy": ("75516001", "Psychotherapy"),
}

TREATMENT_WORDS = {"rTMS": "Repetitive transcranial magnetic stimulation (rTMS)"}

ICD10_MDD = {
    "F32.0": "Major depressive disorder, single episode, mild",
    "F32.1": "Major depressive disorder, single episode, moderate",
    "F32.2": "Major depressive disorder, single episode, severe without psychotic features",
    "F32.3": "Major depressive disorder, single episode, severe with psychotic features",
    "F32.4": "Major depressive disorder, single episode, in partial remission",
    "F32.5": "Major depressive disorder, single episode, in full remission",
    "F32.81": "Premenstrual dysphoric disorder",
    "F32.89": "Other specified depressive episodes",
    "F32.9": "Major depressive disorder, single episode, unspecified",
    "F32.A": "Depression, unspecified",
    "F33.0": "Major depressive disorder, recurrent, mild",
    "F33.1": "Major depressive disorder, recurrent, moderate",
    "F33.2": "Major depressive disorder, recurrent severe without psychotic features",
    "F33.3": "Major depressive disorder, recurrent, severe with psychotic symptoms",
    "F33.40": "Major depressive disorder, recurrent, in remission, unspecified",
    "F33.41": "Major depressive disorder, recurrent, in partial remission",
    "F33.42": "Major depressive disorder, recurrent, in full remission",
    "F33.8": "Other recurrent depressive disorders",
    "F33.9": "Major depressive disorder, recurrent, unspecified",
}

LOINC_INSTRUMENTS = {
    "PHQ-9": ("44261-6", "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]"),
}


def diagnosis_course(icd10: str | None) -> str:
    """Return "single episode", "recurrent" or "not recorded" for an MDD ICD-10-CM code."""
    if not icd10:
        return "not recorded"
    return "recurrent" if icd10.startswith("F33") else "single episode"


def instrument_coding(instrument: str) -> tuple[str, str, str]:
    """Return (system, code, display) for an instrument's total score."""
    if instrument in LOINC_INSTRUMENTS:
        code, display = LOINC_INSTRUMENTS[instrument]
        return LOINC_SYSTEM, code, display
    return LOCAL_INSTRUMENTS, instrument, f"{instrument} total score"


def treatment_coding(kind: str) -> tuple[str, str, str]:
    """Return (system, code, display) for a non-drug treatment course."""
    if kind in SNOMED_PROCEDURES:
        code, display = SNOMED_PROCEDURES[kind]
        return SNOMED_SYSTEM, code, display
    return LOCAL_TREATMENTS, kind, TREATMENT_WORDS.get(kind, kind)
