"""The treatment-history summary: what a payer reviewer reads before authorising esketamine
or TMS. One structure feeds the PDF, the trials CSV and the research export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker import rules
from tracker.assessments import history_of
from tracker.catalogue import default_catalogue
from tracker.codes import ICD10_MDD
from tracker.models import Episode, Patient, Treatment, Trial
from tracker.rules.episodes import membership
from tracker.rules.outcomes import ScoreChange, score_change


@dataclass(frozen=True)
class TrialRow:
    """One trial as the summary shows it, with the engine's verdict and reasons."""

    number: int
    trial: Trial
    agent: rules.Agent
    verdict: rules.TrialVerdict
    in_current_episode: bool
    max_mg: float
    scores: ScoreChange | None

    @property
    def verdict_words(self) -> str:
        v = self.verdict
        if v.failed:
            return "adequate trial, failed"
        if v.adequate:
            return "adequate trial, not failed" if v.outcome == "no_failure" else \
                "adequate trial, outcome unknown"
        return "not adequate" if v.counted else "not counted"


@dataclass(frozen=True)
class Summary:
    patient: Patient
    assessment: rules.Assessment
    profile: rules.Profile
    episode: Episode | None
    trials: list[TrialRow]
    treatments: list[Treatment]
    as_of: date

    @property
    def antidepressant_trials(self) -> list[TrialRow]:
        """The antidepressant trials of the current episode, by first dose date."""
        return [t for t in self.trials if t.agent.is_antidepressant and t.in_current_episode]

    @property
    def augmentation_trials(self) -> list[TrialRow]:
        return [t for t in self.trials if not t.agent.is_antidepressant and t.in_current_episode]

    @property
    def earlier_trials(self) -> list[TrialRow]:
        return [t for t in self.trials if not t.in_current_episode]

    @property
    def diagnosis(self) -> str:
        code = self.episode.icd10 if self.episode else ""
        label = ICD10_MDD.get(code, "Major depressive disorder")
        return f"{label} ({code})" if code else f"{label}, ICD-10-CM code not recorded"


def build_summary(patient: Patient, profile: str = rules.DEFAULT_PROFILE,
                  as_of: date | None = None) -> Summary:
    """Assess the patient and gather every row the summary prints."""
    as_of = as_of or date.today()
    history = history_of(patient, default_catalogue())
    result = rules.assess(history, rules.get_profile(profile), as_of)
    rows = []
    for n, (trial, inputs, verdict) in enumerate(
            zip(patient.trials, history.trials, result.trials, strict=True), start=1):
        member, _ = membership(history, inputs.episode, inputs.started, as_of)
        rows.append(TrialRow(n, trial, inputs.agent, verdict, member,
                             max(s.mg_per_day for s in inputs.doses),
                             score_change(inputs, history.measurements, as_of)))
    episode = next((e for e in patient.episodes if e.key == result.current_episode), None)
    return Summary(patient, result, rules.get_profile(profile), episode, rows,
                   list(patient.treatments), as_of)
