"""Assessments in words, for the command line and the pages."""

from __future__ import annotations

from tracker import rules
from tracker.interchange.history import PatientInfo
from tracker.vocab import TIMES_PER_DAY

STATUS_WORDS = {
    rules.MET: "TRD criteria met",
    rules.NOT_MET: "TRD criteria not met",
    rules.OUTCOME_MISSING: "TRD criteria not met: an outcome is missing",
}


def dose_words(step) -> str:
    """Say a dose step's daily total and, when recorded, the dose as prescribed:
    "150 mg/day (75 mg twice daily)"."""
    words = f"{step.mg_per_day:g} mg/day"
    amount, times = getattr(step, "amount_mg", None), getattr(step, "times_per_day", None)
    if amount and times:
        how = TIMES_PER_DAY.get(times, f"{times} times daily")
        words += f" ({amount:g} mg {how})"
    return words


def forecast_words(forecast: rules.Forecast | None) -> str:
    """Say when the ongoing course nearest to adequacy becomes adequate, and what then."""
    if forecast is None:
        return ""
    words = (f"{forecast.drug} becomes adequate on {forecast.course_adequate_on.isoformat()} "
             "if continued")
    if forecast.trd_if_failed_on:
        return words + "; TRD would be met then if it fails"
    return words + "; its failure alone would not meet the criteria"


def remission_words(result: rules.Assessment) -> str:
    """Say "in remission since DATE" for a remitted current episode, else nothing."""
    if result.episode_state == "in_remission" and result.remission:
        return f"in remission since {result.remission.isoformat()}"
    return ""


def assessment_text(result: rules.Assessment, patient: PatientInfo | None = None) -> str:
    """Return a plain-text assessment a clinician can check line by line."""
    profile = rules.get_profile(result.profile)
    lines = []
    if patient:
        lines.append(f"{patient.name} (MRN {patient.mrn})")
    lines.append(f"{STATUS_WORDS[result.status]} as of {result.as_of.isoformat()} "
                 f"under the {profile.name} profile ({profile.title}).")
    episode = result.current_episode or "none recorded"
    if remission_words(result):
        episode += f", {remission_words(result)}"
    lines.append(f"Current episode: {episode}")
    lines.extend(f"SAFETY ALERT: {alert}" for alert in result.alerts)
    if result.failed_adequate_agents:
        lines.append("Adequate failed trials: " + ", ".join(result.failed_adequate_agents))
    if result.first_met:
        lines.append(f"Criteria first met on {result.first_met.isoformat()}")
    for need in result.missing:
        lines.append(f"Still needed: {need}")
    if result.forecast:
        lines.append(f"Forecast: {forecast_words(result.forecast)}")
    lines.extend(f"Warning: {warning}" for warning in result.warnings)
    lines.append("")
    for trial in result.trials:
        verdict = ("adequate, failed" if trial.failed else "adequate" if trial.adequate
                   else "counted, not adequate" if trial.counted else "not counted")
        course = f", course of trial {trial.course}" if trial.course != trial.index else ""
        lines.append(f"[{trial.index}] {trial.drug} ({trial.drug_class}): {verdict}{course}")
        lines.extend(f"    - {reason}" for reason in trial.reasons)
    s = result.staging
    lines.append("")
    maudsley = (f"{s.maudsley_score} ({s.maudsley_band})" if s.maudsley_score is not None
                else "needs an episode")
    lines.append(f"Staging: Thase-Rush {s.thase_rush}; Maudsley {maudsley}; MGH {s.mgh:g}")
    lines.extend(f"    - {note}" for note in s.notes)
    lines.append(f"Source: {profile.source}")
    return "\n".join(lines)
