"""Which episode is current, and which trials and treatments belong to it."""

from __future__ import annotations

from datetime import date

from .history import Episode, History

IMPLICIT = None  # the key of the implicit episode of a history that records none
CURRENT, IN_REMISSION = "current", "in_remission"


def current_episode(history: History, as_of: date) -> Episode | None:
    """Return the episode with the latest onset on or before ``as_of``, or None.

    Of episodes with the same onset, the first recorded.
    """
    current = None
    for e in history.episodes:
        if e.onset <= as_of and (current is None or e.onset > current.onset):
            current = e
    return current


def episode_of(history: History, named: str | None, day: date) -> str | None:
    """Return the key of the episode an item belongs to.

    ``named`` wins when given; otherwise the episode whose window holds ``day`` (the latest onset
    if several do). None means no episode holds it, or the history records no episodes at all.
    """
    if named is not None:
        return named
    holding = [e for e in history.episodes if e.holds(day)]
    chosen = max(holding, key=lambda e: e.onset, default=None)
    return chosen.key if chosen else None


def in_current(history: History, named: str | None, day: date, as_of: date) -> bool:
    """Say whether an item dated ``day`` belongs to the current episode, without the words."""
    if not history.episodes:
        return True
    current = current_episode(history, as_of)
    return current is not None and episode_of(history, named, day) == current.key


def membership(history: History, named: str | None, day: date, as_of: date) -> tuple[bool, str]:
    """Say whether an item dated ``day`` belongs to the current episode, and why in words."""
    if not history.episodes:
        return True, "no episodes recorded: every trial counts toward one current episode"
    current = current_episode(history, as_of)
    if current is None:
        return False, f"no episode had begun by {as_of.isoformat()}"
    key = episode_of(history, named, day)
    if key == current.key:
        return True, f"in the current episode {current.key}"
    if key is None:
        return False, f"{day.isoformat()} falls in no recorded episode"
    return False, f"belongs to episode {key}, not the current episode {current.key}"


def episode_state(episode: Episode | None, as_of: date) -> tuple[str | None, date | None]:
    """Return the current episode's state and remission date as known on ``as_of`` (rule 4).

    A remission dated after the as-of date is not yet known: the episode is still current.
    """
    if episode is None:
        return None, None
    if episode.remission is not None and episode.remission <= as_of:
        return IN_REMISSION, episode.remission
    return CURRENT, None
