"""Symptom scores and non-drug treatments."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.rules.vocab import SCORE_RANGES, Instrument, TreatmentKind
from tracker.vocab import Laterality, Modality

from .record import EnteredInError
from .types import enum_column

if TYPE_CHECKING:
    from .patient import Episode, Patient

_SCORE_IN_RANGE = " OR ".join(
    f"(instrument = '{i.value}' AND score BETWEEN {low} AND {high})"
    for i, (low, high) in SCORE_RANGES.items()
)


class Measurement(EnteredInError, db.Model):
    """A total score on PHQ-9, MADRS, HAMD-17 or QIDS-SR16."""

    __tablename__ = "measurements"
    __table_args__ = (
        CheckConstraint(_SCORE_IN_RANGE, name="score_in_range"),
        Index("ix_measurements_patient_day", "patient_id", "taken_on"),
        CheckConstraint("items IS NULL OR (instrument = 'PHQ-9' AND length(items) = 9)",
                        name="items_of_phq9"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    taken_on: Mapped[date]
    instrument: Mapped[Instrument] = mapped_column(enum_column(Instrument, "instrument"))
    score: Mapped[int]
    items: Mapped[str | None] = mapped_column(
        String(9), comment="a PHQ-9's nine item answers as digits 0-3, e.g. 332221101")

    patient: Mapped[Patient] = relationship(back_populates="measurements")

    @property
    def item_answers(self) -> tuple[int, ...] | None:
        """Return the PHQ-9 item answers in item order, or None when only the total is known."""
        return tuple(int(c) for c in self.items) if self.items else None

    def __repr__(self) -> str:
        return f"<Measurement {self.instrument} {self.score} on {self.taken_on}>"


class Treatment(EnteredInError, db.Model):
    """A course of ECT, rTMS, esketamine, psychotherapy or another treatment."""

    __tablename__ = "treatments"
    __table_args__ = (
        CheckConstraint('"end" IS NULL OR "end" >= start', name="end_after_start"),
        CheckConstraint("sessions IS NULL OR sessions >= 0", name="sessions_not_negative"),
        CheckConstraint("laterality IS NULL OR kind = 'ECT'", name="laterality_of_ect"),
        CheckConstraint("modality IS NULL OR kind = 'psychotherapy'",
                        name="modality_of_psychotherapy"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    episode_id: Mapped[int | None] = mapped_column(ForeignKey("episodes.id", ondelete="SET NULL"))
    kind: Mapped[TreatmentKind] = mapped_column(enum_column(TreatmentKind, "treatment_kind"))
    detail: Mapped[str] = mapped_column(String(2000), default="")
    start: Mapped[date]
    end: Mapped[date | None]
    sessions: Mapped[int | None]
    laterality: Mapped[Laterality | None] = mapped_column(
        enum_column(Laterality, "laterality"), comment="ECT only; null for other kinds")
    modality: Mapped[Modality | None] = mapped_column(
        enum_column(Modality, "modality"), comment="psychotherapy only; null for other kinds")

    patient: Mapped[Patient] = relationship(back_populates="treatments")
    episode: Mapped[Episode | None] = relationship()
