"""How long a verdict holds: the next date on which it could change without new data.

A stored verdict is recomputed on or after this date (issue 15: no slow mornings). Time alone
changes a verdict when an ongoing course reaches the profile's duration, when the current
episode crosses a Maudsley duration band (13 and 25 whole months), and when anything dated in
the future (a first dose, a dose step, a stop, a score, a treatment, an onset or a remission)
arrives.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta

from .courses import Run
from .episodes import current_episode
from .history import History
from .profiles import Profile
from .staging import MSM_DURATION
from .verdicts import CourseVerdict

# The first whole-month counts that score more duration points (Maudsley: <= 12 is 1, ...).
BAND_MONTHS = tuple(at_most + 1 for at_most, _ in MSM_DURATION)


def first_day_of_months(onset: date, months: int) -> date:
    """Return the first date on which ``months_between(onset, day)`` reaches ``months``.

    That is the onset's day of the month ``months`` later, or the first of the month after it
    when that month is too short (31 January plus one month: 1 March).
    """
    year, month = divmod(onset.month - 1 + months, 12)
    first = date(onset.year + year, month + 1, 1)
    length = monthrange(first.year, first.month)[1]
    if onset.day <= length:
        return first.replace(day=onset.day)
    return first + timedelta(days=length)


def _adequate_date(run: Run, profile: Profile, as_of: date) -> date:
    return as_of + timedelta(days=profile.min_days - run.current_days)


def dated_after(history: History, as_of: date) -> list[date]:
    """Return every date in the history that lies after ``as_of``."""
    days = [e.onset for e in history.episodes] + [e.remission for e in history.episodes
                                                  if e.remission]
    for trial in history.trials:
        days += [s.start for s in trial.doses] + ([trial.stopped] if trial.stopped else [])
    days += [m.day for m in history.measurements]
    days += [t.start for t in history.treatments] + [t.end for t in history.treatments if t.end]
    return [d for d in days if d > as_of]


def valid_until(history: History, verdicts: list[CourseVerdict], profile: Profile,
                as_of: date) -> date | None:
    """Return the first date after ``as_of`` on which the verdict could change, or None."""
    days = dated_after(history, as_of)
    for v in verdicts:
        minimum = v.course.agent.min_adequate_mg_per_day or 0
        if (v.run.adequate_on is None and v.course.ongoing(as_of)
                and v.course.current_dose(as_of) >= minimum):
            days.append(_adequate_date(v.run, profile, as_of))
    episode = current_episode(history, as_of)
    if episode is not None and (episode.remission is None or episode.remission > as_of):
        days += [d for d in (first_day_of_months(episode.onset, m) for m in BAND_MONTHS)
                 if d > as_of]
    return min(days, default=None)
