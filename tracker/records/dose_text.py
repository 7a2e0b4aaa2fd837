"""Dose steps typed on one line, as quick entry takes them: "50 2024-03-10; 100 bid 2024-04-01".

Each step is an amount in mg per dose, optionally how often (once daily when not said), and the
date it started; steps are separated by ";" or ",". The reading is strict: anything it does not
know is an error naming the step, never a guess.
"""

from __future__ import annotations

import itertools
import re
from datetime import date

from tracker.operations import StepInput
from tracker.vocab import daily_total

# How often, as prescriptions write it; "at night" is once daily.
FREQUENCIES = {
    "": 1, "once daily": 1, "daily": 1, "qd": 1, "od": 1, "at night": 1, "nightly": 1,
    "qhs": 1, "nocte": 1, "twice daily": 2, "bid": 2, "bd": 2, "three times daily": 3,
    "tid": 3, "tds": 3, "four times daily": 4, "qid": 4, "qds": 4,
    **{f"x{n}": n for n in range(1, 7)}, **{f"{n}x": n for n in range(1, 7)},
}
STEP = re.compile(r"^(?P<amount>\d+(?:\.\d+)?)\s*(?:mg\b)?\s*(?P<often>.*?)\s*(?:from\s+)?"
                  r"(?P<day>\d{4}-\d{2}-\d{2})$", re.IGNORECASE)


class DoseTextError(ValueError):
    """Typed dose steps that cannot be read; the message names the step."""


def read_steps(text: str) -> list[StepInput]:
    """Return the dose steps typed in ``text`` in date order; raise ``DoseTextError``."""
    parts = [p.strip() for p in re.split(r"[;,]", text or "") if p.strip()]
    if not parts:
        raise DoseTextError("Give at least one dose step, e.g. 50 2024-03-10.")
    steps = [_step(part, n) for n, part in enumerate(parts, start=1)]
    for n, (before, after) in enumerate(itertools.pairwise(steps), start=2):
        if after.start <= before.start:
            raise DoseTextError(f"Step {n} ({after.start}) must start after step {n - 1}.")
    return steps


def _step(part: str, n: int) -> StepInput:
    found = STEP.match(" ".join(part.split()))
    if not found:
        raise DoseTextError(f"Step {n} ({part!r}): write mg per dose, how often if not once "
                            "daily, and the start date, e.g. 150 bid 2024-10-20.")
    often = found["often"].lower()
    if often not in FREQUENCIES:
        raise DoseTextError(f"Step {n}: {found['often']!r} is not a frequency (once daily, "
                            "twice daily or bid, tid, qid, at night).")
    try:
        start = date.fromisoformat(found["day"])
    except ValueError:
        raise DoseTextError(f"Step {n}: {found['day']} is not a calendar date.") from None
    amount, times = float(found["amount"]), FREQUENCIES[often]
    if amount <= 0:
        raise DoseTextError(f"Step {n}: the dose must be above 0 mg.")
    return StepInput(start, daily_total(amount, times), amount, times)


def write_steps(steps) -> str:
    """Return dose steps (with ``amount_mg`` and ``times_per_day``) as quick entry reads them."""
    names = {1: "", 2: " bid", 3: " tid", 4: " qid"}
    out = []
    for s in steps:
        amount = s.amount_mg or s.mg_per_day
        often = names.get(s.times_per_day or 1, f" x{s.times_per_day}")
        out.append(f"{amount:g}{often} {s.start.isoformat()}")
    return "; ".join(out)
