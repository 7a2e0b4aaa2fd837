"""The audit trail: filter, page through and download events.

Admins see who did what to which record and when; the clinical detail of events about a
patient (names, dates of birth, drugs, scores, notes) is shown to privacy officers only.
Every read of the trail is itself recorded, with the filter and whether detail was shown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import func, select

from tracker import audit
from tracker.admin import bp
from tracker.extensions import db
from tracker.interchange.csv_export import csv_response
from tracker.main.edge import int_arg
from tracker.models import AuditEvent

PAGE_SIZE = 50
WITHHELD = "(clinical detail: privacy officers only)"
HEADER = ["id", "at_utc", "actor", "action", "entity", "entity_id", "patient_id", "detail",
          "remote_addr", "prev_hash", "hash"]


@dataclass(frozen=True)
class AuditFilter:
    """What the admin asked for; empty fields match everything."""

    actor: str = ""
    action: str = ""
    patient: int | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_args(cls, args) -> AuditFilter:
        return cls(actor=args.get("actor", "").strip().lower()[:254],
                   action=args.get("action", "").strip()[:40],
                   patient=int_arg("patient"),
                   since=_day(args.get("since")), until=_day(args.get("until")))

    def select(self):
        query = select(AuditEvent)
        if self.actor:
            query = query.where(func.lower(AuditEvent.actor).contains(self.actor,
                                                                      autoescape=True))
        if self.action:
            query = query.where(AuditEvent.action == self.action)
        if self.patient is not None:
            query = query.where(AuditEvent.patient_id == self.patient)
        if self.since:
            query = query.where(AuditEvent.at >= datetime.combine(self.since, datetime.min.time()))
        if self.until:
            end = datetime.combine(self.until + timedelta(days=1), datetime.min.time())
            query = query.where(AuditEvent.at < end)
        return query

    def args(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in ("", None)}


def _day(raw: str | None) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def shown_detail(event: AuditEvent) -> str:
    """Return the event's detail as the signed-in reader may see it."""
    if event.patient_id is None or current_user.reads_clinical_audit_detail:
        return event.detail
    return WITHHELD


def _record_read(what: str, wanted: AuditFilter, **extra) -> None:
    audit.record("read_audit_trail", detail={
        "as": what, "filter": wanted.args(), **extra,
        "clinical_detail": current_user.reads_clinical_audit_detail})


@bp.route("/audit")
def audit_events():
    wanted = AuditFilter.from_args(request.args)
    page = int_arg("page", 1)
    found = db.paginate(wanted.select().order_by(AuditEvent.id.desc()), page=page,
                        per_page=PAGE_SIZE, error_out=False)
    actions = db.session.scalars(select(AuditEvent.action).distinct()
                                 .order_by(AuditEvent.action)).all()
    _record_read("page", wanted, page=found.page)
    db.session.commit()
    return render_template("admin/audit.html", events=found.items, wanted=wanted,
                           page=found.page, pages=found.pages, total=found.total,
                           actions=actions, shown_detail=shown_detail)


@bp.route("/audit.csv")
def audit_csv():
    """Download the filtered events, oldest first, with their hashes for an outside check."""
    wanted = AuditFilter.from_args(request.args)
    audit.record_export("csv", entity="audit_events", detail={
        **wanted.args(), "clinical_detail": current_user.reads_clinical_audit_detail})
    db.session.commit()
    query = wanted.select().order_by(AuditEvent.id).execution_options(yield_per=1000)
    rows = ([e.id, e.at, e.actor, e.action, e.entity, e.entity_id, e.patient_id,
             shown_detail(e), e.remote_addr, e.prev_hash, e.hash]
            for e in db.session.scalars(query))
    return csv_response("audit-events.csv", HEADER, rows)
