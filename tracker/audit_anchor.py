"""Signed checkpoints of the audit trail, kept outside the database.

The keyed chain stops anyone without the key from rewriting events; it cannot show that the
newest events were removed, since the shortened chain is still a valid chain. A checkpoint
(head hash, event count, id of the newest event) signed with the audit key and written to a
file elsewhere remembers the head: ``check`` finds the trail cut short or rewritten before it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.audit import verify
from tracker.models import AuditEvent


@dataclass(frozen=True)
class Checkpoint:
    """The trail's head at one moment, signed with the audit key."""

    at: str
    events: int
    last_id: int | None
    head: str
    signature: str = ""

    def signed(self) -> Checkpoint:
        return Checkpoint(self.at, self.events, self.last_id, self.head, _sign(self))

    def line(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


def _sign(checkpoint: Checkpoint) -> str:
    fields = {"at": checkpoint.at, "events": checkpoint.events, "last_id": checkpoint.last_id,
              "head": checkpoint.head}
    message = "audit-checkpoint:" + json.dumps(fields, sort_keys=True)
    key = current_app.config["AUDIT_HMAC_KEY"].encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def take(session: Session) -> Checkpoint:
    """Return a signed checkpoint of the trail; raise ``ValueError`` if the chain is broken."""
    result = verify(session)
    if not result.intact:
        raise ValueError(f"the trail is broken at event {result.broken_at}: {result.problem}")
    last_id = session.scalar(select(func.max(AuditEvent.id)))
    at = datetime.now(UTC).isoformat(timespec="seconds")
    return Checkpoint(at, result.events, last_id, result.head).signed()


def read(text: str) -> list[Checkpoint]:
    """Return the checkpoints of an anchor file (one JSON object per line)."""
    return [Checkpoint(**json.loads(line)) for line in text.splitlines() if line.strip()]


def check(session: Session, checkpoint: Checkpoint) -> str | None:
    """Return what is wrong between the trail and ``checkpoint``, or None if it still holds."""
    if not hmac.compare_digest(_sign(checkpoint), checkpoint.signature):
        return f"the checkpoint of {checkpoint.at} is not signed with this audit key"
    if checkpoint.last_id is None:
        return None
    head = session.scalar(select(AuditEvent.hash).where(AuditEvent.id == checkpoint.last_id))
    count = session.scalar(select(func.count()).select_from(AuditEvent)
                           .where(AuditEvent.id <= checkpoint.last_id))
    if head is None:
        return (f"event {checkpoint.last_id}, the newest at the checkpoint of {checkpoint.at}, "
                "is missing: the trail was cut short")
    if head != checkpoint.head or count != checkpoint.events:
        return (f"the trail up to event {checkpoint.last_id} is not the one checkpointed at "
                f"{checkpoint.at}: it was rewritten")
    return None
