"""Closed value sets of history format 1.1 that the database, forms and files share.

The rules' own value sets are in ``tracker.rules.vocab``; these add what a clinician records
beside them: how a dose is written, the formulation, ECT laterality, psychotherapy modality.
"""

from __future__ import annotations

from enum import StrEnum

# Release forms a drug name may end with ("venlafaxine XR", "Wellbutrin XL").
FORMULATIONS = ("IR", "XR", "ER", "SR", "CR", "XL", "ODT")
MAX_FORMULATION = 16  # characters: short text such as "XR" or "24-hour patch"

# Administrations per day, as prescriptions say them (at night is once daily).
TIMES_PER_DAY = {1: "once daily", 2: "twice daily", 3: "three times daily",
                 4: "four times daily"}
MAX_TIMES_PER_DAY = 6  # the history format accepts up to 6

PHQ9_ITEMS = 9
PHQ9_SAFETY_ITEM = 9  # "thoughts that you would be better off dead or of hurting yourself"


class Laterality(StrEnum):
    """ECT electrode placement (Thase-Rush stage V needs bilateral)."""

    BILATERAL = "bilateral"
    UNILATERAL = "unilateral"
    UNKNOWN = "unknown"


class Modality(StrEnum):
    """Psychotherapy modality; the first seven are evidence-based for coverage criteria."""

    CBT = "CBT"
    IPT = "IPT"
    BA = "BA"
    PST = "PST"
    MBCT = "MBCT"
    CBASP = "CBASP"
    DBT = "DBT"
    PSYCHODYNAMIC = "psychodynamic"
    SUPPORTIVE = "supportive"
    OTHER = "other"


def daily_total(amount_mg: float, times_per_day: int) -> float:
    """Return the daily dose of ``amount_mg`` taken ``times_per_day`` times a day."""
    return round(amount_mg * times_per_day, 6)


def safety_item_positive(items: tuple[int, ...] | None) -> bool:
    """Say whether a PHQ-9's item 9 (self-harm thoughts) is above 0."""
    return bool(items) and items[PHQ9_SAFETY_ITEM - 1] > 0
