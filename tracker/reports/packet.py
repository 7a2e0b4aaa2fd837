"""A payer's prior-authorisation packet: the policy's criteria judged on the record, as a PDF.

The packet reuses the summary's rows (treatment history) and the chart's timeline; the
criteria, evidence and re-authorisation come from ``tracker.rules.coverage``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources

from flask import render_template

from tracker import rules
from tracker.assessments import history_of
from tracker.models import Measurement, Patient, Treatment, User
from tracker.patients import timeline
from tracker.reports.pdf import _no_fetching
from tracker.reports.summary import Summary, build_summary
from tracker.rules.coverage import CoverageResult, Policy, evaluate
from tracker.rules.coverage.evaluate import BASELINE_DAYS
from tracker.rules.coverage.policy import TREATMENTS

TREATMENT_WORDS = {"esketamine": "esketamine (Spravato) nasal spray",
                   "tms": "repetitive transcranial magnetic stimulation (rTMS)"}


@dataclass(frozen=True)
class Packet:
    """Everything a packet prints for one patient under one policy on one date."""

    policy: Policy
    result: CoverageResult
    summary: Summary

    @property
    def patient(self) -> Patient:
        return self.summary.patient

    @property
    def treatment_words(self) -> str:
        return TREATMENT_WORDS[self.policy.treatment]

    @property
    def met_count(self) -> tuple[int, int]:
        """Return how many evaluated criteria are met, of how many."""
        return sum(c.met is True for c in self.result.criteria), len(self.result.criteria)

    @property
    def course(self) -> Treatment | None:
        """Return the latest esketamine or TMS course begun by the as-of date."""
        kind = TREATMENTS[self.policy.treatment]
        begun = [t for t in self.patient.treatments
                 if t.kind.value == kind and t.start <= self.summary.as_of]
        return max(begun, key=lambda t: t.start, default=None)

    @property
    def course_scores(self) -> list[Measurement]:
        """Return the listed instruments' scores from the baseline window to the as-of date."""
        rule, course = self.policy.reauthorisation, self.course
        if rule is None or course is None:
            return []
        first = course.start - timedelta(days=BASELINE_DAYS)
        return [m for m in self.patient.measurements if m.instrument.value in rule.instruments
                and first <= m.taken_on <= self.summary.as_of]


def build_packet(patient: Patient, policy: Policy, as_of: date | None = None) -> Packet:
    """Judge the policy on the patient's record and gather the packet's rows."""
    as_of = as_of or date.today()
    result = evaluate(policy, history_of(patient), as_of)
    return Packet(policy, result, build_summary(patient, rules.DEFAULT_PROFILE, as_of))


def packet_pdf(packet: Packet, clinician: User, reauthorisation: bool = False,
               generated: datetime | None = None) -> bytes:
    """Return the packet (or the re-authorisation report) as PDF bytes."""
    from weasyprint import CSS, HTML  # imported late: it loads Pango, and only reports need it

    generated = generated or datetime.now(UTC)
    template = ("reports/coverage_reauthorisation.html" if reauthorisation
                else "reports/coverage_packet.html")
    html = render_template(
        template, p=packet, s=packet.summary, r=packet.result, policy=packet.policy,
        clinician=clinician, timeline=timeline.render(packet.patient, packet.summary.assessment),
        generated=generated.strftime("%Y-%m-%d %H:%M UTC"))
    css = resources.files(__package__).joinpath("packet.css").read_text("utf-8")
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=_no_fetching)])
