"""One reader for every way a history comes in: a history file or a FHIR R4 Bundle.

``trd assess``, ``trd import`` and the web import all call ``read_history``, so each format is
read the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.interchange.fhir.reader import is_bundle, read_bundle
from tracker.interchange.history import Document, parse


@dataclass(frozen=True)
class Reading:
    """A valid history, the document it was read as, and what a Bundle's reading reported."""

    document: Document
    raw: dict  # the history document (for a Bundle: the one it was read into)
    source: str  # "history" or "fhir"
    skipped_medications: list[str] = field(default_factory=list)
    skipped_resources: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def read_history(raw: Any) -> Reading:
    """Validate a history document or read a Bundle; raise ``InvalidHistory`` with every problem."""
    if not is_bundle(raw):
        return Reading(parse(raw), raw, "history")
    reading = read_bundle(raw)
    return Reading(parse(reading.document), reading.document, "fhir",
                   reading.skipped_medications, reading.skipped_resources, reading.notes)
