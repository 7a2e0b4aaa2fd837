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
INSTRUMENT_COLOURS = {"PHQ-9": "#1f5f8b", "MADRS": "#b3261e", "HAMD-17": "#2d6a3e",
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


def _scores(patient: Patient, axis: Axis, top: int) -> list[str]:
    parts = [f'<text x="6" y="{top + 14}" {LABEL}>Scores</text>']
    by_instrument: dict[str, list] = {}
    for m in patient.measurements:
        by_instrument.setdefault(str(m.instrument), []).append(m)
    for row, (instrument, items) in enumerate(by_instrument.items()):
        high = rules.vocab.SCORE_RANGES[rules.vocab.Instrument(instrument)][1]
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
        parts.append(f'<text x="6" y="{top + 32 + 14 * row}" class="tick" fill="{colour}">'
                     f'{instrument} (0-{high})</text>')
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
        parts.append(f'<text x="{x1 + 4:.1f}" y="{chart_h - 4}" {TICK}>'
                     f'episode {escape(episode.key)} · {episode.severity.value}</text>')
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
