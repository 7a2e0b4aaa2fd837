"""A coverage result as plain text, for the terminal."""

from __future__ import annotations

from tracker.rules.coverage import CoverageResult, CriterionResult, Policy

VERDICTS = {True: "eligible", False: "not eligible", None: "undecided"}
MARKS = {True: "met", False: "NOT MET", None: "unknown"}


def verdict_words(eligible: bool | None) -> str:
    """Return eligible / not eligible / undecided."""
    return VERDICTS[eligible]


def _criterion_lines(result: CriterionResult, indent: str) -> list[str]:
    lines = [f"{indent}[{MARKS[result.met]}] {result.label}"]
    lines += [f"{indent}    - {e}" for e in result.evidence]
    if result.missing:
        lines.append(f"{indent}    next: {result.missing}")
    for option in result.criteria:
        lines += _criterion_lines(option, indent + "    ")
    return lines


def coverage_text(policy: Policy, result: CoverageResult) -> str:
    """Return the result with its criteria, evidence, next steps and attestations."""
    lines = [
        f"{policy.title} ({policy.id})",
        f"As of {result.as_of.isoformat()}: {verdict_words(result.eligible).upper()}",
        f"Source: {policy.source} (read {policy.read}). {policy.verify}",
        "",
    ]
    for criterion in result.criteria:
        lines += _criterion_lines(criterion, "  ")
    if result.attest:
        lines += ["", "To attest (confirm and sign):"]
        lines += [f"  [ ] {text}" for text in result.attest]
    if result.reauthorisation is not None:
        lines += ["", f"Re-authorisation: {MARKS[result.reauthorisation.met]}"]
        lines += [f"    - {e}" for e in result.reauthorisation.evidence]
        if policy.reauthorisation and policy.reauthorisation.note:
            lines.append(f"    note: {policy.reauthorisation.note}")
    return "\n".join(lines)
