"""Signed-in sessions kept on the server, so that signing out ends them everywhere."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db


class UserSession(db.Model):
    """One sign-in. The browser's cookie holds a random key; the server keeps only its hash.

    A session counts while ``ended_at`` is empty, it was seen within the idle timeout and it
    began within the session lifetime (``tracker.auth.sessions``).
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True,
                                          comment="SHA-256 of the key in the session cookie")
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    started_at: Mapped[datetime] = mapped_column(comment="UTC")
    last_seen_at: Mapped[datetime] = mapped_column(comment="UTC, updated at most once a minute")
    ended_at: Mapped[datetime | None] = mapped_column(comment="UTC; null while it counts")
    end_reason: Mapped[str] = mapped_column(String(40), default="")
