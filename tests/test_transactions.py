"""SQLite: a GET request reads without the write lock, and writes only after ``writing()``
(``tracker/transactions.py``); every other transaction takes the lock when it begins."""

import os
import sqlite3

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import OperationalError

from tests.conftest import app_on_a_fresh_database, login, make_user
from tracker.extensions import db
from tracker.models import User
from tracker.transactions import writing

pytestmark = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                                reason="SQLite's locking; PostgreSQL needs none of it")


@pytest.fixture
def file_app(tmp_path):
    """An app on a database file (another connection can hold its write lock), with three
    pages that only exist here: one reads, one writes, one writes after ``writing()``."""
    for app in app_on_a_fresh_database(
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/locks.sqlite"):
        @app.get("/probe/read")
        def read():
            return str(db.session.scalar(select(func.count(User.id))))

        @app.get("/probe/write")
        def write():
            db.session.execute(update(User).values(name=User.name + " (renamed)"))
            db.session.commit()
            return "written"

        @app.get("/probe/write-after-writing")
        def write_after_writing():
            count = db.session.scalar(select(func.count(User.id)))
            writing()
            db.session.execute(update(User).values(name=User.name + " (renamed)"))
            db.session.commit()
            return str(count)

        yield app


@pytest.fixture
def client(file_app):
    client = file_app.test_client()
    user = make_user()
    db.session.commit()
    login(client, user.email)
    return client


def _begins(engine) -> list[str]:
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_: seen.append(statement)
                 if statement.startswith("BEGIN") else None)
    return seen


def test_a_page_that_only_reads_does_not_wait_for_the_write_lock(file_app, client, tmp_path):
    other = sqlite3.connect(tmp_path / "locks.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another server is writing, and stays in the middle
    try:
        response = client.get("/probe/read")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert response.status_code == 200 and response.text == "1"


def test_a_write_in_a_reading_request_fails_at_once_as_a_bug(client):
    with pytest.raises(OperationalError, match="attempt to write a readonly database"):
        client.get("/probe/write")  # raised, not answered as "database unreachable"
    db.session.rollback()
    assert "(renamed)" not in db.session.scalar(select(User.name))


def test_after_writing_a_get_request_writes_in_a_transaction_that_takes_the_lock(client):
    begins = _begins(db.engine)
    response = client.get("/probe/write-after-writing")
    assert response.status_code == 200 and response.text == "1"
    assert begins == ["BEGIN", "BEGIN IMMEDIATE"]
    db.session.expire_all()
    assert db.session.scalar(select(User.name)).endswith("(renamed)")


def test_a_form_post_takes_the_write_lock_when_it_begins(client):
    begins = _begins(db.engine)
    client.post("/logout")
    assert begins and set(begins) == {"BEGIN IMMEDIATE"}


def test_outside_a_request_transactions_take_the_write_lock(file_app):
    begins = _begins(db.engine)
    make_user()
    db.session.commit()
    assert begins == ["BEGIN IMMEDIATE"]
