"""One reader for every way a history comes in: a history file or a FHIR R4 Bundle.

``trd assess``, ``trd import``, ``trd coverage`` and the web import all call ``read_document``
(bytes) or ``read_history`` (parsed JSON), so each format is read the same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tracker.interchange.fhir.reader import is_bundle, read_bundle
from tracker.interchange.history import Document, InvalidHistory, parse
from tracker.interchange.json_reader import UnreadableDocument, load_document


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


def read_document(content: bytes) -> Reading:
    """Read a history file's or Bundle's bytes; raise ``InvalidHistory`` with every problem.

    The edges of ``json_reader.load_document``: a byte-order mark is accepted; over 2 MiB,
    nesting over 32 levels or numbers of over 20 digits are refused, as a problem with the
    whole document (``$``).
    """
    try:
        raw = load_document(content)
    except UnreadableDocument as error:
        raise InvalidHistory([f"$: {error}"]) from None
    return read_history(raw)
