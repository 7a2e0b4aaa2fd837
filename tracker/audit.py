"""Writing and checking the audit trail (HIPAA 164.312(b); ONC 170.315(d)(10)).

Every change to a clinical row or an account is recorded by a flush listener, in the same
transaction as the change, with its before and after values; views record sign-ins, chart
views and exports with ``record``. Events form a chain keyed with ``AUDIT_HMAC_KEY`` (HMAC):
``verify`` finds the first link that was altered, removed or reordered, and no one without
the key can write a chain that passes. One appender at a time: PostgreSQL takes an advisory
lock, SQLite's writing transactions take the write lock when they begin (``transactions``).
"""

from __future__ import annotations

import getpass
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import Enum

from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy import event, insert, inspect, select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    DoseStep,
    Episode,
    Measurement,
    Patient,
    Treatment,
    Trial,
    User,
)
from tracker.models.audit import GENESIS, event_hash
from tracker.transactions import writing

AUDITED = {Patient: "patient", Episode: "episode", Trial: "trial", DoseStep: "dose_step",
           Measurement: "measurement", Treatment: "treatment", User: "user"}
REDACTED = {"password_hash", "session_token"}
_CHAIN_LOCK = 727_001  # PostgreSQL advisory lock: one appender at a time keeps the chain linear


def record(action: str, *, patient: Patient | None = None, entity: str = "",
           entity_id: int | None = None, detail: dict | None = None,
           actor: User | None = None) -> None:
    """Append one event to the trail in the current transaction (the caller commits); in a
    read-only request, from here on the request writes (``transactions.writing``)."""
    writing()
    if patient is not None:
        entity, entity_id = entity or "patient", entity_id or patient.id
    _append(db.session, [_event(action, entity, entity_id,
                                patient.id if patient else None, detail or {}, actor)])


def record_export(what: str, patient: Patient | None = None, *, entity: str = "",
                  detail: dict | None = None) -> None:
    """Record that ``what`` (a format, e.g. ``"pdf"``) was exported: of one patient, or of
    the panel (many patients) unless ``entity`` names what else."""
    record("export", patient=patient, entity=entity or ("patient" if patient else "panel"),
           detail={"format": what, **(detail or {})})


def record_view(page: str, patient: Patient | None = None, *, detail: dict | None = None,
                patients: list[int] | None = None) -> None:
    """Record that a page showing patient data was seen: one patient's, or a list of them
    (``patients``, their ids), for the request to commit."""
    extra = {"page": page, **(detail or {})}
    if patients is not None:
        extra["patients"] = patients
    record("view_page", patient=patient, detail=extra)


def _actor(actor: User | None) -> tuple[int | None, str, str]:
    """Return (user id, name, address) of who acts: the signed-in user, or the command line."""
    address = (request.remote_addr or "") if has_request_context() else ""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if actor is not None:
        return actor.id, actor.email, address
    if has_request_context():
        return None, "anonymous", address
    return None, f"command line ({getpass.getuser()})", address


def _event(action, entity, entity_id, patient_id, detail, actor=None) -> dict:
    actor_id, actor_name, address = _actor(actor)
    return {
        "at": datetime.now(UTC).replace(tzinfo=None), "actor_id": actor_id, "actor": actor_name,
        "action": action, "entity": entity, "entity_id": entity_id, "patient_id": patient_id,
        "detail": json.dumps(detail, sort_keys=True, separators=(",", ":"), default=_plain),
        "remote_addr": address,
    }


def _plain(value):
    """Turn dates, enums and other values into JSON for the event detail."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    return str(value)


def _append(session: Session, events: list[dict]) -> None:
    """Chain ``events`` after the newest event and insert them, in order."""
    if not events:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK})
    newest = select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    prev = connection.execute(newest).scalar() or GENESIS
    for row in events:
        content = dict(row, at=row["at"].isoformat(timespec="microseconds"))
        row["prev_hash"], row["hash"] = prev, event_hash(prev, content, _key())
        prev = row["hash"]
    connection.execute(insert(AuditEvent.__table__), events)


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, _context) -> None:
    """Record each audited row the flush created, changed or deleted, with its values."""
    events = []
    for obj in _in_order(session.new):
        events.append(_change(session, obj, "create", _values(obj, after=True)))
    for obj in _in_order(session.dirty):
        changes = _changes(obj)
        if changes:
            action = "entered_in_error" if "entered_in_error_at" in changes else "update"
            events.append(_change(session, obj, action, changes))
    deleted = set(session.deleted) | session.info.pop(_DELETED, set())
    for obj in _in_order(deleted):
        events.append(_change(session, obj, "delete", _values(obj, after=False)))
    _append(session, events)


_DELETED = "audit_deleted"


def _collect_delete(_mapper, _connection, target) -> None:
    """Remember every audited row the flush deletes: ``session.deleted`` lists only those
    deleted by name, not orphans such as the dose steps a trial edit replaces."""
    session = inspect(target).session
    if session is not None:
        session.info.setdefault(_DELETED, set()).add(target)


for _model in AUDITED:
    event.listen(_model, "after_delete", _collect_delete)


def _in_order(objects) -> list:
    """Return the audited objects among ``objects``: patients first, then by kind and id."""
    kinds = list(AUDITED)
    audited = [o for o in objects if type(o) in AUDITED]
    return sorted(audited, key=lambda o: (kinds.index(type(o)), o.id or 0))


def _change(session: Session, obj, action: str, detail: dict) -> dict:
    return _event(action, AUDITED[type(obj)], obj.id, _patient_id(session, obj), detail)


def _patient_id(session: Session, obj) -> int | None:
    if isinstance(obj, Patient):
        return obj.id
    if isinstance(obj, DoseStep):
        # the step's trial: still linked (created), unlinked by this flush (orphan), or by id
        link = inspect(obj).attrs.trial.history
        trial = next(iter(link.added or link.unchanged or link.deleted), None) or \
            session.identity_map.get(identity_key(Trial, obj.trial_id)) or \
            session.get(Trial, obj.trial_id)
        return trial.patient_id if trial is not None else None
    return getattr(obj, "patient_id", None)


def _columns(obj):
    return [a for a in inspect(obj).mapper.column_attrs if a.key not in ("id", "version")]


def _values(obj, after: bool) -> dict:
    """Return every column of ``obj`` as it is (``after``) or as it was before the flush."""
    values = {}
    for attr in _columns(obj):
        history = inspect(obj).attrs[attr.key].history
        value = (history.added or history.unchanged or [None])[0] if after else \
            (history.deleted or history.unchanged or [getattr(obj, attr.key, None)])[0]
        values[attr.key] = "(redacted)" if attr.key in REDACTED else value
    return values


def _changes(obj) -> dict:
    """Return ``{column: {"before": ..., "after": ...}}`` for the columns the flush changed."""
    changes = {}
    for attr in _columns(obj):
        history = inspect(obj).attrs[attr.key].history
        if history.added or history.deleted:
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if attr.key in REDACTED:
                before, after = "(redacted)", "(changed)"
            changes[attr.key] = {"before": before, "after": after}
    if isinstance(obj, Patient):
        team = inspect(obj).attrs.clinicians.history
        if team.added or team.deleted:
            changes["care_team"] = {"added": [u.email for u in team.added],
                                    "removed": [u.email for u in team.deleted]}
    return changes


@dataclass(frozen=True)
class Verification:
    """The outcome of checking the chain: how many events, and the first broken one if any."""

    events: int
    head: str
    broken_at: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def _key() -> str:
    return current_app.config["AUDIT_HMAC_KEY"]


def verify(session: Session) -> Verification:
    """Walk the trail in order and return where, if anywhere, the chain breaks."""
    key = _key()
    prev, count = GENESIS, 0
    query = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
    rows = session.scalars(query)
    try:
        for row in rows:
            if row.prev_hash != prev:
                return Verification(count, prev, row.id, "it does not follow the event before "
                                    "it: an event was removed or reordered")
            if not hmac.compare_digest(row.expected_hash(key), row.hash):
                hint = "" if count else \
                    " (or AUDIT_HMAC_KEY is not the key the trail was written with)"
                return Verification(count, prev, row.id,
                                    "its content was changed after it was written" + hint)
            prev, count = row.hash, count + 1
    finally:
        rows.close()  # a broken link ends the walk early: free the server-side cursor
    return Verification(count, prev)
