"""What the FHIR readers share: problems by path, codings, dates and resource references."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from tracker.interchange.history import InvalidHistory

DATE_PART = re.compile(r"^(\d{4}-\d{2}-\d{2})")
TREATMENT_KINDS = "urn:trd-tracker:treatment-kind"  # the app's own export codes courses so
SESSIONS = "urn:trd-tracker:sessions"  # ... and counts their sessions in this extension
ADHERENCE, RESPONSE = "urn:trd-tracker:adherence", "urn:trd-tracker:response"
IGNORED_STATUSES = {"entered-in-error", "cancelled", "not-taken", "not-done"}


class InvalidBundle(InvalidHistory):
    """A FHIR Bundle the app cannot read, with every problem by its path in the Bundle."""


@dataclass
class Context:
    """The problems found so far, the report for the preview, and the Bundle's resources."""

    resources: dict[str, dict] = field(default_factory=dict)  # by fullUrl and Type/id
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped_medications: list[str] = field(default_factory=list)
    skipped_resources: dict[str, int] = field(default_factory=dict)

    def fail(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def note(self, message: str) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def skip(self, what: str) -> None:
        self.skipped_resources[what] = self.skipped_resources.get(what, 0) + 1

    def resolve(self, reference: Any, holder: dict) -> dict | None:
        """Return the resource a Reference points at: contained, by fullUrl or by Type/id."""
        ref = reference.get("reference") if isinstance(reference, dict) else None
        if not isinstance(ref, str):
            return None
        if ref.startswith("#"):
            contained = holder.get("contained")
            for item in contained if isinstance(contained, list) else []:
                if isinstance(item, dict) and item.get("id") == ref[1:]:
                    return item
            return None
        return self.resources.get(ref) or self.resources.get("/".join(ref.split("/")[-2:]))


def obj(value: Any) -> dict:
    """Return ``value`` when it is a JSON object, else an empty one (absent elements)."""
    return value if isinstance(value, dict) else {}


def first(value: Any) -> dict:
    """Return the first object of a FHIR list element, or an empty one."""
    return obj(value[0]) if isinstance(value, list) and value else {}


def text(value: Any) -> str | None:
    """Return ``value`` when it is a string, else None (a malformed element reads as absent)."""
    return value if isinstance(value, str) else None


def codings(concept: Any) -> list[dict]:
    """Return the codings of a CodeableConcept as {system, code, display}, each text or None."""
    found = obj(concept).get("coding")
    return [{key: text(c.get(key)) for key in ("system", "code", "display")}
            for c in (found if isinstance(found, list) else []) if isinstance(c, dict)]


def has_code(concept: Any, system: str, codes: set[str] | tuple[str, ...]) -> str | None:
    """Return the first code of ``concept`` in ``system`` among ``codes``, or None."""
    for coding in codings(concept):
        if coding.get("system") == system and coding.get("code") in codes:
            return coding["code"]
    return None


def texts(concept: Any) -> list[str]:
    """Return the displays of a CodeableConcept's codings, then its text."""
    found = [c["display"] for c in codings(concept) if isinstance(c.get("display"), str)]
    text = obj(concept).get("text")
    return [*found, text] if isinstance(text, str) else found


def day(ctx: Context, value: Any, path: str) -> date | None:
    """Return the date part of a FHIR date or dateTime as written (no time-zone shift)."""
    match = DATE_PART.match(value) if isinstance(value, str) else None
    if match is None:
        ctx.fail(path, "a full date YYYY-MM-DD expected")
        return None
    try:
        return date.fromisoformat(match.group(1))
    except ValueError:
        ctx.fail(path, f"{match.group(1)} is not a calendar date")
        return None


def inclusive_end(ctx: Context, period: dict, path: str) -> date | None:
    """Return the first day after a period's inclusive end, or None without an end."""
    if period.get("end") is None:
        return None
    end = day(ctx, period["end"], f"{path}.end")
    return end + timedelta(days=1) if end else None


def own_kind(concept: Any) -> str | None:
    """Return the treatment kind the app's own export coded a concept with, or None."""
    return next((c.get("code") for c in codings(concept) if c.get("system") == TREATMENT_KINDS),
                None)


def detail(concept: Any) -> str:
    """Return a course's detail: the concept's text, else (not the app's own) its first display."""
    text = obj(concept).get("text")
    if isinstance(text, str) or own_kind(concept) is not None:
        return text if isinstance(text, str) else ""
    return next(iter(texts(concept)), "")


def extension(resource: dict, url: str, kind: str) -> Any:
    """Return the ``value<kind>`` of the resource's extension ``url``, or None."""
    found = resource.get("extension")
    for item in found if isinstance(found, list) else []:
        if obj(item).get("url") == url:
            return obj(item).get(f"value{kind}")
    return None


def sessions(resource: dict) -> int | None:
    """Return the number of sessions the app's own extension gives, or None."""
    value = extension(resource, SESSIONS, "Integer")
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
        else None


def ignored(resource: dict) -> bool:
    """Say whether a resource's status says it never happened or was entered in error."""
    return text(resource.get("status")) in IGNORED_STATUSES
