"""The server-drawn timeline: time axis, bars and labels where a clinician expects them."""

from __future__ import annotations

import re
from datetime import date
from xml.etree import ElementTree

from tests.conftest import make_patient, make_trial
from tracker.models import Episode, Measurement
from tracker.patients import timeline
from tracker.reports.summary import build_summary
from tracker.rules.vocab import Severity, StopReason

SVG = "{http://www.w3.org/2000/svg}"


def _six_years(db, clinician):
    patient = make_patient(clinician)
    patient.episodes.extend([
        Episode(key="e1", onset=date(2019, 1, 20), remission=date(2019, 12, 1),
                severity=Severity.MODERATE),
        Episode(key="e2", onset=date(2024, 3, 5), severity=Severity.SEVERE)])
    make_trial(patient, "fluoxetine", ((date(2019, 2, 10), 20),), stopped=date(2019, 11, 1),
               stop_reason=StopReason.REMISSION)
    make_trial(patient, "sertraline", ((date(2024, 3, 12), 100),))
    db.session.commit()
    return patient


def _svg(patient, as_of: date) -> ElementTree.Element:
    summary = build_summary(patient, as_of=as_of)
    return ElementTree.fromstring(str(timeline.render(patient, summary.assessment)))


def _year_lines(svg) -> dict[str, float]:
    """Return {label: x} of the axis: each grid line with the label drawn beside it."""
    lines = [e for e in svg.iter(f"{SVG}line") if e.get("class") == "grid"]
    labels = [e for e in svg.iter(f"{SVG}text") if e.get("class") == "tick"
              and re.fullmatch(r"\d{4}", e.text or "")]
    assert len(lines) == len(labels)
    for line, label in zip(lines, labels, strict=True):
        assert line.get("data-date") == f"{label.text}-01-01"  # each line falls on 1 January
        assert float(label.get("x")) - float(line.get("x1")) == 3.0
    return {label.text: float(line.get("x1")) for line, label in zip(lines, labels, strict=True)}


def test_year_lines_fall_on_1_january_for_a_history_of_six_years(db, clinician):
    patient = _six_years(db, clinician)
    svg = _svg(patient, date(2025, 2, 1))
    years = _year_lines(svg)
    assert list(years) == ["2019", "2020", "2021", "2022", "2023", "2024", "2025"]
    bars = {g.get("data-drug"): float(g.find(f"{SVG}rect").get("x"))
            for g in svg.iter(f"{SVG}g") if g.get("class") == "trial-bar"}
    assert years["2019"] < bars["fluoxetine"] < years["2020"]  # Feb 2019 is under "2019"
    assert years["2024"] < bars["sertraline"] < years["2025"]
    current = next(r for r in svg.iter(f"{SVG}rect") if r.get("class") == "episode current")
    assert years["2024"] < float(current.get("x")) < years["2025"]


def test_quarter_ticks_fall_on_quarter_starts(db, clinician):
    patient = make_patient(clinician)
    make_trial(patient, "sertraline", ((date(2023, 2, 15), 100),))
    db.session.commit()
    svg = _svg(patient, date(2024, 6, 1))
    days = [e.get("data-date") for e in svg.iter(f"{SVG}line") if e.get("class") == "grid"]
    assert days[0] == "2023-04-01" and days[-1] == "2024-04-01"
    assert all(d[5:] in ("01-01", "04-01", "07-01", "10-01") for d in days)


def test_scores_have_an_axis_values_and_phq9_severity_bands(db, clinician):
    patient = _six_years(db, clinician)
    for day, instrument, score in ((date(2024, 3, 6), "PHQ-9", 22), (date(2024, 6, 1), "PHQ-9", 14),
                                   (date(2024, 6, 2), "MADRS", 31)):
        patient.measurements.append(Measurement(taken_on=day, instrument=instrument,
                                                score=score))
    db.session.commit()
    svg = _svg(patient, date(2025, 2, 1))
    texts = [(e.get("class"), e.text) for e in svg.iter(f"{SVG}text")]
    assert [t for c, t in texts if c == "score-value"] == ["22", "14", "31"]
    assert [c for c, _ in texts].count("score-value") == 3
    assert any(e.get("class") == "score-axis" for e in svg.iter(f"{SVG}line"))
    axis_values = [t for c, t in texts if c == "tick" and t in ("0", "5", "10", "15", "20", "27")]
    assert axis_values == ["0", "5", "10", "15", "20", "27"]
    bands = [t for c, t in texts if c == "tick" and t and t.startswith(("minimal", "severe"))]
    assert bands == ["minimal 0-4", "severe 20-27"]
    assert "PHQ-9 (0-27), axis" in [t for _, t in texts]


def test_the_last_episode_label_stays_inside_the_picture(db, clinician):
    patient = _six_years(db, clinician)
    svg = _svg(patient, date(2024, 3, 20))  # the current episode began two weeks ago
    label = next(e for e in svg.iter(f"{SVG}text") if (e.text or "").startswith("episode e2"))
    assert float(label.get("x")) + 6 * len(label.text) <= timeline.WIDTH
