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
