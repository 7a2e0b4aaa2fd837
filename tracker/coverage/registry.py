"""The policies the app knows: those shipped with it, and those a clinic uploaded."""

from __future__ import annotations

from tracker.rules.coverage import Policy

from .load import shipped_policies


def known_policies() -> dict[str, Policy]:
    """Return every policy by id; an uploaded policy replaces a shipped one of the same id."""
    return dict(sorted(shipped_policies().items()))
