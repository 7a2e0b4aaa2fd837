"""What every clinical row shares: it is never deleted, only marked entered in error."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column


class EnteredInError:
    """A mixin for clinical rows. Marking keeps the row, with who marked it, when and why.

    Rows marked entered in error leave the patient's live collections (``patient.trials`` ...),
    so no verdict, page or clinician export uses them; admins still see them in exports.
    """

    entered_in_error_at: Mapped[datetime | None] = mapped_column(
        comment="UTC; null while the row stands"
    )
    entered_in_error_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_in_error_reason: Mapped[str] = mapped_column(String(500), default="")

    @property
    def in_error(self) -> bool:
        return self.entered_in_error_at is not None

    def mark_entered_in_error(self, user_id: int | None, reason: str) -> None:
        """Mark the row as entered in error by ``user_id`` for ``reason``; flush to save."""
        self.entered_in_error_at = datetime.now(UTC).replace(tzinfo=None)
        self.entered_in_error_by_id = user_id
        self.entered_in_error_reason = reason
