"""Files uploaded for import, kept on the server between the preview and the clinician's answer."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, func
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class PendingImport(db.Model):
    """An uploaded history or FHIR Bundle awaiting Accept or Cancel; deleted by either.

    The browser holds only the random token (in its signed session and the form), never the
    content, so what is accepted is exactly what was previewed.
    """

    __tablename__ = "pending_imports"

    token: Mapped[str] = mapped_column(String(64), primary_key=True, comment="random, secret")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[bytes] = mapped_column(LargeBinary, comment="the upload as sent, <= 2 MiB")
    created_at: Mapped[datetime] = mapped_column(
        default=lambda: datetime.now(UTC).replace(tzinfo=None), server_default=func.now(),
        index=True, comment="UTC; an upload older than an hour has expired")

    def __repr__(self) -> str:
        return f"<PendingImport {self.filename!r} of user {self.user_id}>"
