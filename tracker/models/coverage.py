"""Coverage policies the clinic enabled or uploaded, and each patient's stored eligibility."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class CoveragePolicySetting(db.Model):
    """A policy the clinic enabled, or uploaded as a file (``text``; None: the shipped file)."""

    __tablename__ = "coverage_policies"

    policy_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str | None] = mapped_column(
        Text, comment="the uploaded policy file (TOML); None for a policy shipped with the app")
    updated_at: Mapped[datetime]
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))


class StoredCoverage(db.Model):
    """A patient's eligibility under one enabled policy, stored beside the verdict for the panel.

    Recomputed whenever the stored verdict is (``tracker.assessments.store_assessment``).
    """

    __tablename__ = "coverage_results"
    __table_args__ = (Index("ix_coverage_results_policy", "policy_id", "eligible"),)

    patient_id: Mapped[int] = mapped_column(
        ForeignKey("patients.id", ondelete="CASCADE"), primary_key=True)
    policy_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    eligible: Mapped[bool | None] = mapped_column(comment="True, False, or None when undecided")
    computed_on: Mapped[date]
