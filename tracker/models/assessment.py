"""Each patient's current verdict under the default profile, stored so the panel reads it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class StoredAssessment(db.Model):
    """The last assessment of a patient, recomputed in every transaction that changes them.

    ``computed_on`` is the as-of date; ``valid_until`` the first day the verdict could change
    without new data (an ongoing course reaching its duration, a staging band, a dated entry):
    from that day on it is expired and recomputed when read, or by ``flask trd refresh``.
    """

    __tablename__ = "assessments"
    __table_args__ = (Index("ix_assessments_status", "status"),)

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True
    )
    profile: Mapped[str] = mapped_column(String(32))
    computed_on: Mapped[date]
    valid_until: Mapped[date | None] = mapped_column(
        index=True, comment="first day the verdict could change by itself; null: never")
    status: Mapped[str] = mapped_column(String(16), comment="met, not_met or outcome_missing")
    trd: Mapped[bool]
    failed_agents: Mapped[str] = mapped_column(String(500), default="", comment="comma-separated")
    failed_count: Mapped[int] = mapped_column(default=0)
    first_met: Mapped[date | None]
    episode_onset: Mapped[date | None] = mapped_column(comment="onset of the current episode")
    thase_rush: Mapped[str] = mapped_column(String(4))
    maudsley_score: Mapped[int | None]
    maudsley_band: Mapped[str | None] = mapped_column(String(16))
    mgh: Mapped[float] = mapped_column(Float)
    remission: Mapped[date | None] = mapped_column(
        comment="the current episode's remission date, when it is in remission")
    alerts: Mapped[int] = mapped_column(
        default=0, server_default="0",
        comment="PHQ-9 item-9 safety alerts in the current episode")
