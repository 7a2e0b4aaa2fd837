"""The database models, one file per aggregate."""

from .assessment import StoredAssessment
from .clinical import Measurement, Treatment
from .patient import Episode, Patient, care_team
from .trial import DoseStep, Trial
from .types import Role
from .user import User

__all__ = [
    "DoseStep", "Episode", "Measurement", "Patient", "Role", "StoredAssessment", "Treatment",
    "Trial", "User", "care_team",
]
