"""The database models, one file per aggregate."""

from .assessment import StoredAssessment
from .audit import AuditEvent
from .clinical import Measurement, Treatment
from .coverage import CoveragePolicySetting, StoredCoverage
from .patient import Episode, Patient, care_team
from .session import UserSession
from .trial import DoseStep, Trial
from .types import Role
from .upload import PendingImport
from .user import User

__all__ = [
    "AuditEvent", "CoveragePolicySetting", "DoseStep", "Episode", "Measurement", "Patient",
    "PendingImport", "Role", "StoredAssessment", "StoredCoverage", "Treatment", "Trial", "User",
    "UserSession", "care_team",
]
