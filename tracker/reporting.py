"""Assessments in words, for the command line and the pages."""

from __future__ import annotations

from tracker import rules
from tracker.interchange.history import PatientInfo

STATUS_WORDS = {
    rules.MET: "TRD criteria met",
    rules.NOT_MET: "TRD criteria not met",
    rules.OUTCOME_MISSING: "TRD criteria not met: an outcome is missing",
}


def assessment_text(result: rules.Assessment, patient: PatientInfo | None = None) -> str:
    """Return a plain-text assessment a clinician can check line by line."""
    profile = rules.get_profile(result.profile)
    lines = []
    if patient:
        lines.append(f"{patient.name} (MRN {patient.mrn})")
    lines.append(f"{STATUS_WORDS[result.status]} as of {result.as_of.isoformat()} "
                 f"under the {profile.name} profile ({profile.title}).")
    lines.append(f"Current episode: {result.current_episode or 'none recorded'}")
    if result.failed_adequate_agents:
        lines.append("Adequate failed trials: " + ", ".join(result.failed_adequate_agents))
    if result.first_met:
        lines.append(f"Criteria first met on {result.first_met.isoformat()}")
    for need in result.missing:
        lines.append(f"Still needed: {need}")
    lines.append("")
    for trial in result.trials:
        verdict = ("adequate, failed" if trial.failed else "adequate" if trial.adequate
                   else "counted, not adequate" if trial.counted else "not counted")
        lines.append(f"[{trial.index}] {trial.drug} ({trial.drug_class}): {verdict}")
        lines.extend(f"    - {reason}" for reason in trial.reasons)
    s = result.staging
    lines.append("")
    maudsley = (f"{s.maudsley_score} ({s.maudsley_band})" if s.maudsley_score is not None
                else "needs an episode")
    lines.append(f"Staging: Thase-Rush {s.thase_rush}; Maudsley {maudsley}; MGH {s.mgh:g}")
    lines.append(f"Source: {profile.source}")
    return "\n".join(lines)
