"""What the evaluator says about one criterion and one policy."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class CriterionResult:
    """A criterion's verdict: met True / False / None (unknown), with evidence and the fix."""

    kind: str
    label: str
    met: bool | None
    evidence: tuple[str, ...] = ()
    missing: str | None = None
    criteria: tuple[CriterionResult, ...] = ()

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "met": self.met,
            "evidence": list(self.evidence),
            "missing": self.missing,
            "criteria": [c.to_dict() for c in self.criteria],
        }


@dataclass(frozen=True)
class ReauthorisationResult:
    """Whether a continuation request can show the improvement the policy asks for."""

    met: bool | None
    evidence: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"met": self.met, "evidence": list(self.evidence)}


@dataclass(frozen=True)
class CoverageResult:
    """One policy judged against one history on one date."""

    policy: str
    as_of: date
    eligible: bool | None
    criteria: tuple[CriterionResult, ...]
    attest: tuple[str, ...]
    reauthorisation: ReauthorisationResult | None

    def to_dict(self) -> dict:
        return {
            "policy": self.policy,
            "as_of": self.as_of.isoformat(),
            "eligible": self.eligible,
            "criteria": [c.to_dict() for c in self.criteria],
            "attest": list(self.attest),
            "reauthorisation": self.reauthorisation.to_dict() if self.reauthorisation else None,
        }


def combine(results: list[bool | None]) -> bool | None:
    """Return True when every result is met, False when any is not met, else None."""
    if any(r is False for r in results):
        return False
    if all(r is True for r in results):
        return True
    return None
