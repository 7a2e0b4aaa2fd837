"""Episodes, scores and non-drug treatments out of Conditions, Observations and Procedures."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from tracker.codes import ICD10_SYSTEM, LOCAL_INSTRUMENTS, LOINC_SYSTEM, SNOMED_SYSTEM
from tracker.interchange.fhir.common import (
    Context,
    codings,
    day,
    detail,
    obj,
    own_kind,
    sessions,
    texts,
)
from tracker.rules.vocab import SCORE_RANGES, Instrument

DEPRESSION_SNOMED = {"370143000", "36923009", "66344007"}
ICD10_SYSTEMS = {ICD10_SYSTEM, "http://hl7.org/fhir/sid/icd-10-cm"}
ICD10_DEPRESSION = re.compile(r"^F3[23](\.[0-9A-Z]{1,2})?$")
PSYCHOTIC_ICD10 = {"F32.3", "F33.3"}
SEVERITY_SNOMED = {"255604002": "mild", "6736007": "moderate", "24484000": "severe"}
SEVERITY_WORDS = re.compile(r"\b(subsyndromal|mild|moderate|severe)\b", re.IGNORECASE)
NOT_CONFIRMED = {"entered-in-error", "refuted"}
PHQ9_TOTAL, PHQ9_PANEL = "44261-6", "44249-1"
# The nine PHQ-9 item questions in form order (LOINC panel 44249-1; item 9 is 44260-8).
PHQ9_ITEMS = ("44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5",
              "44253-3", "44260-8")
PHQ9_ANSWERS = {"LA6568-5": 0, "LA6569-3": 1, "LA6570-1": 2, "LA6571-9": 3}
INSTRUMENT_TEXT = [
    (Instrument.PHQ9, re.compile(r"\bPHQ-?9\b", re.IGNORECASE)),
    (Instrument.MADRS, re.compile(r"\bMADRS\b|Montgomery", re.IGNORECASE)),
    (Instrument.HAMD17, re.compile(r"\bHAM-?D(-?17)?\b|Hamilton", re.IGNORECASE)),
    (Instrument.QIDS_SR16, re.compile(r"\bQIDS", re.IGNORECASE)),
]
ECT_SNOMED, PSYCHOTHERAPY_SNOMED = "23835007", "75516001"
ECT_TEXT = re.compile(r"electroconvulsive|\bECT\b", re.IGNORECASE)
RTMS_TEXT = re.compile(r"transcranial magnetic stimulation|\br?TMS\b", re.IGNORECASE)
MODALITIES = [
    ("CBASP", r"\bCBASP\b"), ("MBCT", r"\bMBCT\b|mindfulness"), ("DBT", r"\bDBT\b|dialectical"),
    ("CBT", r"\bCBT\b|cognitive[- ]behavio"), ("IPT", r"\bIPT\b|interpersonal"),
    ("BA", r"\bBA\b|behaviou?ral activation"), ("PST", r"\bPST\b|problem[- ]solving"),
    ("psychodynamic", r"psychodynamic"), ("supportive", r"supportive"),
]
LATERALITY = re.compile(r"\b(bilateral|unilateral)\b", re.IGNORECASE)


def _icd10(concept: Any) -> str | None:
    for coding in codings(concept):
        code = coding.get("code")
        if coding.get("system") in ICD10_SYSTEMS and isinstance(code, str) \
                and ICD10_DEPRESSION.match(code):
            return code
    return None


def is_depression(condition: dict) -> bool:
    """Say whether a Condition codes major depression (SNOMED CT or ICD-10-CM F32/F33)."""
    concept = condition.get("code")
    snomed = any(c.get("system") == SNOMED_SYSTEM and c.get("code") in DEPRESSION_SNOMED
                 for c in codings(concept))
    return snomed or _icd10(concept) is not None


def _severity(ctx: Context, condition: dict) -> str:
    concept = condition.get("severity")
    for coding in codings(concept):
        if coding.get("system") == SNOMED_SYSTEM and coding.get("code") in SEVERITY_SNOMED:
            return SEVERITY_SNOMED[coding["code"]]
    for text in texts(concept):  # the app's own export names the severity in words
        match = SEVERITY_WORDS.search(text)
        if match:
            return match.group(1).lower()
    ctx.note("Condition without severity taken as moderate")
    return "moderate"


def episode(ctx: Context, condition: dict, path: str) -> dict | None:
    """Return the episode a depression Condition gives (without its key), or None to ignore."""
    status = [c.get("code") for c in codings(condition.get("verificationStatus"))]
    if NOT_CONFIRMED & set(status):
        ctx.skip("Condition entered in error or refuted")
        return None
    if "onsetDateTime" in condition:
        onset = day(ctx, condition["onsetDateTime"], f"{path}.onsetDateTime")
    else:
        onset = day(ctx, obj(condition.get("onsetPeriod")).get("start"),
                    f"{path}.onsetPeriod.start")
    remission = None
    if "abatementDateTime" in condition:
        remission = day(ctx, condition["abatementDateTime"], f"{path}.abatementDateTime")
    elif "abatementPeriod" in condition:
        remission = day(ctx, obj(condition["abatementPeriod"]).get("start"),
                        f"{path}.abatementPeriod.start")
    icd10 = _icd10(condition.get("code"))
    words = " ".join(texts(condition.get("severity")))
    psychotic = icd10 in PSYCHOTIC_ICD10 or "psychotic features" in words.lower()
    found = {"onset": onset.isoformat() if onset else None,
             "remission": remission.isoformat() if remission else None,
             "severity": _severity(ctx, condition), "psychotic": psychotic}
    if icd10:
        found["icd10"] = icd10
    return found if onset else None


def _instrument(concept: Any) -> Instrument | None:
    for coding in codings(concept):
        if coding.get("system") == LOINC_SYSTEM and coding.get("code") == PHQ9_TOTAL:
            return Instrument.PHQ9
        if coding.get("system") == LOCAL_INSTRUMENTS and coding.get("code") in list(Instrument):
            return Instrument(coding["code"])
    text = obj(concept).get("text")
    for instrument, pattern in INSTRUMENT_TEXT:
        if isinstance(text, str) and pattern.search(text):
            return instrument
    return None


def _loinc(concept: Any) -> str | None:
    return next((c.get("code") for c in codings(concept) if c.get("system") == LOINC_SYSTEM), None)


def _value(ctx: Context, holder: dict, path: str, low: int, high: int) -> int | None:
    """Return a whole-number score from valueInteger, valueQuantity or a LOINC answer."""
    if "valueInteger" in holder:
        value, where = holder["valueInteger"], f"{path}.valueInteger"
    elif "valueQuantity" in holder:
        value, where = obj(holder["valueQuantity"]).get("value"), f"{path}.valueQuantity.value"
    elif "valueCodeableConcept" in holder:
        answer = next((PHQ9_ANSWERS[c["code"]] for c in codings(holder["valueCodeableConcept"])
                       if c.get("code") in PHQ9_ANSWERS), None)
        value, where = answer, f"{path}.valueCodeableConcept"
    else:
        ctx.fail(path, "a value (valueInteger or valueQuantity) is required")
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        ctx.fail(where, f"a whole number from {low} to {high} expected")
        return None
    return value


def _observation_day(ctx: Context, observation: dict, path: str) -> date | None:
    if "effectiveDateTime" not in observation and "effectivePeriod" in observation:
        return day(ctx, obj(observation["effectivePeriod"]).get("start"),
                   f"{path}.effectivePeriod.start")
    return day(ctx, observation.get("effectiveDateTime"), f"{path}.effectiveDateTime")


def _panel_items(ctx: Context, panel: dict, path: str, used: set[int]) -> dict[str, tuple]:
    """Return {LOINC: (holder, path)} of a PHQ-9 panel's components and members."""
    found: dict[str, tuple] = {}
    components = panel.get("component") if isinstance(panel.get("component"), list) else []
    for i, component in enumerate(components):
        found.setdefault(_loinc(obj(component).get("code")), (obj(component),
                                                               f"{path}.component[{i}]"))
    members = panel.get("hasMember") if isinstance(panel.get("hasMember"), list) else []
    for i, reference in enumerate(members):
        member = ctx.resolve(reference, panel)
        if member is not None:
            used.add(id(member))
            found.setdefault(_loinc(member.get("code")), (member, f"{path}.hasMember[{i}]"))
    return found


def phq9_panel(ctx: Context, panel: dict, path: str, used: set[int]) -> dict | None:
    """Return the PHQ-9 score of a panel (44249-1): its total and, when all nine, its items."""
    parts = _panel_items(ctx, panel, path, used)
    items = [_value(ctx, *parts[code], 0, 3) if code in parts else None for code in PHQ9_ITEMS]
    if PHQ9_TOTAL in parts:
        total = _value(ctx, *parts[PHQ9_TOTAL], *SCORE_RANGES[Instrument.PHQ9])
    elif any(k in panel for k in ("valueInteger", "valueQuantity")):
        total = _value(ctx, panel, path, *SCORE_RANGES[Instrument.PHQ9])
    elif None not in items:
        total = sum(items)
    else:
        ctx.fail(path, "a PHQ-9 panel needs its total (44261-6) or all nine item answers")
        return None
    taken = _observation_day(ctx, panel, path)
    if total is None or taken is None:
        return None
    score = {"date": taken.isoformat(), "instrument": "PHQ-9", "score": total}
    if None not in items:
        if sum(items) != total:
            ctx.fail(path, f"the nine item answers add up to {sum(items)}, not the total {total}")
        score["items"] = items
    elif any(i is not None for i in items):
        ctx.note("A PHQ-9 panel without all nine item answers was read as its total only")
    return score


def is_phq9_panel(resource: dict) -> bool:
    """Say whether a resource is a PHQ-9 panel Observation (LOINC 44249-1)."""
    return resource.get("resourceType") == "Observation" and any(
        c.get("system") == LOINC_SYSTEM and c.get("code") == PHQ9_PANEL
        for c in codings(resource.get("code")))


def measurement(ctx: Context, observation: dict, path: str, used: set[int]) -> dict | None:
    """Return the score an Observation records, or None when it is not a known total."""
    if is_phq9_panel(observation):
        return phq9_panel(ctx, observation, path, used)
    instrument = _instrument(observation.get("code"))
    if instrument is None:
        ctx.skip("Observation (not a depression score)")
        return None
    score = _value(ctx, observation, path, *SCORE_RANGES[instrument])
    taken = _observation_day(ctx, observation, path)
    if score is None or taken is None:
        return None
    return {"date": taken.isoformat(), "instrument": str(instrument), "score": score}


def _kind(procedure: dict) -> tuple[str, dict] | None:
    concept = procedure.get("code")
    if own_kind(concept) in {"ECT", "rTMS", "psychotherapy", "other"}:
        return own_kind(concept), {}
    words = " ".join(texts(concept))
    snomed = {c.get("code") for c in codings(concept) if c.get("system") == SNOMED_SYSTEM}
    if ECT_SNOMED in snomed or ECT_TEXT.search(words):
        side = LATERALITY.search(words)
        return "ECT", ({"laterality": side.group(1).lower()} if side else {})
    if RTMS_TEXT.search(words):
        return "rTMS", {}
    modality = next((m for m, pattern in MODALITIES if re.search(pattern, words, re.I)), None)
    if PSYCHOTHERAPY_SNOMED in snomed or modality or re.search("psychotherapy", words, re.I):
        return "psychotherapy", ({"modality": modality} if modality else {})
    return None


def treatment(ctx: Context, procedure: dict, path: str, keys: dict[int, str]) -> dict | None:
    """Return the treatment course a Procedure records, or None when it is not one."""
    kind = _kind(procedure)
    if kind is None:
        ctx.skip("Procedure (not a depression treatment)")
        return None
    if "performedPeriod" in procedure:
        period = obj(procedure["performedPeriod"])
        start = day(ctx, period.get("start"), f"{path}.performedPeriod.start")
        end = day(ctx, period["end"], f"{path}.performedPeriod.end") if "end" in period else None
    else:
        start = day(ctx, procedure.get("performedDateTime"), f"{path}.performedDateTime")
        end = start
    if start is None:
        return None
    course = {"kind": kind[0], "detail": detail(procedure.get("code")),
              "start": start.isoformat(), "end": end.isoformat() if end else None,
              "sessions": sessions(procedure), **kind[1]}
    episode = reason_episode(ctx, procedure, keys)
    if episode:
        course["episode"] = episode
    return course


def reason_episode(ctx: Context, resource: dict, keys: dict[int, str]) -> str | None:
    """Return the key of the first depression episode a resource gives as its reason."""
    reasons = resource.get("reasonReference")
    for reference in reasons if isinstance(reasons, list) else []:
        target = ctx.resolve(reference, resource)
        if target is not None and id(target) in keys:
            return keys[id(target)]
    return None
