"""The audit trail: an append-only, hash-chained log of who did what to which record."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

from sqlalchemy import DDL, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db

GENESIS = "0" * 64  # the previous hash of the first event


class AuditEvent(db.Model):
    """One event. ``hash`` is an HMAC over every other column and the previous event's hash.

    Rows are only ever inserted: database triggers refuse UPDATE and DELETE, and the keyed hash
    chain exposes any change made around them (``flask audit verify``): without the key, which
    is kept outside the database, no one can write a chain that verifies.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_patient_at", "patient_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True, comment="UTC, microseconds")
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor: Mapped[str] = mapped_column(String(254), comment="email at the time, or 'system'")
    action: Mapped[str] = mapped_column(String(40), index=True)
    entity: Mapped[str] = mapped_column(String(40), default="")
    entity_id: Mapped[int | None]
    patient_id: Mapped[int | None] = mapped_column(comment="no foreign key: the log outlives rows")
    detail: Mapped[str] = mapped_column(Text, default="{}", comment="canonical JSON")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def expected_hash(self, key: str) -> str:
        """Return the HMAC of this event's content chained to ``prev_hash``, under ``key``."""
        return event_hash(self.prev_hash, self.content(), key)

    def content(self) -> dict:
        return {
            "at": self.at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id, "actor": self.actor, "action": self.action,
            "entity": self.entity, "entity_id": self.entity_id, "patient_id": self.patient_id,
            "detail": self.detail, "remote_addr": self.remote_addr,
        }

    @property
    def details(self) -> dict:
        return json.loads(self.detail)


def event_hash(prev_hash: str, content: dict, key: str) -> str:
    """Return the chain hash of an event's ``content`` after ``prev_hash``: HMAC-SHA-256."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key.encode(), (prev_hash + canonical).encode(), hashlib.sha256).hexdigest()


def plain_event_hash(prev_hash: str, content: dict) -> str:
    """Return the unkeyed SHA-256 chain hash of trails written before the key (migration)."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


# Append-only in the database itself, not just in this code.
APPEND_ONLY = {
    "sqlite": [
        f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON audit_events "
        f"BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
        for verb in ("UPDATE", "DELETE")
    ],
    "postgresql": [
        "CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$",
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
        "ON audit_events FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()",
    ],
}
DROP_APPEND_ONLY = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_events_no_update",
               "DROP TRIGGER IF EXISTS audit_events_no_delete"],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
                   "DROP FUNCTION IF EXISTS audit_events_append_only()"],
}

for _dialect, _statements in APPEND_ONLY.items():
    for _statement in _statements:
        event.listen(AuditEvent.__table__, "after_create",
                     DDL(_statement).execute_if(dialect=_dialect))
for _dialect, _statements in DROP_APPEND_ONLY.items():
    for _statement in _statements:
        event.listen(AuditEvent.__table__, "before_drop",
                     DDL(_statement).execute_if(dialect=_dialect))
