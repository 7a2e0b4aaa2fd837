"""Reading a FHIR R4 Bundle into a treatment-history document (``shared/formats/fhir-import.md``).

``read_bundle`` returns the history document (the dict ``tracker.interchange.history.parse``
validates) with the preview's report: medications skipped, resources skipped by kind, and notes
on what was assumed. A Bundle the app cannot read raises ``InvalidBundle`` with every problem
named by its path in the Bundle, so nothing is partly taken in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.catalogue import Catalogue, default_catalogue
from tracker.interchange.fhir import clinical
from tracker.interchange.fhir.common import (
    Context,
    InvalidBundle,
    codings,
    first,
    ignored,
    obj,
    text,
    texts,
)
from tracker.interchange.fhir.courses import courses
from tracker.interchange.fhir.medications import Record, identify, medication, records

BUNDLE_TYPES = {"collection", "searchset", "transaction", "document"}
MEDICATION_TYPES = {"MedicationStatement", "MedicationRequest", "MedicationDispense"}
MR_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
GENDERS = {"female", "male", "other", "unknown"}
FORMAT, FORMAT_1_1 = "trd-history/1", "trd-history/1.1"
# Keys only a version 1.1 document may hold (history-v1.md, "Version 1.1").
KEYS_1_1 = {"episodes": {"icd10"}, "measurements": {"items"},
            "treatments": {"laterality", "modality"}}

__all__ = ["BundleReading", "InvalidBundle", "is_bundle", "read_bundle"]


@dataclass
class BundleReading:
    """A Bundle read as a history document, with what the preview reports beside it."""

    document: dict
    skipped_medications: list[str] = field(default_factory=list)
    skipped_resources: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def is_bundle(raw: Any) -> bool:
    """Say whether a JSON document is a FHIR Bundle (rather than a history file)."""
    return isinstance(raw, dict) and raw.get("resourceType") == "Bundle"


def _entries(ctx: Context, raw: dict) -> list[tuple[str, dict]]:
    """Return (path, resource) of every entry, indexing them by fullUrl and Type/id."""
    if text(raw.get("type")) not in BUNDLE_TYPES:
        ctx.fail("type", f"one of {', '.join(sorted(BUNDLE_TYPES))} expected")
    entries = raw.get("entry", [])
    if not isinstance(entries, list):
        ctx.fail("entry", "a list expected")
        return []
    found = []
    for i, entry in enumerate(entries):
        resource = obj(entry).get("resource")
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            ctx.fail(f"entry[{i}].resource", "a resource with a resourceType expected")
            continue
        if isinstance(entry.get("fullUrl"), str):
            ctx.resources[entry["fullUrl"]] = resource
        if isinstance(resource.get("id"), str):
            ctx.resources[f"{resource['resourceType']}/{resource['id']}"] = resource
        found.append((f"entry[{i}].resource", resource))
    return found


def _patient(ctx: Context, entries: list[tuple[str, dict]]) -> dict | None:
    patients = [(p, r) for p, r in entries if r["resourceType"] == "Patient"]
    if len(patients) != 1:
        ctx.fail("entry", f"exactly one Patient expected, found {len(patients)}")
        return None
    path, patient = patients[0]
    identifiers = [i for i in patient.get("identifier", []) if isinstance(i, dict)] \
        if isinstance(patient.get("identifier"), list) else []
    chosen = next((i for i in identifiers if any(
        c["system"] == MR_TYPE and c["code"] == "MR" for c in codings(i.get("type")))),
        identifiers[0] if identifiers else {})
    mrn = chosen.get("value")
    if not isinstance(mrn, str) or not mrn.strip():
        ctx.fail(f"{path}.identifier", "an identifier (the MRN) is required")
    name = first(patient.get("name"))
    given = name.get("given") if isinstance(name.get("given"), list) else []
    full = text(name.get("text")) or " ".join(
        [*(g for g in given if isinstance(g, str)), text(name.get("family")) or ""])
    if not full.strip():
        ctx.fail(f"{path}.name", "a name (text, or given and family) is required")
    if not isinstance(patient.get("birthDate"), str) or len(patient["birthDate"]) != 10:
        ctx.fail(f"{path}.birthDate", "a full birth date YYYY-MM-DD is required")
    gender = text(patient.get("gender", "unknown"))
    if gender not in GENDERS:
        ctx.fail(f"{path}.gender", f"one of {', '.join(sorted(GENDERS))} expected")
    return {"mrn": mrn.strip() if isinstance(mrn, str) else mrn,
            "name": full.strip(),
            "birth_date": patient.get("birthDate"), "sex": gender}


def _episodes(ctx: Context, entries, keys: dict[int, str]) -> list[dict]:
    found = []
    for path, resource in entries:
        if resource["resourceType"] != "Condition":
            continue
        if not clinical.is_depression(resource):
            ctx.skip("Condition (not depression)")
            continue
        episode = clinical.episode(ctx, resource, path)
        if episode is not None:
            found.append((episode, resource))
    found.sort(key=lambda pair: pair[0]["onset"])
    for n, (_, resource) in enumerate(found, start=1):
        keys[id(resource)] = f"e{n}"
    return [{"key": keys[id(r)], **e} for e, r in found]


def _medications(ctx: Context, entries, keys: dict[int, str],
                 catalogue: Catalogue) -> list[Record]:
    found: list[Record] = []
    for order, (path, resource) in enumerate(entries):
        if resource["resourceType"] not in MEDICATION_TYPES:
            continue
        if ignored(resource):
            ctx.skip(f"{resource['resourceType']} entered in error, cancelled or not taken")
            continue
        concept = medication(ctx, resource)
        agent = identify(concept, catalogue)
        if agent is None:
            name = next(iter(texts(concept)[::-1]), "a medication without a name")
            if name not in ctx.skipped_medications:
                ctx.skipped_medications.append(name)
            continue
        episode = clinical.reason_episode(ctx, resource, keys)
        for record in records(ctx, resource, path, agent, concept, order, episode):
            if record.end is not None and record.end <= record.start:
                ctx.fail(path, "the period ends before it starts")
            else:
                found.append(record)
    return found


def _scores_and_treatments(ctx: Context, entries, keys) -> tuple[list[dict], list[dict]]:
    scores, treatments, used = [], [], set()
    # Panels first, so that a total also given as a panel member is not read twice.
    panels_first = sorted(entries, key=lambda pair: not clinical.is_phq9_panel(pair[1]))
    for path, resource in panels_first:
        kind = resource["resourceType"]
        if kind not in ("Observation", "Procedure") or id(resource) in used:
            continue
        if ignored(resource):
            ctx.skip(f"{kind} entered in error, cancelled or not done")
        elif kind == "Observation":
            score = clinical.measurement(ctx, resource, path, used)
            scores += [score] if score else []
        else:
            course = clinical.treatment(ctx, resource, path, keys)
            treatments += [course] if course else []
    return scores, treatments


def _skip_others(ctx: Context, entries) -> None:
    known = {"Patient", "Condition", "Observation", "Procedure", "Medication", *MEDICATION_TYPES}
    for _, resource in entries:
        if resource["resourceType"] not in known:
            ctx.skip(resource["resourceType"])


def _format(document: dict) -> str:
    """Return the oldest format version that holds every key the document uses."""
    steps = (s for t in document["trials"] for s in t["doses"])
    uses_1_1 = any("times_per_day" in s for s in steps) or any(
        key in row for part, extra in KEYS_1_1.items() for row in document[part] for key in extra)
    return FORMAT_1_1 if uses_1_1 else FORMAT


def read_bundle(raw: Any, catalogue: Catalogue | None = None) -> BundleReading:
    """Read a FHIR R4 Bundle into a history document; raise ``InvalidBundle`` with every problem."""
    catalogue = catalogue or default_catalogue()
    ctx = Context()
    if not is_bundle(raw):
        raise InvalidBundle(["resourceType: Bundle expected"])
    entries = _entries(ctx, raw)
    patient = _patient(ctx, entries)
    keys: dict[int, str] = {}
    episodes = _episodes(ctx, entries, keys)
    meds = _medications(ctx, entries, keys, catalogue)
    scores, treatments = _scores_and_treatments(ctx, entries, keys)
    _skip_others(ctx, entries)
    if ctx.problems:
        raise InvalidBundle(ctx.problems)
    trials, esketamine = courses(meds)
    document = {
        "format": FORMAT, "patient": patient, "episodes": episodes, "trials": trials,
        "measurements": sorted(scores, key=lambda m: (m["date"], m["instrument"])),
        "treatments": sorted([*treatments, *esketamine], key=lambda t: (t["start"], t["kind"])),
    }
    document["format"] = _format(document)
    return BundleReading(document, ctx.skipped_medications, ctx.skipped_resources, ctx.notes)
