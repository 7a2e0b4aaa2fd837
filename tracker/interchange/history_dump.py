"""Writing a history document: ``dump`` returns the canonical JSON form that ``parse`` reads
back (``tracker.interchange.history``, format 1.1)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tracker.interchange import history_details as v11
from tracker.interchange.history import FORMAT, Document
from tracker.interchange.history_details import Details
from tracker.rules import Measurement, Treatment, Trial


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def dump(document: Document) -> dict:
    """Return the canonical JSON form of a history (the inverse of ``parse``)."""
    p, h = document.patient, document.history
    return {
        "format": FORMAT,
        "patient": {"mrn": p.mrn, "name": p.name, "birth_date": p.birth_date.isoformat(),
                    "sex": p.sex},
        "episodes": [
            {"key": e.key, "onset": e.onset.isoformat(), "remission": _iso(e.remission),
             "severity": e.severity, "psychotic": e.psychotic,
             "icd10": document.details.episode_icd10(i)}
            for i, e in enumerate(h.episodes)
        ],
        "trials": [
            _dump_trial(t, notes, document.details, i)
            for i, (t, notes) in enumerate(zip(h.trials, document.notes, strict=True))
        ],
        "measurements": [_dump_measurement(m) for m in h.measurements],
        "treatments": [_dump_treatment(t, document.details.modality(i))
                       for i, t in enumerate(h.treatments)],
    }


def _dump_trial(t: Trial, notes: str, details: Details, i: int) -> dict:
    out: dict[str, Any] = {"drug": t.agent.generic}
    if details.formulation(i):
        out["formulation"] = details.formulation(i)
    if t.episode is not None:
        out["episode"] = t.episode
    out.update(
        doses=[{"from": s.start.isoformat(), "mg_per_day": v11.number(s.mg_per_day),
                **v11.dump_regimen(details.regimen(i, j))} for j, s in enumerate(t.doses)],
        stopped=_iso(t.stopped), stop_reason=t.stop_reason, adherence=t.adherence,
        response=t.response, notes=notes,
    )
    return out


def _dump_measurement(m: Measurement) -> dict:
    out: dict[str, Any] = {"date": m.day.isoformat(), "instrument": m.instrument,
                           "score": m.score}
    if m.items is not None:
        out["items"] = list(m.items)
    return out


def _dump_treatment(t: Treatment, modality: str | None) -> dict:
    out: dict[str, Any] = {"kind": t.kind, "detail": t.detail, "start": t.start.isoformat(),
                           "end": _iso(t.end), "sessions": t.sessions}
    if t.episode is not None:
        out["episode"] = t.episode
    if t.kind == "ECT":
        out["laterality"] = t.laterality
    if modality is not None:
        out["modality"] = modality
    return out
