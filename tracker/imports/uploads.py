"""Uploads kept on the server between the preview and Accept or Cancel.

An upload is stored under a random token that the clinician's signed session also holds; it
answers only to that clinician and that session, for an hour. Functions here flush, never commit.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from flask import session
from sqlalchemy import delete

from tracker.extensions import db
from tracker.interchange.json_reader import MAX_DOCUMENT_BYTES
from tracker.models import PendingImport, User

LIMIT = MAX_DOCUMENT_BYTES  # bytes of one upload
LIFETIME = timedelta(hours=1)
SESSION_KEY = "import_token"


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def keep(user: User, filename: str, content: bytes) -> str:
    """Store an upload for ``user`` and this session; return its token."""
    db.session.execute(delete(PendingImport).where(PendingImport.created_at < _now() - LIFETIME))
    token = secrets.token_urlsafe(32)
    db.session.add(PendingImport(token=token, user_id=user.id, filename=filename[:255],
                                 content=content))
    db.session.flush()
    session[SESSION_KEY] = token
    return token


def pending(user: User, token: str) -> PendingImport | None:
    """Return the user's upload under ``token`` if this session holds it and it is fresh."""
    if not token or not secrets.compare_digest(session.get(SESSION_KEY, ""), token):
        return None
    upload = db.session.get(PendingImport, token)
    if upload is None or upload.user_id != user.id or upload.created_at < _now() - LIFETIME:
        return None
    return upload


def discard(upload: PendingImport) -> None:
    """Forget an upload (after Accept or Cancel)."""
    db.session.delete(upload)
    session.pop(SESSION_KEY, None)
    db.session.flush()
