"""The treatment-history summary as a PDF, drawn by WeasyPrint from an HTML template."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources

from flask import render_template

from tracker.models import User
from tracker.patients import timeline
from tracker.patients.chart import age_on
from tracker.reporting import STATUS_WORDS
from tracker.reports.summary import Summary


def _no_fetching(url: str, *args, **kwargs):
    """Refuse every outside resource: the report is built from the record alone."""
    raise ValueError(f"the summary PDF loads no outside resources ({url[:40]})")


def summary_pdf(summary: Summary, clinician: User, generated: datetime | None = None) -> bytes:
    """Return the summary as PDF bytes, signed off by ``clinician``."""
    from weasyprint import CSS, HTML  # imported late: it loads Pango, and only reports need it

    generated = generated or datetime.now(UTC)
    html = render_template(
        "reports/summary.html", s=summary, clinician=clinician,
        status_words=STATUS_WORDS[summary.assessment.status],
        timeline=timeline.render(summary.patient, summary.assessment),
        generated=generated.strftime("%Y-%m-%d %H:%M UTC"),
        age=age_on(summary.patient.birth_date, summary.as_of),
    )
    css = resources.files(__package__).joinpath("summary.css").read_text("utf-8")
    # PDF/UA-1: tagged, so screen readers and text extraction follow the reading order.
    return HTML(string=html, url_fetcher=_no_fetching).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=_no_fetching)], pdf_variant="pdf/ua-1")
