"""Coverage: a payer's criteria for esketamine or TMS judged against a treatment history.

Pure like the rest of ``tracker.rules``: the policy arrives as data, the as-of date as an argument.
"""

from .evaluate import evaluate, judge
from .policy import KINDS, Criterion, Policy, Reauthorisation
from .result import CoverageResult, CriterionResult, ReauthorisationResult

__all__ = ["KINDS", "CoverageResult", "Criterion", "CriterionResult", "Policy",
           "Reauthorisation", "ReauthorisationResult", "evaluate", "judge"]
