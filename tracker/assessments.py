"""The web layer's one road to a verdict: database history in, rules assessment out."""

from __future__ import annotations

from datetime import date

from tracker import rules
from tracker.catalogue import Catalogue, default_catalogue
from tracker.extensions import db
from tracker.models import Patient, StoredAssessment


def history_of(patient: Patient, catalogue: Catalogue | None = None) -> rules.History:
    """Return the patient's rows as the rule engine's inputs."""
    catalogue = catalogue or default_catalogue()
    keys = {e.id: e.key for e in patient.episodes}
    return rules.History(
        birth_date=patient.birth_date,
        episodes=tuple(
            rules.Episode(e.key, e.onset, e.remission, str(e.severity), e.psychotic)
            for e in patient.episodes
        ),
        trials=tuple(
            rules.Trial(
                agent=catalogue.resolve(t.drug),
                doses=tuple(rules.DoseStep(s.start, s.mg_per_day) for s in t.doses),
                stopped=t.stopped,
                stop_reason=str(t.stop_reason) if t.stop_reason else None,
                adherence=str(t.adherence),
                response=str(t.response),
                episode=keys.get(t.episode_id),
            )
            for t in patient.trials
        ),
        measurements=tuple(
            rules.Measurement(m.taken_on, str(m.instrument), m.score)
            for m in patient.measurements
        ),
        treatments=tuple(
            rules.Treatment(str(t.kind), t.start, t.end, t.sessions, keys.get(t.episode_id),
                            t.detail)
            for t in patient.treatments
        ),
    )


def assess_patient(
    patient: Patient, profile: str = rules.DEFAULT_PROFILE, as_of: date | None = None
) -> rules.Assessment:
    """Assess the patient's history under ``profile`` as of ``as_of`` (default: today)."""
    return rules.assess(history_of(patient), rules.get_profile(profile), as_of or date.today())


def store_assessment(patient: Patient, as_of: date | None = None) -> StoredAssessment:
    """Recompute the patient's stored verdict (and coverage) under the default profile; flush."""
    from tracker.coverage.store import store_coverage

    history = history_of(patient)
    result = rules.assess(history, rules.get_profile(rules.DEFAULT_PROFILE), as_of or date.today())
    episode = next((e for e in patient.episodes if e.key == result.current_episode), None)
    stored = patient.assessment or StoredAssessment(patient_id=patient.id)
    stored.profile = result.profile
    stored.computed_on = result.as_of
    stored.status = result.status
    stored.trd = result.trd
    stored.failed_agents = ", ".join(result.failed_adequate_agents)
    stored.failed_count = len(result.failed_adequate_agents)
    stored.first_met = result.first_met
    stored.episode_onset = episode.onset if episode else None
    stored.thase_rush = result.staging.thase_rush
    stored.maudsley_score = result.staging.maudsley_score
    stored.maudsley_band = result.staging.maudsley_band
    stored.mgh = result.staging.mgh
    stored.remission = result.remission
    stored.alerts = len(result.alerts)
    patient.assessment = stored
    store_coverage(patient, history, result.as_of)
    db.session.flush()
    return stored
