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
