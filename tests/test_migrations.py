"""The migration chain builds the whole schema on a blank database and matches the models."""

import flask_migrate
import pytest
from sqlalchemy import inspect, text

from tracker import create_app
from tracker.extensions import db


@pytest.fixture
def blank_app(tmp_path):
    import config

    url = config.TestingConfig.SQLALCHEMY_DATABASE_URI
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path}/migrated.sqlite"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        _wipe()
        yield app
        _wipe()
        db.engine.dispose()


def _wipe():
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))


def test_upgrade_builds_every_table_and_check_finds_no_drift(blank_app):
    flask_migrate.upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    flask_migrate.check()  # exits non-zero (raises SystemExit) on drift


def test_downgrade_to_base_removes_the_schema(blank_app):
    flask_migrate.upgrade()
    flask_migrate.downgrade(revision="base")
    assert not set(db.metadata.tables) & set(inspect(db.engine).get_table_names())


INITIAL = "6f3c021e4e79"


def test_upgrade_keeps_existing_records_and_fills_new_columns(blank_app):
    """Rows written under the first schema survive every later migration (on SQLite the
    batch rebuild of a parent table must not cascade-delete its children)."""
    flask_migrate.upgrade(revision=INITIAL)
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (id, email, name, role, password_hash, active, created_at) "
            "VALUES (1, 'old@example.org', 'Dr Old', 'clinician', 'x', true, "
            "CURRENT_TIMESTAMP)"))
        connection.execute(text(
            "INSERT INTO patients (id, mrn, name, birth_date, sex, created_at) "
            "VALUES (1, 'OLD-1', 'Old Patient', '1970-01-01', 'female', CURRENT_TIMESTAMP)"))
        connection.execute(text("INSERT INTO care_team (patient_id, user_id) VALUES (1, 1)"))
        connection.execute(text(
            "INSERT INTO episodes (id, patient_id, key, onset, severity, psychotic) "
            "VALUES (1, 1, 'e1', '2024-01-01', 'moderate', false)"))
    flask_migrate.upgrade()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM care_team")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM episodes")).scalar() == 1
        token, = connection.execute(text("SELECT session_token FROM users")).one()
        study, = connection.execute(text("SELECT study_id FROM patients")).one()
        icd, = connection.execute(text("SELECT icd10 FROM episodes")).one()
        sort_name, = connection.execute(text("SELECT sort_name FROM patients")).one()
    assert len(token) >= 20 and len(study) == 16 and icd == ""
    assert sort_name == "patient old"


BEFORE_KEYED_CHAIN = "c19070090ef7"  # the revision before the keyed chain


def _plain_events(connection, n: int) -> None:
    """Write ``n`` events chained with plain SHA-256, as the app did before the keyed chain."""
    from datetime import datetime

    from tracker.models.audit import GENESIS, plain_event_hash

    prev = GENESIS
    for i in range(1, n + 1):
        at = datetime(2025, 1, i, 10, 0, 0, 123456)
        content = {"at": at.isoformat(timespec="microseconds"), "actor_id": None,
                   "actor": "command line (x)", "action": "export", "entity": "panel",
                   "entity_id": None, "patient_id": None, "detail": f'{{"n":{i}}}',
                   "remote_addr": ""}
        digest = plain_event_hash(prev, content)
        connection.execute(text(
            "INSERT INTO audit_events (id, at, actor_id, actor, action, entity, entity_id, "
            "patient_id, detail, remote_addr, prev_hash, hash) VALUES (:id, :at, NULL, "
            ":actor, :action, :entity, NULL, NULL, :detail, '', :prev, :hash)"),
            {"id": i, "at": at, "actor": content["actor"], "action": "export",
             "entity": "panel", "detail": content["detail"], "prev": prev, "hash": digest})
        prev = digest


def test_upgrade_rechains_the_existing_trail_with_the_key_and_downgrade_undoes_it(blank_app):
    from tracker import audit

    flask_migrate.upgrade(revision=BEFORE_KEYED_CHAIN)
    with db.engine.begin() as connection:
        _plain_events(connection, 3)
    flask_migrate.upgrade()
    result = audit.verify(db.session)
    assert result.intact and result.events == 3
    db.session.remove()
    flask_migrate.downgrade(revision=BEFORE_KEYED_CHAIN)
    assert not audit.verify(db.session).intact  # plain SHA-256 again: not this key's chain
    db.session.remove()


def test_upgrade_stops_on_a_broken_trail(blank_app):
    from tracker.models.audit import DROP_APPEND_ONLY

    flask_migrate.upgrade(revision=BEFORE_KEYED_CHAIN)
    with db.engine.begin() as connection:
        _plain_events(connection, 2)
        for statement in DROP_APPEND_ONLY[db.engine.dialect.name]:
            connection.execute(text(statement))
        connection.execute(text("UPDATE audit_events SET detail = '{}' WHERE id = 2"))
    with pytest.raises(SystemExit):  # Flask-Migrate logs "the audit trail is broken at event 2"
        flask_migrate.upgrade()
    with db.engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    assert version == BEFORE_KEYED_CHAIN
