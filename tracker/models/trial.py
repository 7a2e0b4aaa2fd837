"""Antidepressant and augmentation trials with their ordered dose steps."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tracker.extensions import db
from tracker.rules.vocab import Adherence, Response, StopReason
from tracker.vocab import MAX_FORMULATION

from .record import EnteredInError
from .types import enum_column

if TYPE_CHECKING:
    from .patient import Episode, Patient


class Trial(EnteredInError, db.Model):
    """One drug given to a patient. Augmentation agents are trials too (the catalogue says)."""

    __tablename__ = "trials"
    __table_args__ = (
        CheckConstraint("stopped IS NULL OR stopped > started", name="stopped_after_first_dose"),
        CheckConstraint("stop_reason IS NULL OR stopped IS NOT NULL", name="reason_needs_stop"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), index=True
    )
    episode_id: Mapped[int | None] = mapped_column(
        ForeignKey("episodes.id", ondelete="SET NULL"),
        comment="null: the episode whose window holds the first dose date",
    )
    drug: Mapped[str] = mapped_column(String(100), comment="generic name from the catalogue")
    started: Mapped[date] = mapped_column(comment="first dose date, kept equal to the first step")
    stopped: Mapped[date | None] = mapped_column(comment="null while the trial is running")
    stop_reason: Mapped[StopReason | None] = mapped_column(enum_column(StopReason, "stop_reason"))
    adherence: Mapped[Adherence] = mapped_column(
        enum_column(Adherence, "adherence"), default=Adherence.UNKNOWN
    )
    response: Mapped[Response] = mapped_column(
        enum_column(Response, "response"), default=Response.UNKNOWN
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    formulation: Mapped[str] = mapped_column(
        String(MAX_FORMULATION), default="", server_default="",
        comment="release form as prescribed (XR, SR, ODT ...); empty when not recorded")
    above_max_confirmed: Mapped[bool] = mapped_column(
        default=False, server_default=false(),
        comment="the clinician confirmed a daily dose above the label maximum")
    version: Mapped[int] = mapped_column(default=1, comment="optimistic lock against lost edits")

    patient: Mapped[Patient] = relationship(back_populates="trials")
    episode: Mapped[Episode | None] = relationship()
    doses: Mapped[list[DoseStep]] = relationship(
        back_populates="trial", cascade="all, delete-orphan", order_by="DoseStep.start",
        lazy="selectin",
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Trial {self.drug} from {self.started}>"


class DoseStep(db.Model):
    """A daily dose taken from ``start`` until the next step or the stop date."""

    __tablename__ = "dose_steps"
    __table_args__ = (
        UniqueConstraint("trial_id", "start", name="uq_dose_steps_trial_start"),
        CheckConstraint("mg_per_day > 0", name="dose_positive"),
        CheckConstraint("(amount_mg IS NULL AND times_per_day IS NULL) OR "
                        "(amount_mg > 0 AND times_per_day BETWEEN 1 AND 6)",
                        name="amount_with_times"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trial_id: Mapped[int] = mapped_column(ForeignKey("trials.id", ondelete="CASCADE"), index=True)
    start: Mapped[date]
    mg_per_day: Mapped[float] = mapped_column(Float, comment="the daily total the rules use")
    amount_mg: Mapped[float | None] = mapped_column(
        Float, comment="mg per administration, as prescribed; null when only the total is known")
    times_per_day: Mapped[int | None] = mapped_column(comment="administrations a day (1-6)")

    trial: Mapped[Trial] = relationship(back_populates="doses")


@event.listens_for(Session, "before_flush")
def _sync_first_dose(session: Session, _context, _instances) -> None:
    """Keep ``Trial.started`` equal to the first dose step, so the database can check stops."""
    for obj in list(session.new) + list(session.dirty):
        trial = obj if isinstance(obj, Trial) else getattr(obj, "trial", None)
        if isinstance(trial, Trial) and trial.doses:
            first = min(step.start for step in trial.doses)
            if trial.started != first:
                trial.started = first
