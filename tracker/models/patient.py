"""Patients, the clinicians who care for them, and their depressive episodes."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, func, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tracker.extensions import db
from tracker.rules.vocab import Severity, Sex

from .record import EnteredInError
from .types import enum_column

if TYPE_CHECKING:
    from .assessment import StoredAssessment
    from .clinical import Measurement, Treatment
    from .trial import Trial
    from .user import User

care_team = Table(
    "care_team",
    db.metadata,
    Column("patient_id", ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


def sort_name(name: str) -> str:
    """Return the key the panel sorts a name by: family name first, lower case.

    "Helen Morris" and "Morris, Helen" both give "morris helen"; the last word is taken as the
    family name unless the name is written family name first with a comma.
    """
    family, comma, given = name.partition(",")
    if not comma:
        *given_words, family = name.split() or [""]
        given = " ".join(given_words)
    return " ".join(f"{family} {given}".lower().split())


def _standing(model: str) -> str:
    """Return the join of a patient to their ``model`` rows that are not entered in error."""
    return f"and_(Patient.id == {model}.patient_id, {model}.entered_in_error_at.is_(None))"


class Patient(db.Model):
    __tablename__ = "patients"

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(String(64), unique=True, comment="the clinic's record number")
    name: Mapped[str] = mapped_column(String(200), index=True)
    sort_name: Mapped[str] = mapped_column(
        String(200), index=True, default="", comment="family name first, lower case: for sorting")
    birth_date: Mapped[date]
    sex: Mapped[Sex] = mapped_column(enum_column(Sex, "sex"))
    study_id: Mapped[str] = mapped_column(
        String(32), unique=True, default=lambda: secrets.token_hex(8),
        comment="random, stable id for de-identified exports; derived from nothing",
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    clinicians: Mapped[list[User]] = relationship(secondary=care_team)
    # The clinical record as it stands: rows entered in error are left out.
    episodes: Mapped[list[Episode]] = relationship(
        back_populates="patient", cascade="all, delete-orphan", order_by="Episode.onset",
        primaryjoin=_standing("Episode"),
    )
    trials: Mapped[list[Trial]] = relationship(
        back_populates="patient", cascade="all, delete-orphan",
        order_by="(Trial.started, Trial.id)", primaryjoin=_standing("Trial"),
    )
    measurements: Mapped[list[Measurement]] = relationship(
        back_populates="patient", cascade="all, delete-orphan",
        order_by="(Measurement.taken_on, Measurement.id)", primaryjoin=_standing("Measurement"),
    )
    treatments: Mapped[list[Treatment]] = relationship(
        back_populates="patient", cascade="all, delete-orphan",
        order_by="(Treatment.start, Treatment.id)", primaryjoin=_standing("Treatment"),
    )
    # Every trial ever recorded, entered in error or not: for the admins' research export.
    all_trials: Mapped[list[Trial]] = relationship(viewonly=True,
                                                   order_by="(Trial.started, Trial.id)")
    assessment: Mapped[StoredAssessment | None] = relationship(cascade="all, delete-orphan")

    @validates("name")
    def _keep_sort_name(self, _key: str, name: str) -> str:
        self.sort_name = sort_name(name)
        return name

    def __repr__(self) -> str:
        return f"<Patient {self.mrn}>"


class Episode(EnteredInError, db.Model):
    __tablename__ = "episodes"
    __table_args__ = (
        # Keys are unique among the episodes that stand; one entered in error frees its key.
        Index("uq_episodes_patient_key", "patient_id", "key", unique=True,
              sqlite_where=text("entered_in_error_at IS NULL"),
              postgresql_where=text("entered_in_error_at IS NULL")),
        CheckConstraint("remission IS NULL OR remission >= onset", name="remission_after_onset"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(ForeignKey("patients.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(32), comment="the episode's key in history files")
    onset: Mapped[date]
    remission: Mapped[date | None] = mapped_column(comment="null while the episode is current")
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "severity"))
    psychotic: Mapped[bool] = mapped_column(default=False)
    icd10: Mapped[str] = mapped_column(String(8), default="", server_default="",
                                       comment="ICD-10 code of the diagnosis, F32.x or F33.x")

    patient: Mapped[Patient] = relationship(back_populates="episodes")

    def __repr__(self) -> str:
        return f"<Episode {self.key} {self.onset}>"
