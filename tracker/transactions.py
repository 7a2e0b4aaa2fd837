"""SQLite's one writer: pages that only read do not wait for it.

SQLite lets one connection write at a time. A transaction that may write begins with
``BEGIN IMMEDIATE``: it takes the write lock at once (waiting up to the busy timeout), so two
app servers never read the same audit head and then both append to it, and no reader has to
upgrade to a writer mid-transaction (which SQLite refuses under concurrency: "database is
locked"). Taking that lock for a page that only reads would queue every page behind every
other, so a GET request reads in a plain transaction (no lock in WAL mode) made read-only
(``PRAGMA query_only``: a write there fails at once, in the tests too, rather than under load).
Before a GET request writes (an audit event, a recomputed verdict, the session's last-seen
time) it calls ``writing()``: the read transaction ends, keeping what it loaded, and the next
one takes the write lock. PostgreSQL needs none of this: ``writing()`` does nothing there.
"""

from __future__ import annotations

from flask import Flask, g, has_app_context, request
from sqlalchemy import event

from tracker.extensions import db

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_METHODS = ("GET", "HEAD")


def configure_sqlite(app: Flask, engine) -> None:
    """Make SQLite honour foreign keys as PostgreSQL does, wait for the write lock, and begin
    each transaction as a writer unless this request only reads (see the module)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # the driver begins nothing: "begin" below does
        dbapi_connection.execute("PRAGMA foreign_keys=ON")
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            dbapi_connection.execute("PRAGMA journal_mode=WAL")  # readers never block the writer

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        read = _reading()
        connection.connection.driver_connection.execute(f"PRAGMA query_only={int(read)}")
        connection.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")
        if read:
            g.read_open = True

    app.before_request(_read_only_request)
    app.teardown_request(_end_read)


def _reading() -> bool:
    return has_app_context() and g.get("reading", False)


def _read_only_request() -> None:
    if request.method in READ_METHODS:
        g.reading = True


def _end_read(_error) -> None:
    """End a read-only request's transaction: the app context, and its session, can outlive
    the request (the tests and the benchmark keep one open)."""
    g.pop("reading", None)
    if g.pop("read_open", False):
        db.session.rollback()


def writing() -> None:
    """Let this request write from here on: end its read-only transaction, if one is open,
    without expiring what it loaded; the next statement begins a writing transaction."""
    if not _reading():
        return
    g.reading = False
    if not g.pop("read_open", False):
        return  # the session's transaction is not this request's reading one
    session = db.session()
    keep, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()  # nothing to write: it only ends the read
    finally:
        session.expire_on_commit = keep
