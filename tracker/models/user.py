"""Accounts: clinicians who log trials and admins who manage the clinic."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String, func
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db

from .types import Role, enum_column


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lower_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), default=Role.CLINICIAN)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    session_token: Mapped[str] = mapped_column(
        String(64), default=lambda: secrets.token_urlsafe(24),
        comment="part of every session's user id: a new token signs out every session",
    )
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password`` and end every session signed in before."""
        method = current_app.config["PASSWORD_HASH_METHOD"]
        self.password_hash = generate_password_hash(password, method=method)
        self.session_token = secrets.token_urlsafe(24)

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session: it goes stale with the token."""
        return f"{self.id}:{self.session_token}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def reads_audit_trail(self) -> bool:
        """Admins read the trail without clinical detail; privacy officers read it all."""
        return self.role in (Role.ADMIN, Role.PRIVACY_OFFICER)

    @property
    def reads_clinical_audit_detail(self) -> bool:
        return self.role is Role.PRIVACY_OFFICER

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"



