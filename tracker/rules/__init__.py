"""Pure clinical rules: courses, adequacy, the two-adequate-trials TRD flag and staging.

Standard library only; no Flask, no database and no clock (the as-of date is an argument).
"""

from .assessment import MET, NOT_MET, OUTCOME_MISSING, Assessment, TrialVerdict, assess
from .history import Agent, DoseStep, Episode, History, Measurement, Treatment, Trial
from .needs import Forecast
from .profiles import DEFAULT_PROFILE, PROFILES, Profile, get_profile

__all__ = [
    "DEFAULT_PROFILE", "MET", "NOT_MET", "OUTCOME_MISSING", "PROFILES", "Agent", "Assessment",
    "DoseStep", "Episode", "Forecast", "History", "Measurement", "Profile", "Treatment", "Trial",
    "TrialVerdict", "assess", "get_profile",
]
