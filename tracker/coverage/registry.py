"""The policies the app knows (shipped and uploaded) and the ones the clinic enabled."""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import delete, select, update

from tracker.extensions import db
from tracker.models import CoveragePolicySetting, StoredAssessment, User
from tracker.rules.coverage import Policy

from .load import parse_policy, shipped_policies
from .validate import InvalidPolicy

log = logging.getLogger(__name__)
STALE = date(1900, 1, 1)  # a valid_until that makes the panel recompute the stored verdict


def _settings() -> list[CoveragePolicySetting]:
    return list(db.session.scalars(select(CoveragePolicySetting)))


def known_policies(settings: list[CoveragePolicySetting] | None = None) -> dict[str, Policy]:
    """Return every policy by id; an uploaded policy replaces a shipped one of the same id."""
    policies = shipped_policies()
    for row in settings if settings is not None else _settings():
        if row.text is None:
            continue
        try:
            policies[row.policy_id] = parse_policy(row.text)
        except InvalidPolicy as error:  # validated on upload; only a later schema change
            log.error("uploaded coverage policy %s no longer loads: %s", row.policy_id, error)
    return dict(sorted(policies.items()))


def enabled_policies() -> dict[str, Policy]:
    """Return the policies the clinic enabled, by id."""
    settings = _settings()
    known = known_policies(settings)
    return {r.policy_id: known[r.policy_id] for r in sorted(settings, key=lambda r: r.policy_id)
            if r.enabled and r.policy_id in known}


def _setting(policy_id: str, user: User | None) -> CoveragePolicySetting:
    row = db.session.get(CoveragePolicySetting, policy_id)
    if row is None:
        row = CoveragePolicySetting(policy_id=policy_id, enabled=False)
        db.session.add(row)
    row.updated_at = datetime.now()
    row.updated_by_id = user.id if user else None
    return row


def mark_verdicts_stale() -> None:
    """Make every stored verdict stale so that coverage is recomputed when next read."""
    db.session.execute(update(StoredAssessment).values(valid_until=STALE))


def set_enabled(enabled: set[str], user: User | None) -> None:
    """Enable exactly the policies in ``enabled`` (known ids); flush, not commit."""
    from tracker.models import StoredCoverage

    known = known_policies()
    unknown = enabled - set(known)
    if unknown:
        raise KeyError(f"unknown policies: {', '.join(sorted(unknown))}")
    for policy_id in known:
        row = db.session.get(CoveragePolicySetting, policy_id)
        if (row is not None and row.enabled) != (policy_id in enabled):
            _setting(policy_id, user).enabled = policy_id in enabled
    db.session.execute(delete(StoredCoverage).where(StoredCoverage.policy_id.not_in(enabled)))
    mark_verdicts_stale()
    db.session.flush()


def upload_policy(text: str, user: User | None) -> Policy:
    """Store a policy file after validating it whole; raise ``InvalidPolicy``; flush."""
    policy = parse_policy(text)
    _setting(policy.id, user).text = text
    mark_verdicts_stale()
    db.session.flush()
    return policy
