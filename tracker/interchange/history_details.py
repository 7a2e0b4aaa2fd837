"""The version 1.1 keys of the history format: what a clinician records beside the rules inputs.

Episode ICD-10-CM codes, trial formulations, doses as prescribed (amount x times per day) and
psychotherapy modalities are not rules inputs, so a parsed document carries them in ``Details``
by position; ECT laterality and PHQ-9 items are rules inputs and live in the ``History``.
Every key here is allowed only in a ``trd-history/1.1`` document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker.codes import ICD10_MDD
from tracker.interchange.json_reader import MAX_MG_PER_DAY, Reader
from tracker.rules.vocab import Instrument, TreatmentKind
from tracker.vocab import (
    MAX_FORMULATION,
    MAX_TIMES_PER_DAY,
    PHQ9_ITEMS,
    Laterality,
    Modality,
    daily_total,
)

V1 = "trd-history/1"
V11 = "trd-history/1.1"
EPISODE_KEYS = {"icd10"}
TRIAL_KEYS = {"formulation"}
DOSE_KEYS = {"amount_mg", "times_per_day"}
MEASUREMENT_KEYS = {"items"}
TREATMENT_KEYS = {"laterality", "modality"}


@dataclass(frozen=True)
class Regimen:
    """A dose as prescribed: ``amount_mg`` taken ``times_per_day`` times a day."""

    amount_mg: float
    times_per_day: int

    @property
    def mg_per_day(self) -> float:
        return daily_total(self.amount_mg, self.times_per_day)


@dataclass(frozen=True)
class Details:
    """The 1.1 keys that are not rules inputs, by position in the document's lists."""

    icd10: tuple[str | None, ...] = ()  # per episode
    formulations: tuple[str, ...] = ()  # per trial
    regimens: tuple[tuple[Regimen | None, ...], ...] = ()  # per trial, per dose step
    modalities: tuple[str | None, ...] = ()  # per treatment

    def episode_icd10(self, i: int) -> str | None:
        return self.icd10[i] if i < len(self.icd10) else None

    def formulation(self, i: int) -> str:
        return self.formulations[i] if i < len(self.formulations) else ""

    def regimen(self, i: int, j: int) -> Regimen | None:
        steps = self.regimens[i] if i < len(self.regimens) else ()
        return steps[j] if j < len(steps) else None

    def modality(self, i: int) -> str | None:
        return self.modalities[i] if i < len(self.modalities) else None


class HistoryReader(Reader):
    """A ``Reader`` that knows the document's version, to refuse 1.1 keys in version 1."""

    def __init__(self) -> None:
        super().__init__()
        self.version = V11

    def newer_keys(self, raw: dict, path: str, keys: set[str]) -> None:
        """Report 1.1 keys present in a version-1 document as unknown keys, saying so."""
        if self.version != V1:
            return
        for key in sorted(keys & set(raw)):
            self.fail(f"{path}.{key}", f"unknown key in {V1} (a {V11} key: "
                                       f'set "format" to "{V11}" to use it)')


def icd10(r: HistoryReader, raw: dict, path: str) -> str | None:
    r.newer_keys(raw, path, EPISODE_KEYS)
    value = raw.get("icd10")
    if value is None:
        return None
    if value not in ICD10_MDD:
        r.fail(f"{path}.icd10", "must be an ICD-10-CM code of depression "
                                f"({', '.join(ICD10_MDD)}) or null")
        return None
    return value


def formulation(r: HistoryReader, raw: dict, path: str, from_name: str) -> str | None:
    """Return the trial's formulation: the key's value, else the drug name's suffix."""
    r.newer_keys(raw, path, TRIAL_KEYS)
    if "formulation" not in raw:
        return from_name
    value = r.text(raw.get("formulation"), f"{path}.formulation", limit=MAX_FORMULATION)
    if value is not None and from_name and value.strip().upper() != from_name:
        r.fail(f"{path}.formulation", f"{value!r} contradicts the drug name's {from_name!r}")
        return None
    return value.strip() if value is not None else None


def dose(r: HistoryReader, raw: dict, path: str) -> tuple[float | None, Regimen | None]:
    """Return a dose step's daily total and, when given, the dose as prescribed."""
    r.newer_keys(raw, path, DOSE_KEYS)
    given = DOSE_KEYS & set(raw)
    if not given:
        if "mg_per_day" not in raw:
            r.fail(f"{path}.mg_per_day", "is required (or amount_mg with times_per_day)")
            return None, None
        return r.number(raw["mg_per_day"], f"{path}.mg_per_day"), None
    if given != DOSE_KEYS:
        missing = (DOSE_KEYS - given).pop()
        r.fail(f"{path}.{missing}", "is required with " + given.pop())
        return None, None
    amount = r.number(raw["amount_mg"], f"{path}.amount_mg")
    times = r.integer(raw["times_per_day"], f"{path}.times_per_day", 1, MAX_TIMES_PER_DAY)
    if amount is None or times is None:
        return None, None
    regimen = Regimen(amount, times)
    total = regimen.mg_per_day
    if total > MAX_MG_PER_DAY:
        r.fail(f"{path}.amount_mg", f"{amount:g} mg x {times} is {total:g} mg/day, above "
                                    f"{MAX_MG_PER_DAY}")
        return None, None
    if "mg_per_day" in raw:
        stated = r.number(raw["mg_per_day"], f"{path}.mg_per_day")
        if stated is not None and abs(stated - total) > 1e-6:
            r.fail(f"{path}.mg_per_day", f"must equal amount_mg x times_per_day ({total:g})")
            return None, None
    return total, regimen


def laterality(r: HistoryReader, raw: dict, path: str, kind: str | None) -> str | None:
    """Return an ECT course's laterality ("unknown" when not given); None on a problem."""
    r.newer_keys(raw, path, {"laterality"})
    if raw.get("laterality") is None:
        return Laterality.UNKNOWN.value
    if kind is not None and kind != TreatmentKind.ECT:
        r.fail(f"{path}.laterality", "is for ECT courses only")
        return None
    values = [v.value for v in Laterality]
    return r.choice(raw["laterality"], f"{path}.laterality", values)


def modality(r: HistoryReader, raw: dict, path: str, kind: str | None) -> str | None:
    r.newer_keys(raw, path, {"modality"})
    value = raw.get("modality")
    if value is None:
        return None
    if kind is not None and kind != TreatmentKind.PSYCHOTHERAPY:
        r.fail(f"{path}.modality", "is for psychotherapy courses only")
        return None
    return r.choice(value, f"{path}.modality", [m.value for m in Modality])


def items(r: HistoryReader, raw: dict, path: str, instrument: str | None,
          score: int | None) -> tuple[int, ...] | None:
    """Return a PHQ-9's nine item answers, checked against its total score."""
    r.newer_keys(raw, path, MEASUREMENT_KEYS)
    value = raw.get("items")
    if value is None:
        return None
    if instrument is not None and instrument != Instrument.PHQ9:
        r.fail(f"{path}.items", "item answers are recorded for PHQ-9 only")
        return None
    if (not isinstance(value, list) or len(value) != PHQ9_ITEMS
            or any(isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 3
                   for v in value)):
        r.fail(f"{path}.items", f"must be {PHQ9_ITEMS} whole numbers from 0 to 3")
        return None
    if score is not None and sum(value) != score:
        r.fail(f"{path}.items", f"add up to {sum(value)}, not the score {score}")
        return None
    return tuple(value)


def number(mg: float) -> int | float:
    """Return a dose as JSON writes it best: 50, not 50.0."""
    return int(mg) if float(mg).is_integer() else mg


def dump_regimen(regimen: Regimen | None) -> dict[str, Any]:
    if regimen is None:
        return {}
    return {"amount_mg": number(regimen.amount_mg), "times_per_day": regimen.times_per_day}
