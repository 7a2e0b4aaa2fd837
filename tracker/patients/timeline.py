"""The treatment timeline: an inline SVG drawn on the server from a patient and a verdict.

One bar per trial across time, each dose step shaded by its dose relative to the minimum
adequate dose, the adequate window underlined, the stop reason at the end; episodes as bands
behind; ECT, rTMS, esketamine and psychotherapy in rows of their own; the scores as lines below
on the same time axis.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

from tracker import rules
from tracker.catalogue import default_catalogue
from tracker.models import Patient

WIDTH, LABEL_W, RIGHT_W, ROW_H, BAR_H, AXIS_H, SCORE_H = 1000, 150, 130, 26, 14, 24, 120
INSTRUMENT_COLOURS = {"PHQ-9": "#1f5f8b", "MADRS": "#a04e00", "HAMD-17": "#2d6a3e",
                      "QIDS-SR16": "#8a5a00"}
TREATMENT_COLOUR = "#6b4fa0"
# Presentation attributes, not only CSS classes: WeasyPrint draws the SVG in the PDF summary
# without the page's stylesheets.
TICK = 'class="tick" font-size="10" fill="#5b6878"'
LABEL = 'class="label" font-size="12" font-weight="600"'
TAIL = 'class="tail" font-size="11" fill="#5b6878"'


@dataclass(frozen=True)
class Axis:
    start: date
    end: date

    def x(self, day: date) -> float:
        span = max(1, (self.end - self.start).days)
        return LABEL_W + (WIDTH - LABEL_W - RIGHT_W) * (day - self.start).days / span


def _shade(mg: float, minimum: float | None, augmentation: bool) -> str:
    if augmentation:
        return "#b9a6dc"
    if not minimum:
        return "#9fb6c8"
    ratio = mg / minimum
    if ratio < 1:
        return "#c7d9e8"  # below the adequate minimum
    if ratio < 1.5:
        return "#5b93bf"  # at the minimum
    return "#1f5f8b"  # well above it


def _axis(patient: Patient, as_of: date) -> Axis:
    days = [as_of]
    days += [e.onset for e in patient.episodes]
    days += [s.start for t in patient.trials for s in t.doses]
    days += [m.taken_on for m in patient.measurements]
    days += [t.start for t in patient.treatments]
    start = min(days) - timedelta(days=14)
    return Axis(date(start.year, start.month, 1), as_of + timedelta(days=21))


def _first_tick(start: date, step: int) -> date:
    """Return the first month boundary on or after ``start`` that starts a ``step``-month block
    of the calendar year (every 1 January when ``step`` is 12), so ticks sit where labelled."""
    day = start if start.day == 1 else _add_months(date(start.year, start.month, 1), 1)
    while (day.month - 1) % step:
        day = _add_months(day, 1)
    return day


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def _ticks(axis: Axis, top: int, bottom: int) -> list[str]:
    parts = []
    months = (axis.end.year - axis.start.year) * 12 + axis.end.month - axis.start.month
    step = 1 if months <= 12 else 3 if months <= 36 else 12
    day = _first_tick(axis.start, step)
    first = True
    while day <= axis.end:
        x = axis.x(day)
        label = day.strftime("%Y") if step == 12 else \
            day.strftime("%b %Y" if first or day.month == 1 else "%b")
        parts.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" '
                     f'class="grid" stroke="#e3e7ec" data-date="{day.isoformat()}"/>')
        parts.append(f'<text x="{x + 3:.1f}" y="{top + 12}" {TICK}>{label}</text>')
        day, first = _add_months(day, step), False
    return parts


def _trial_row(trial, verdict, axis: Axis, y: int, as_of: date) -> list[str]:
    agent = default_catalogue().resolve(trial.drug)
    minimum = agent.min_adequate_mg_per_day
    end = trial.stopped if trial.stopped and trial.stopped <= as_of else as_of
    label = f"{agent.generic}" + (" (aug.)" if not agent.is_antidepressant else "")
    parts = [f'<text x="6" y="{y + BAR_H - 2}" {LABEL}>{escape(label)}</text>']
    steps = list(trial.doses)
    for i, step in enumerate(steps):
        step_end = steps[i + 1].start if i + 1 < len(steps) else end
        x1, x2 = axis.x(step.start), axis.x(max(step_end, step.start + timedelta(days=1)))
        title = f"{agent.generic} {step.mg_per_day:g} mg/day from {step.start.isoformat()}"
        parts.append(
            f'<rect x="{x1:.1f}" y="{y}" width="{max(1.0, x2 - x1):.1f}" height="{BAR_H}" '
            f'fill="{_shade(step.mg_per_day, minimum, not agent.is_antidepressant)}" '
            f'class="dose"><title>{escape(title)}</title></rect>')
    if verdict.adequate_run_start and verdict.days_at_adequate_dose:
        x1 = axis.x(verdict.adequate_run_start)
        x2 = axis.x(verdict.adequate_run_start + timedelta(days=verdict.days_at_adequate_dose))
        cls, colour = ("window failed", "#b3261e") if verdict.failed else ("window", "#5b93bf")
        parts.append(f'<line x1="{x1:.1f}" y1="{y + BAR_H + 3}" x2="{x2:.1f}" '
                     f'y2="{y + BAR_H + 3}" class="{cls}" stroke="{colour}" stroke-width="3"/>')
    tail = trial.stop_reason.value.replace("_", " ") if trial.stop_reason else (
        "ongoing" if not trial.stopped or trial.stopped > as_of else "")
    if verdict.failed:
        tail = f"failed · {tail}" if tail else "failed"
    parts.append(f'<text x="{axis.x(end) + 4:.1f}" y="{y + BAR_H - 2}" {TAIL}>'
                 f'{escape(tail)}</text>')
    return parts


# PHQ-9 severity bands (Kroenke, Spitzer & Williams 2001), drawn behind the score lines.
PHQ9_BANDS = ((0, 4, "minimal", "#ffffff"), (5, 9, "mild", "#f6f8fa"),
              (10, 14, "moderate", "#fbf6ea"), (15, 19, "moderately severe", "#fbefe4"),
              (20, 27, "severe", "#fbe9e7"))


def _score_axis(instrument: str, high: int, axis: Axis, top: int) -> list[str]:
    """Return the y axis of the first instrument: its scale, and PHQ-9's severity bands."""
    left, right = LABEL_W, WIDTH - RIGHT_W

    def y(score: float) -> float:
        return top + SCORE_H - SCORE_H * score / high

    parts = []
    if instrument == "PHQ-9":
        for low, band_high, words, fill in PHQ9_BANDS:
            y1, y2 = y(band_high + (1 if band_high < high else 0)), y(low)
            parts.append(f'<rect x="{left}" y="{y1:.1f}" width="{right - left}" '
                         f'height="{y2 - y1:.1f}" fill="{fill}" class="band"/>')
            parts.append(f'<text x="{right + 4}" y="{(y1 + y2) / 2 + 3:.1f}" {TICK}>'
                         f'{words} {low}-{band_high}</text>')
        ticks = [0, 5, 10, 15, 20, high]
    else:
        ticks = [0, high // 2, high]
    parts.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + SCORE_H}" '
                 'class="score-axis" stroke="#5b6878"/>')
    for value in ticks:
        parts.append(f'<line x1="{left - 3}" y1="{y(value):.1f}" x2="{left}" '
                     f'y2="{y(value):.1f}" stroke="#5b6878"/>')
        parts.append(f'<text x="{left - 5}" y="{y(value) + 3:.1f}" text-anchor="end" '
                     f'{TICK}>{value}</text>')
    return parts


def _scores(patient: Patient, axis: Axis, top: int) -> list[str]:
    parts = [f'<text x="6" y="{top + 14}" {LABEL}>Scores</text>']
    by_instrument: dict[str, list] = {}
    for m in patient.measurements:
        by_instrument.setdefault(str(m.instrument), []).append(m)
    order = sorted(by_instrument, key=lambda name: name != "PHQ-9")  # PHQ-9 gives the axis
    for row, instrument in enumerate(order):
        items = by_instrument[instrument]
        high = rules.vocab.SCORE_RANGES[rules.vocab.Instrument(instrument)][1]
        if row == 0:
            parts += _score_axis(instrument, high, axis, top)
        colour = INSTRUMENT_COLOURS[instrument]
        points = [(axis.x(m.taken_on), top + SCORE_H - SCORE_H * m.score / high, m)
                  for m in items]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                     f'stroke-width="2" class="score-line" data-instrument="{instrument}"/>')
        for x, y, m in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}">'
                         f'<title>{instrument} {m.score} on {m.taken_on.isoformat()}</title>'
                         '</circle>')
            parts.append(f'<text x="{x:.1f}" y="{y - 5:.1f}" text-anchor="middle" '
                         f'font-size="10" fill="{colour}" class="score-value">{m.score}</text>')
        # the first instrument gives the axis (and PHQ-9 its bands); the others are drawn on
        # their own scale, which the legend must say so that 34 of 60 is not read as 34 of 27
        axis_words = ", axis" if row == 0 and len(order) > 1 else \
            ", own scale" if row else ""
        parts.append(f'<text x="6" y="{top + 32 + 14 * row}" class="tick" font-size="11" '
                     f'fill="{colour}">{instrument} (0-{high}){axis_words}</text>')
    return parts


def render(patient: Patient, result: rules.Assessment) -> Markup:
    """Return the patient's timeline as SVG markup, every text escaped."""
    as_of = result.as_of
    axis = _axis(patient, as_of)
    rows = len(patient.trials) + len(patient.treatments)
    chart_h = AXIS_H + max(1, rows) * ROW_H + 8
    height = chart_h + SCORE_H + 30
    parts = [f'<svg class="timeline" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="Treatment timeline of {escape(patient.name)}" '
             'xmlns="http://www.w3.org/2000/svg">']
    for episode in patient.episodes:
        x1 = axis.x(episode.onset)
        x2 = axis.x(min(episode.remission or axis.end, axis.end))
        current = episode.key == result.current_episode
        cls, fill = ("episode current", "#fbf3e4") if current else ("episode", "#f2f5f8")
        parts.append(f'<rect x="{x1:.1f}" y="0" width="{max(1.0, x2 - x1):.1f}" '
                     f'height="{chart_h}" class="{cls}" fill="{fill}"/>')
        words = f"episode {episode.key} · {episode.severity.value}"
        x_label = min(x1 + 4, WIDTH - 4 - 6 * len(words))  # never past the right edge
        parts.append(f'<text x="{x_label:.1f}" y="{chart_h - 4}" {TICK}>{escape(words)}</text>')
    parts += _ticks(axis, 0, height - 10)
    verdicts = {v.index: v for v in result.trials}
    y = AXIS_H
    for i, trial in enumerate(patient.trials):
        parts.append(f'<g class="trial-bar" data-drug="{escape(trial.drug)}">')
        parts += _trial_row(trial, verdicts[i], axis, y, as_of)
        parts.append("</g>")
        y += ROW_H
    for treatment in patient.treatments:
        x1 = axis.x(treatment.start)
        x2 = axis.x(treatment.end or as_of)
        label = str(treatment.kind) + (f" ({treatment.sessions})" if treatment.sessions else "")
        parts.append(f'<g class="treatment-bar"><text x="6" y="{y + BAR_H - 2}" {LABEL}>'
                     f'{escape(label)}</text><rect x="{x1:.1f}" y="{y}" '
                     f'width="{max(2.0, x2 - x1):.1f}" height="{BAR_H}" '
                     f'fill="{TREATMENT_COLOUR}"><title>{escape(treatment.detail)}</title>'
                     '</rect></g>')
        y += ROW_H
    x_today = axis.x(as_of)
    parts.append(f'<line x1="{x_today:.1f}" y1="0" x2="{x_today:.1f}" y2="{height - 10}" '
                 'class="today" stroke="#f0a500" stroke-width="1.5" stroke-dasharray="4 3"/>')
    parts += _scores(patient, axis, chart_h + 10)
    parts.append("</svg>")
    return Markup("".join(parts))
