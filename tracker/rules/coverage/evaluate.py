"""Judge a policy against a history on a date: each criterion, eligibility, re-authorisation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from ..history import History, Measurement
from ..outcomes import pct
from . import augmentation as aug
from . import drugs, patient, psychotherapy
from . import policy as p
from .result import CoverageResult, CriterionResult, ReauthorisationResult, combine

Judge = Callable[[p.Criterion, History, date], CriterionResult]
JUDGES: dict[str, Judge] = {
    p.FAILED_COURSES: drugs.failed_courses,
    p.AUGMENTATION_COURSES: aug.augmentation_courses,
    p.PSYCHOTHERAPY: psychotherapy.psychotherapy,
    p.BASELINE_SCORE: patient.baseline_score,
    p.AGE: patient.age,
    p.CONCURRENT_ANTIDEPRESSANT: patient.concurrent_antidepressant,
    p.ACTIVE_EPISODE: patient.active_episode,
    p.NO_PSYCHOTIC_FEATURES: patient.no_psychotic_features,
}
BASELINE_DAYS = 30  # re-authorisation baseline: the last score in the 30 days before the course


def judge(criterion: p.Criterion, history: History, as_of: date) -> CriterionResult:
    """Judge one criterion (``any_of`` through its options)."""
    if criterion.kind != p.ANY_OF:
        return JUDGES[criterion.kind](criterion, history, as_of)
    options = tuple(judge(c, history, as_of) for c in criterion.criteria)
    label = "one of: " + "; or ".join(o.label for o in options)
    met = [o for o in options if o.met is True]
    if met:
        return CriterionResult(criterion.kind, label, True, met[0].evidence, None, options)
    verdict = None if any(o.met is None for o in options) else False
    missing = " - or - ".join(o.missing for o in options if o.met is verdict and o.missing)
    evidence = tuple(e for o in options for e in o.evidence)
    return CriterionResult(criterion.kind, label, verdict, evidence, missing, options)


def course_start(policy: p.Policy, history: History, as_of: date) -> date | None:
    """Return the start of the latest esketamine or TMS course begun by ``as_of``."""
    kind = p.TREATMENTS[policy.treatment]
    starts = [t.start for t in history.treatments if t.kind == kind and t.start <= as_of]
    return max(starts, default=None)


def _latest(scores: list[Measurement]) -> Measurement | None:
    return max(scores, key=lambda m: m.day, default=None)


def _improved(baseline: int, score: int, rule: p.Reauthorisation) -> bool:
    """Say whether a score shows the improvement the re-authorisation rule asks for."""
    gain = 100.0 * (baseline - score) / baseline
    return gain >= rule.min_improvement_pct if rule.inclusive else gain > rule.min_improvement_pct


def reauthorise(policy: p.Policy, history: History, as_of: date) -> ReauthorisationResult:
    """Judge re-authorisation: improvement from the course's baseline on a listed instrument."""
    rule = policy.reauthorisation
    assert rule is not None
    start = course_start(policy, history, as_of)
    if start is None:
        return ReauthorisationResult(None, (f"no {p.TREATMENTS[policy.treatment]} course "
                                            f"recorded by {as_of.isoformat()}",))
    word = "at least" if rule.inclusive else "more than"
    needed = f"needs {word} {rule.min_improvement_pct:g}% improvement"
    evidence, verdicts = [], []
    for instrument in rule.instruments:
        scores = [m for m in history.measurements if m.instrument == instrument]
        baseline = _latest([m for m in scores
                            if start - timedelta(days=BASELINE_DAYS) <= m.day <= start])
        later = [m for m in scores if start + timedelta(days=rule.after_days) <= m.day <= as_of]
        if baseline is None or not later or baseline.score == 0:
            continue
        # The spec asks for "a score" showing the improvement: the best one decides, and the
        # latest is named too when it differs, so that a relapse is not hidden.
        best = min(later, key=lambda m: (m.score, -m.day.toordinal()))
        verdicts.append(_improved(baseline.score, best.score, rule))
        for shown in dict.fromkeys((best, _latest(later))):
            gain = 100.0 * (baseline.score - shown.score) / baseline.score
            label = "" if shown is best else "latest: "
            evidence.append(f"{label}{instrument} {baseline.score} on "
                            f"{baseline.day.isoformat()} -> {shown.score} on "
                            f"{shown.day.isoformat()}: {pct(gain)} improvement ({needed})")
    if not verdicts:
        evidence.append(
            f"course began {start.isoformat()}: no {' / '.join(rule.instruments)} score both in "
            f"the {BASELINE_DAYS} days before it and at least {rule.after_days} days after it")
        return ReauthorisationResult(None, tuple(evidence))
    return ReauthorisationResult(any(verdicts), tuple(evidence))


def evaluate(policy: p.Policy, history: History, as_of: date) -> CoverageResult:
    """Judge every criterion of the policy; the implicit active episode comes first."""
    criteria = [c for c in policy.criteria if c.kind != p.ATTEST]
    if not any(c.kind == p.ACTIVE_EPISODE for c in criteria):
        criteria.insert(0, p.Criterion(p.ACTIVE_EPISODE))
    results = tuple(judge(c, history, as_of) for c in criteria)
    return CoverageResult(
        policy=policy.id,
        as_of=as_of,
        eligible=combine([r.met for r in results]),
        criteria=results,
        attest=tuple(c.params["text"] for c in policy.criteria if c.kind == p.ATTEST),
        reauthorisation=reauthorise(policy, history, as_of) if policy.reauthorisation else None,
    )
