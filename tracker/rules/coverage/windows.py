"""Which records fall in a criterion's window: the current episode, or the last N months."""

from __future__ import annotations

from calendar import monthrange
from datetime import date

from ..episodes import in_current
from ..history import History
from .policy import CURRENT_EPISODE


def months_before(day: date, months: int) -> date:
    """Return the date ``months`` calendar months before ``day`` (clamped to the month's end)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def window_start(window: object, as_of: date) -> date | None:
    """Return the first day of a lookback window, or None for the current episode."""
    if window == CURRENT_EPISODE:
        return None
    return months_before(as_of, int(window["lookback_months"]))  # type: ignore[index]


def in_window(history: History, window: object, named: str | None, start: date, last: date,
              as_of: date) -> bool:
    """Say whether an item from ``start`` to ``last`` (inclusive) lies in the window.

    The current episode holds the items that belong to it; a lookback window holds the items
    whose last day is on or after its first day (both ends inclusive).
    """
    if start > as_of:
        return False
    first = window_start(window, as_of)
    if first is None:
        return in_current(history, named, start, as_of)
    return last >= first


def describe_window(window: object) -> str:
    """Return the window in words."""
    if window == CURRENT_EPISODE:
        return "in the current episode"
    return f"in the last {window['lookback_months']} months"  # type: ignore[index]
