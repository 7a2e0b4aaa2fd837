"""Medication records of a FHIR Bundle as the days they cover at a daily dose.

MedicationStatement, MedicationRequest and MedicationDispense each give one or more
``Record`` (``shared/formats/fhir-import.md``, "Antidepressant and augmentation courses");
``courses`` joins them into trials.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from tracker.catalogue import Catalogue
from tracker.codes import RXNORM_SYSTEM
from tracker.interchange.fhir.common import (
    ADHERENCE,
    RESPONSE,
    Context,
    codings,
    day,
    detail,
    extension,
    first,
    inclusive_end,
    obj,
    own_kind,
    sessions,
    text,
    texts,
)
from tracker.rules.vocab import Adherence, Response

ESKETAMINE = "esketamine"
ESKETAMINE_NAMES = re.compile(r"\b(esketamine|spravato)\b", re.IGNORECASE)
SELEGILINE_PATCH = "selegiline transdermal"
PATCH_STRENGTH = re.compile(r"(\d+(?:\.\d+)?)\s*MG/24\s*HR?\b", re.IGNORECASE)
PER_DAY_UNITS = {"mg/d", "mg/day", "mg/(24.h)", "mg/24h", "mg/24hr", "mg/24 hr"}
DAYS_PER_UNIT = {"h": 1 / 24, "d": 1, "wk": 7}
DURATION_DAYS = {"d": 1, "day": 1, "days": 1, "wk": 7, "week": 7, "weeks": 7}
# HL7 v3 GTSAbbreviation timing codes: administrations per day.
TIMING_CODES = {"QD": 1, "AM": 1, "PM": 1, "QHS": 1, "HS": 1, "BID": 2, "TID": 3, "QID": 4,
                "Q6H": 4, "Q8H": 3, "Q12H": 2, "Q24H": 1}
ONGOING_STATUSES = {"active", "on-hold"}
DEFAULT_DAYS = 30
MAX_SUPPLY_DAYS, MAX_REPEATS = 3660, 100  # beyond these a supply is a typing error
STOP_REASONS = "urn:trd-tracker:stop-reason"  # the app's own export writes this code system
DOSAGE_KEY = {"MedicationStatement": "dosage", "MedicationRequest": "dosageInstruction",
              "MedicationDispense": "dosageInstruction"}


@dataclass(frozen=True)
class Dose:
    mg_per_day: float
    amount_mg: float | None = None  # per administration, when the Bundle says how often
    times_per_day: int | None = None


@dataclass(frozen=True)
class Record:
    """Days [start, end) of one agent at one daily dose; ``end`` None while it runs on."""

    agent: str  # the generic name, or "esketamine"
    start: date
    end: date | None
    dose: Dose | None
    order: int  # position in the Bundle: among records starting the same day, the later applies
    detail: str = ""
    episode: str | None = None
    stop_reason: str | None = None
    sessions: int | None = None  # esketamine: the app's own export counts them
    adherence: str = "unknown"  # the app's own export codes these two; other Bundles do not
    response: str = "unknown"


def _names_pattern(catalogue: Catalogue) -> re.Pattern:
    names = sorted(catalogue.names(), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b", re.IGNORECASE)


def identify(concept: Any, catalogue: Catalogue) -> str | None:
    """Return the generic name (or "esketamine") a medication concept names, or None."""
    if own_kind(concept) == ESKETAMINE:
        return ESKETAMINE
    by_rxcui = {e.agent.rxcui: g for g, e in catalogue.entries.items() if e.agent.rxcui}
    for coding in codings(concept):
        if coding.get("system") == RXNORM_SYSTEM and coding.get("code") in by_rxcui:
            return by_rxcui[coding["code"]]
    pattern = _names_pattern(catalogue)
    for name in texts(concept):
        if ESKETAMINE_NAMES.search(name):
            return ESKETAMINE
        if re.search(r"\bselegiline\b", name, re.IGNORECASE) and PATCH_STRENGTH.search(name):
            return SELEGILINE_PATCH
        match = pattern.search(name)
        if match:
            return catalogue.resolve(match.group(1)).generic
    return None


def medication(ctx: Context, resource: dict) -> dict:
    """Return the medication's CodeableConcept, following a reference to a Medication."""
    if "medicationCodeableConcept" in resource:
        return obj(resource["medicationCodeableConcept"])
    target = ctx.resolve(resource.get("medicationReference"), resource)
    if target is not None:
        return obj(target.get("code"))
    return {"text": obj(resource.get("medicationReference")).get("display", "")}


def _positive(ctx: Context, value: Any, path: str) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        ctx.fail(path, "a number above 0 expected")
        return None
    return float(value)


def _unit(quantity: dict) -> str:
    unit = quantity.get("code") or quantity.get("unit") or ""
    return unit.strip().lower() if isinstance(unit, str) else ""


def _times_per_day(ctx: Context, timing: Any, path: str) -> float | None:
    """Return administrations per day from a Timing; no timing means once a day."""
    timing = obj(timing)
    repeat = obj(timing.get("repeat"))
    if "frequency" not in repeat and "period" not in repeat:
        code = first(obj(timing.get("code")).get("coding")).get("code")
        if code is None or "when" in repeat:
            return 1.0
        if code not in TIMING_CODES:
            ctx.fail(f"{path}.code", f"timing code {code!r} not understood: give timing.repeat")
            return None
        return float(TIMING_CODES[code])
    frequency = _positive(ctx, repeat.get("frequency", 1), f"{path}.repeat.frequency")
    period = _positive(ctx, repeat.get("period", 1), f"{path}.repeat.period")
    unit = text(repeat.get("periodUnit", "d"))
    if unit not in DAYS_PER_UNIT:
        ctx.fail(f"{path}.repeat.periodUnit", "h, d or wk expected")
        return None
    if frequency is None or period is None:
        return None
    return frequency / (period * DAYS_PER_UNIT[unit])


def daily_dose(ctx: Context, dosage: dict, path: str, agent: str, concept: dict) -> Dose | None:
    """Return the daily dose of one dosage: dose x daily frequency, or a rate in mg/d."""
    rate_and_dose = first(dosage.get("doseAndRate"))
    rate, dose = obj(rate_and_dose.get("rateQuantity")), obj(rate_and_dose.get("doseQuantity"))
    here = f"{path}.doseAndRate[0]"
    if rate:
        if _unit(rate) not in PER_DAY_UNITS:
            ctx.fail(f"{here}.rateQuantity.unit", "mg/d expected")
            return None
        mg = _positive(ctx, rate.get("value"), f"{here}.rateQuantity.value")
        return Dose(mg) if mg else None
    if dose and _unit(dose) in PER_DAY_UNITS:
        mg = _positive(ctx, dose.get("value"), f"{here}.doseQuantity.value")
        return Dose(mg) if mg else None
    if agent == SELEGILINE_PATCH:
        strength = next((m for t in texts(concept) if (m := PATCH_STRENGTH.search(t))), None)
        if strength and (not dose or _unit(dose) != "mg"):
            return Dose(float(strength.group(1)))
    if not dose:
        ctx.fail(f"{here}.doseQuantity", "a dose in mg is required")
        return None
    if _unit(dose) != "mg":
        ctx.fail(f"{here}.doseQuantity.unit", "mg expected")
        return None
    amount = _positive(ctx, dose.get("value"), f"{here}.doseQuantity.value")
    times = _times_per_day(ctx, dosage.get("timing"), f"{path}.timing")
    if amount is None or times is None:
        return None
    whole = times.is_integer() and 2 <= times <= 6
    return Dose(round(amount * times, 3), amount if whole else None, int(times) if whole else None)


def _start(ctx: Context, resource: dict, kind: str, path: str) -> date | None:
    if kind == "MedicationStatement":
        period = obj(resource.get("effectivePeriod"))
        if "start" in period:
            return day(ctx, period["start"], f"{path}.effectivePeriod.start")
        return day(ctx, resource.get("effectiveDateTime"), f"{path}.effectiveDateTime")
    if kind == "MedicationDispense":
        return day(ctx, resource.get("whenHandedOver"), f"{path}.whenHandedOver")
    bounds = obj(obj(obj(first(resource.get("dosageInstruction")).get("timing")).get("repeat"))
                 .get("boundsPeriod"))
    if "start" in bounds:
        return day(ctx, bounds["start"], f"{path}.dosageInstruction[0].timing.repeat.boundsPeriod"
                                         ".start")
    return day(ctx, resource.get("authoredOn"), f"{path}.authoredOn")


def _supply_days(ctx: Context, duration: Any, path: str) -> float | None:
    duration = obj(duration)
    unit = text(duration.get("code")) or text(duration.get("unit")) or "d"
    if unit not in DURATION_DAYS:
        ctx.fail(f"{path}.unit", "days expected")
        return None
    value = _positive(ctx, duration.get("value"), f"{path}.value")
    if value and value * DURATION_DAYS[unit] > MAX_SUPPLY_DAYS:
        ctx.fail(f"{path}.value", f"at most {MAX_SUPPLY_DAYS} days expected")
        return None
    return value * DURATION_DAYS[unit] if value else None


def _end(ctx: Context, resource: dict, kind: str, path: str, start: date) -> date | None:
    """Return the first day the record no longer covers, or None when it runs on."""
    if kind == "MedicationStatement" and "effectivePeriod" in resource:
        end = inclusive_end(ctx, obj(resource["effectivePeriod"]), f"{path}.effectivePeriod")
        if end is not None:
            return end
    if kind == "MedicationRequest":
        repeat = obj(obj(first(resource.get("dosageInstruction")).get("timing")).get("repeat"))
        end = inclusive_end(ctx, obj(repeat.get("boundsPeriod")),
                            f"{path}.dosageInstruction[0].timing.repeat.boundsPeriod")
        if end is not None:
            return end
        supply = obj(resource.get("dispenseRequest"))
        if "expectedSupplyDuration" in supply:
            days = _supply_days(ctx, supply["expectedSupplyDuration"],
                                f"{path}.dispenseRequest.expectedSupplyDuration")
            repeats = supply.get("numberOfRepeatsAllowed", 0)
            if days and isinstance(repeats, int) and 0 <= repeats <= MAX_REPEATS:
                return start + timedelta(days=round(days * (1 + repeats)))
    if kind == "MedicationDispense" and "daysSupply" in resource:
        days = _supply_days(ctx, resource["daysSupply"], f"{path}.daysSupply")
        if days:
            return start + timedelta(days=round(days))
    if text(resource.get("status")) in ONGOING_STATUSES:
        return None
    ctx.note(f"A {kind} without an end date and not active is taken to cover {DEFAULT_DAYS} days")
    return start + timedelta(days=DEFAULT_DAYS)


def _stop_reason(resource: dict) -> str | None:
    reasons = resource.get("statusReason")
    concepts = reasons if isinstance(reasons, list) else [reasons]
    for concept in concepts:
        for coding in codings(concept):
            if coding.get("system") == STOP_REASONS and isinstance(coding.get("code"), str):
                return coding["code"]
    return None


def _outcome(resource: dict) -> dict[str, str]:
    """Return the adherence and response the app's own export coded, where valid."""
    found = {}
    for key, url, allowed in (("adherence", ADHERENCE, set(Adherence)),
                              ("response", RESPONSE, set(Response))):
        value = text(extension(resource, url, "Code"))
        if value in allowed:
            found[key] = value
    return found


def records(ctx: Context, resource: dict, path: str, agent: str, concept: dict,
            order: int, episode: str | None) -> list[Record]:
    """Return the records one medication resource gives (one per dated dosage step)."""
    kind = resource["resourceType"]
    start = _start(ctx, resource, kind, path)
    if start is None:
        return []
    end = _end(ctx, resource, kind, path, start)
    key = DOSAGE_KEY[kind]
    dosages = resource.get(key) if isinstance(resource.get(key), list) else []
    common = {"agent": agent, "detail": detail(concept), "episode": episode,
              "stop_reason": _stop_reason(resource), "sessions": sessions(resource),
              **_outcome(resource)}
    steps = _dated_steps(ctx, dosages, f"{path}.{key}", end)
    if steps is None:
        dose = None
        if agent != ESKETAMINE:
            dose = daily_dose(ctx, obj(dosages[0]) if dosages else {}, f"{path}.{key}[0]",
                              agent, concept)
        return [Record(start=start, end=end, dose=dose, order=order, **common)]
    return [Record(start=s, end=e, order=order, dose=daily_dose(ctx, d, p, agent, concept),
                   **common) for s, e, d, p in steps]


def _dated_steps(ctx: Context, dosages: list, path: str, end: date | None):
    """Return (start, end, dosage, path) per dosage when every one has its own bounds."""
    bounds = [obj(obj(obj(d).get("timing")).get("repeat")).get("boundsPeriod") for d in dosages]
    if len(dosages) < 2 or not all(isinstance(b, dict) and "start" in b for b in bounds):
        return None
    steps = []
    for i, (dosage, period) in enumerate(zip(dosages, bounds, strict=True)):
        where = f"{path}[{i}].timing.repeat.boundsPeriod"
        start = day(ctx, period["start"], f"{where}.start")
        if start is not None:
            steps.append((start, inclusive_end(ctx, period, where) or end, obj(dosage),
                          f"{path}[{i}]"))
    return steps
