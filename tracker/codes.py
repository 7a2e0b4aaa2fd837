"""Code systems the exports use: ICD-10 for the diagnosis, SNOMED CT, RxNorm and LOINC.

Sources: ICD-10 (WHO 2019) chapter V, F32 depressive episode and F33 recurrent depressive
disorder, with the ICD-10-CM subdivisions F33.40-F33.42 used by US payers; SNOMED CT 370143000
"Major depressive disorder"; LOINC 44261-6 "Patient Health Questionnaire 9 item (PHQ-9) total
score [Reported]". The project could not confirm LOINC codes for the MADRS, HAMD-17 and
QIDS-SR16 totals offline, so those use the local code system ``LOCAL_INSTRUMENTS``.
"""

from __future__ import annotations

ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
SNOMED_SYSTEM = "http://snomed.info/sct"
RXNORM_SYSTEM = "http://www.nlm.nih.gov/research/umls/rxnorm"
LOINC_SYSTEM = "http://loinc.org"
LOCAL_INSTRUMENTS = "urn:trd-tracker:instrument"

SNOMED_MDD = ("370143000", "Major depressive disorder")

ICD10_MDD = {
    "F32.0": "Major depressive disorder, single episode, mild",
    "F32.1": "Major depressive disorder, single episode, moderate",
    "F32.2": "Major depressive disorder, single episode, severe without psychotic features",
    "F32.3": "Major depressive disorder, single episode, severe with psychotic features",
    "F32.4": "Major depressive disorder, single episode, in partial remission",
    "F32.5": "Major depressive disorder, single episode, in full remission",
    "F32.9": "Major depressive disorder, single episode, unspecified",
    "F33.0": "Major depressive disorder, recurrent, mild",
    "F33.1": "Major depressive disorder, recurrent, moderate",
    "F33.2": "Major depressive disorder, recurrent, severe without psychotic features",
    "F33.3": "Major depressive disorder, recurrent, severe with psychotic features",
    "F33.40": "Major depressive disorder, recurrent, in remission, unspecified",
    "F33.41": "Major depressive disorder, recurrent, in partial remission",
    "F33.42": "Major depressive disorder, recurrent, in full remission",
    "F33.9": "Major depressive disorder, recurrent, unspecified",
}

LOINC_INSTRUMENTS = {"PHQ-9": ("44261-6", "PHQ-9 total score [Reported]")}


def diagnosis_course(icd10: str | None) -> str:
    """Return "single episode", "recurrent" or "not recorded" for an MDD ICD-10 code."""
    if not icd10:
        return "not recorded"
    return "recurrent" if icd10.startswith("F33") else "single episode"


def instrument_coding(instrument: str) -> tuple[str, str, str]:
    """Return (system, code, display) for an instrument's total score."""
    if instrument in LOINC_INSTRUMENTS:
        code, display = LOINC_INSTRUMENTS[instrument]
        return LOINC_SYSTEM, code, display
    return LOCAL_INSTRUMENTS, instrument, f"{instrument} total score"
