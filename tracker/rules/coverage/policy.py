"""A payer's coverage policy as the evaluator reads it: criteria with their parameters.

The kinds, parameters and defaults are those of ``shared/reference/coverage-policies.md``.
Files are read and validated outside the rules (``tracker/coverage``); here they are data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FAILED_COURSES = "failed_courses"
AUGMENTATION_COURSES = "augmentation_courses"
PSYCHOTHERAPY = "psychotherapy"
BASELINE_SCORE = "baseline_score"
AGE = "age"
CONCURRENT_ANTIDEPRESSANT = "concurrent_antidepressant"
ACTIVE_EPISODE = "active_episode"
NO_PSYCHOTIC_FEATURES = "no_psychotic_features"
ANY_OF = "any_of"
ATTEST = "attest"

CURRENT_EPISODE = "current_episode"
NOT_POOR, GOOD = "not_poor", "good"
TREATMENTS = {"esketamine": "esketamine", "tms": "rTMS"}  # policy treatment -> treatment kind
EVIDENCE_BASED = ("CBT", "IPT", "BA", "PST", "MBCT", "CBASP", "DBT")

# The defaults of the specification, for parameters a policy leaves out.
DEFAULTS: dict[str, dict[str, Any]] = {
    FAILED_COURSES: {"classes": 1, "min_days": 42, "improvement_max_pct": 50,
                     "inclusive": False, "partial_counts": True, "adherence": NOT_POOR,
                     "window": CURRENT_EPISODE, "intolerance_counts": False},
    AUGMENTATION_COURSES: {"min_days": 42, "window": CURRENT_EPISODE},
    PSYCHOTHERAPY: {"evidence_based": False, "min_sessions": None, "min_days": None,
                    "window": CURRENT_EPISODE},
    AGE: {"min_years": None, "below_years": None},
}


@dataclass(frozen=True)
class Criterion:
    """One criterion of a policy: its kind, its parameters, and for ``any_of`` its options."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    criteria: tuple[Criterion, ...] = ()

    def get(self, name: str) -> Any:
        """Return a parameter, or the specification's default when the policy leaves it out."""
        if name in self.params:
            return self.params[name]
        return DEFAULTS.get(self.kind, {}).get(name)


@dataclass(frozen=True)
class Reauthorisation:
    """What a continuation request must show: improvement on a listed instrument."""

    instruments: tuple[str, ...]
    min_improvement_pct: float
    after_days: int
    inclusive: bool = True  # True: an improvement equal to the minimum is enough
    note: str = ""


@dataclass(frozen=True)
class Policy:
    """A payer's criteria for one treatment, with where and when they were read."""

    id: str
    title: str
    payer: str
    treatment: str  # "esketamine" or "tms"
    source: str
    read: str  # when the source was read: YYYY-MM or YYYY-MM-DD
    criteria: tuple[Criterion, ...]
    reauthorisation: Reauthorisation | None = None
    verify: str = "Verify against the payer's current policy."
    notes: str = ""


# Each kind's parameters: name -> (type, required). Types: "int" (whole number >= 0), "number",
# "bool", "text", "window", "adherence", "scores" (list of {instrument, min_score}),
# "criteria" (nested criteria, for any_of).
KINDS: dict[str, dict[str, tuple[str, bool]]] = {
    FAILED_COURSES: {"count": ("int", True), "classes": ("int", False),
                     "min_days": ("int", False), "improvement_max_pct": ("number", False),
                     "inclusive": ("bool", False), "partial_counts": ("bool", False),
                     "adherence": ("adherence", False), "window": ("window", False),
                     "intolerance_counts": ("bool", False)},
    AUGMENTATION_COURSES: {"count": ("int", True), "min_days": ("int", False),
                           "window": ("window", False)},
    PSYCHOTHERAPY: {"evidence_based": ("bool", False), "min_sessions": ("int", False),
                    "min_days": ("int", False), "window": ("window", False)},
    BASELINE_SCORE: {"any_of": ("scores", True), "within_days": ("int", True)},
    AGE: {"min_years": ("int", False), "below_years": ("int", False)},
    CONCURRENT_ANTIDEPRESSANT: {},
    ACTIVE_EPISODE: {},
    NO_PSYCHOTIC_FEATURES: {},
    ANY_OF: {"criteria": ("criteria", True)},
    ATTEST: {"text": ("text", True)},
}
