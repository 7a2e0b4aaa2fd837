"""Workflows that change data. They add and flush; the request or command commits."""

from __future__ import annotations

from sqlalchemy import select

from tracker.assessments import store_assessment
from tracker.extensions import db
from tracker.models import Patient, Role, User
from tracker.rules.vocab import Sex

MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """An account that cannot be created as asked."""


def create_account(email: str, name: str, role: Role, password: str) -> User:
    """Create a user; raise ``AccountError`` for a taken email or a short password."""
    email = email.strip().lower()
    if "@" not in email:
        raise AccountError(f"{email!r} is not an email address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if db.session.scalars(select(User).where(User.email == email)).first():
        raise AccountError(f"an account with the email {email} exists already")
    user = User(email=email, name=name.strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


class PatientError(ValueError):
    """A patient that cannot be saved as asked."""


def create_patient(clinician: User, data: dict) -> Patient:
    """Add a patient cared for by ``clinician``; raise ``PatientError`` for a taken MRN."""
    mrn = data["mrn"].strip()
    if db.session.scalars(select(Patient).where(Patient.mrn == mrn)).first():
        raise PatientError(f"MRN {mrn} belongs to another patient already")
    patient = Patient(mrn=mrn, name=data["name"].strip(), birth_date=data["birth_date"],
                      sex=Sex(data["sex"]), clinicians=[clinician])
    db.session.add(patient)
    db.session.flush()
    store_assessment(patient)
    return patient
