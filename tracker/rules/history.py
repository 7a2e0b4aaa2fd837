"""The inputs of the rule engine: a patient's treatment history as frozen dataclasses.

Drug names are already resolved: every trial carries the catalogue's ``Agent`` (generic name,
class, role and minimum adequate dose), so the rules never read a table themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .vocab import AgentRole


@dataclass(frozen=True)
class Agent:
    """A drug as the catalogue knows it."""

    generic: str
    drug_class: str
    role: AgentRole
    min_adequate_mg_per_day: float | None = None
    rxcui: str | None = None
    max_mg_per_day: float | None = None  # the label maximum for depression, any formulation

    @property
    def is_antidepressant(self) -> bool:
        return self.role is AgentRole.ANTIDEPRESSANT


@dataclass(frozen=True)
class DoseStep:
    """A daily dose taken from ``start`` until the next step, the stop date or the as-of date."""

    start: date
    mg_per_day: float


@dataclass(frozen=True)
class Trial:
    """One drug given to the patient, with its dose steps in date order."""

    agent: Agent
    doses: tuple[DoseStep, ...]
    stopped: date | None = None
    stop_reason: str | None = None
    adherence: str = "unknown"
    response: str = "unknown"
    episode: str | None = None

    @property
    def started(self) -> date:
        return self.doses[0].start


@dataclass(frozen=True)
class Episode:
    """A depressive episode; ``remission`` is None while it is current."""

    key: str
    onset: date
    remission: date | None = None
    severity: str = "moderate"
    psychotic: bool = False

    def holds(self, day: date) -> bool:
        """Say whether ``day`` lies in the window [onset, remission] (remission inclusive)."""
        return self.onset <= day and (self.remission is None or day <= self.remission)


@dataclass(frozen=True)
class Measurement:
    """A total score on one rating instrument."""

    day: date
    instrument: str
    score: int
    items: tuple[int, ...] | None = None  # a PHQ-9's nine item answers (0-3), when recorded


@dataclass(frozen=True)
class Treatment:
    """A non-drug treatment course: ECT, rTMS, esketamine, psychotherapy or other."""

    kind: str
    start: date
    end: date | None = None
    sessions: int | None = None
    episode: str | None = None
    detail: str = ""
    laterality: str = "unknown"  # ECT only: bilateral, unilateral or unknown (never parsed)
    modality: str | None = None  # psychotherapy only: CBT, IPT, BA, ... (history format 1.1)


@dataclass(frozen=True)
class History:
    """Everything the rules need to know about one patient."""

    episodes: tuple[Episode, ...] = ()
    trials: tuple[Trial, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    treatments: tuple[Treatment, ...] = field(default=())
    birth_date: date | None = None  # for age criteria of coverage policies
