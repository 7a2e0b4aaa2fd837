import pytest

import config
from tracker import create_app


def test_factory_uses_testing_config(app):
    assert app.config["TESTING"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"]


def test_default_database_is_sqlite_in_instance_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(config.DevelopmentConfig, "SQLALCHEMY_DATABASE_URI", None)
    app = create_app("development")
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///")
    assert app.config["SQLALCHEMY_DATABASE_URI"].endswith("instance/tracker.sqlite")


def test_unknown_config_name_is_refused():
    with pytest.raises(ValueError, match="FLASK_CONFIG"):
        create_app("staging")


@pytest.mark.parametrize(("raw", "expected"), [
    (None, None),
    ("postgresql://postgres@127.0.0.1/test", "postgresql+psycopg://postgres@127.0.0.1/test"),
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_database_url_uses_psycopg3(raw, expected):
    assert config.database_url(raw) == expected


def test_healthz_answers_200_with_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_without_database(tmp_path):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/x.db")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_unknown_page_is_404_in_app_style(signed_in):
    response = signed_in.get("/no-such-page")
    assert response.status_code == 404
    assert "TRD Tracker" in response.get_data(as_text=True)


def test_security_headers_on_every_page(client):
    for url in ("/login", "/healthz", "/static/app.css"):
        response = client.get(url)
        response.close()
        headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in headers


def test_templates_hold_no_inline_script_or_style():
    from pathlib import Path

    for path in (Path(__file__).parents[1] / "templates").rglob("*.html"):
        text = path.read_text()
        assert "<script>" not in text and "style=" not in text and "onclick" not in text, path


def test_production_refuses_the_development_secret_key(monkeypatch):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", config.DEV_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_production_sends_hsts_and_secure_cookies(monkeypatch):
    monkeypatch.setattr(config.ProductionConfig, "SECRET_KEY", "s" * 32)
    monkeypatch.setattr(config.ProductionConfig, "AUDIT_HMAC_KEY", "a" * 32)
    monkeypatch.setattr(config.ProductionConfig, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/14")
    monkeypatch.setattr(config.ProductionConfig, "SQLALCHEMY_DATABASE_URI", "sqlite://")
    app = create_app("production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "max-age" in app.test_client().get("/login").headers["Strict-Transport-Security"]
