"""Column types shared by the models."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Enum


class Role(StrEnum):
    CLINICIAN = "clinician"
    ADMIN = "admin"
    # Reads the audit trail with its clinical detail (every such read is audited); nothing else.
    PRIVACY_OFFICER = "privacy_officer"

    @property
    def label(self) -> str:
        """The role as people say it: "Clinician", "Admin", "Privacy officer"."""
        return self.value.replace("_", " ").capitalize()


def enum_column(enum: type[StrEnum], name: str) -> Enum:
    """Return a portable enum type stored as its values, checked by a named constraint."""
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
        length=max(len(m.value) for m in enum),
    )
