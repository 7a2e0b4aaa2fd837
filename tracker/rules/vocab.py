"""Closed value sets shared by the rules, the database and the interchange format.

The values are the ones of the history format, version 1 (``shared/formats/history-v1.md``).
"""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class Severity(StrEnum):
    SUBSYNDROMAL = "subsyndromal"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


class StopReason(StrEnum):
    INADEQUATE_RESPONSE = "inadequate_response"
    SIDE_EFFECTS = "side_effects"
    REMISSION = "remission"
    PATIENT_CHOICE = "patient_choice"
    COST = "cost"
    INTERACTION = "interaction"
    OTHER = "other"


class Adherence(StrEnum):
    GOOD = "good"
    PARTIAL = "partial"
    POOR = "poor"
    UNKNOWN = "unknown"


class Response(StrEnum):
    NONE = "none"
    PARTIAL = "partial"
    RESPONSE = "response"
    REMISSION = "remission"
    UNKNOWN = "unknown"


class Instrument(StrEnum):
    PHQ9 = "PHQ-9"
    MADRS = "MADRS"
    HAMD17 = "HAMD-17"
    QIDS_SR16 = "QIDS-SR16"


# Total-score ranges of each instrument (history-v1.md; the instruments' scoring manuals).
SCORE_RANGES: dict[Instrument, tuple[int, int]] = {
    Instrument.PHQ9: (0, 27),
    Instrument.MADRS: (0, 60),
    Instrument.HAMD17: (0, 52),
    Instrument.QIDS_SR16: (0, 27),
}


class TreatmentKind(StrEnum):
    ECT = "ECT"
    RTMS = "rTMS"
    ESKETAMINE = "esketamine"
    PSYCHOTHERAPY = "psychotherapy"
    OTHER = "other"


class AgentRole(StrEnum):
    """What the catalogue says a drug is: an antidepressant or an augmentation agent."""

    ANTIDEPRESSANT = "antidepressant"
    AUGMENTATION = "augmentation"


def labels(enum: type[StrEnum]) -> list[str]:
    """Return the enum's values, in declaration order."""
    return [member.value for member in enum]
