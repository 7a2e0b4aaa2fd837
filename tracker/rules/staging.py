"""Severity staging of treatment resistance, computed beside the TRD flag.

Definitions from ``shared/reference/trd-definitions.md``, as amended by its Version 2 rules 6-8:
Thase & Rush (1997); Maudsley Staging Method (Fekadu et al., BMC Psychiatry 2018,
doi 10.1186/s12888-018-1679-x); MGH staging (Hägg et al. 2020, PLoS One 15:e0236434).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .courses import Course
from .history import Episode
from .vocab import Severity

THASE_RUSH_STAGES = ("0", "I", "II", "III", "IV", "V")

# Maudsley Staging Method points (Fekadu et al. 2018).
MSM_DURATION = ((12, 1), (24, 2))  # months at most -> points; longer scores 3
MSM_DURATION_LONGER = 3
MSM_SEVERITY = {
    Severity.SUBSYNDROMAL: 1,
    Severity.MILD: 2,
    Severity.MODERATE: 3,
    Severity.SEVERE: 4,
}
MSM_SEVERE_PSYCHOTIC = 5
MSM_FAILED = ((0, 0), (2, 1), (4, 2), (6, 3), (10, 4))  # failed agents at most -> points
MSM_FAILED_MORE = 5
MSM_BANDS = ((6, "mild"), (10, "moderate"))  # total at most -> band; higher is severe

# MGH staging points (Hägg et al. 2020).
MGH_PER_FAILED_STEP = 1.0  # Version 2 rule 7: steps, not agents (Fava 2003)
MGH_PER_OPTIMISATION = 0.5
MGH_PER_COMBINATION = 0.5
MGH_PER_AUGMENTATION = 0.5
MGH_ECT = 3.0


@dataclass(frozen=True)
class Staging:
    """The three staging results for the current episode, and notes on how they were read."""

    thase_rush: str
    maudsley_score: int | None
    maudsley_band: str | None
    mgh: float
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        maudsley = None
        if self.maudsley_score is not None:
            maudsley = {"score": self.maudsley_score, "band": self.maudsley_band}
        return {"thase_rush": self.thase_rush, "maudsley": maudsley, "mgh": self.mgh,
                "notes": list(self.notes)}


def thase_rush(failed_classes: set[str], bilateral_ect: bool) -> str:
    """Return the Thase & Rush stage from the classes of failed courses, read strictly (rule 6).

    III needs a TCA and two other classes; IV a TCA, an MAOI and two classes besides them;
    V stage IV plus a course of bilateral ECT. A TeCA is not a TCA, the RIMA not an MAOI.
    """
    stage = min(len(failed_classes), 2)
    others = failed_classes - {"TCA", "MAOI"}
    if "TCA" in failed_classes and len(failed_classes - {"TCA"}) >= 2:
        stage = 3
        if "MAOI" in failed_classes and len(others) >= 2:
            stage = 5 if bilateral_ect else 4
    return THASE_RUSH_STAGES[stage]


def thase_rush_notes(failed_classes: set[str], stage: str) -> list[str]:
    """Say why a failed TCA (and MAOI) did not raise the stage, read strictly (rule 6)."""
    others = ", ".join(sorted(failed_classes - {"TCA", "MAOI"})) or "none"
    if "TCA" not in failed_classes or stage not in ("II", "III"):
        return []
    if stage == "II":
        return [f"Thase-Rush stage III needs a failed TCA and two other classes; the other "
                f"failed classes: {others}"]
    if "MAOI" in failed_classes:
        return [f"Thase-Rush stage IV needs, besides the failed TCA and MAOI, two other "
                f"classes; the other failed classes: {others}"]
    return []


def months_between(start: date, end: date) -> int:
    """Return the whole months from ``start`` to ``end``."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (end.day < start.day)


def _points(value: int, table: tuple[tuple[int, int], ...], beyond: int) -> int:
    for at_most, points in table:
        if value <= at_most:
            return points
    return beyond


def maudsley(
    episode: Episode | None, as_of: date, failed_agents: int, augmented: bool, ect: bool
) -> tuple[int, str] | None:
    """Return the Maudsley score and band, or None without an episode to stage (rule 8).

    Duration runs to the as-of date, or to the remission date of a remitted episode.
    """
    if episode is None:
        return None
    end = episode.remission if episode.remission and episode.remission < as_of else as_of
    duration = _points(months_between(episode.onset, end), MSM_DURATION, MSM_DURATION_LONGER)
    severity = MSM_SEVERITY[Severity(episode.severity)]
    if episode.severity == Severity.SEVERE and episode.psychotic:
        severity = MSM_SEVERE_PSYCHOTIC
    failed = _points(failed_agents, MSM_FAILED, MSM_FAILED_MORE)
    score = duration + severity + failed + int(augmented) + int(ect)
    band = next((name for at_most, name in MSM_BANDS if score <= at_most), "severe")
    return score, band


def raised(course: Course) -> bool:
    """Say whether the daily dose was raised above an earlier step to above the minimum."""
    minimum = course.agent.min_adequate_mg_per_day or 0
    lowest = None
    for dose in course.daily_doses():
        if lowest is not None and dose > lowest and dose > minimum:
            return True
        lowest = dose if lowest is None else min(lowest, dose)
    return False


def mgh(steps: list[list[Course]], failed: set[int], augmentation_agents: int, ect: bool) -> float:
    """Return the MGH staging score (rule 7) from the episode's steps.

    ``failed`` holds the first record index of each adequate failed course. A step fails when
    any of its courses failed; a failed step of two or more antidepressants is a combination.
    """
    score = 0.0
    for step in steps:
        failed_here = [c for c in step if c.first in failed]
        if not failed_here:
            continue
        score += MGH_PER_FAILED_STEP
        score += MGH_PER_OPTIMISATION * sum(raised(c) for c in failed_here)
        if len({c.agent.generic for c in step}) >= 2:
            score += MGH_PER_COMBINATION
    score += MGH_PER_AUGMENTATION * augmentation_agents
    if ect:
        score += MGH_ECT
    return score
