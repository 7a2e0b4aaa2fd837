"""The treatment-history tracker: a Flask application for logging antidepressant trials."""

from __future__ import annotations

import os

from flask import Flask

import config as config_module


def create_app(config: type | str | None = None, **overrides) -> Flask:
    """Build the application: configuration, extensions, blueprints, commands."""
    app = Flask(__name__, template_folder="../templates", instance_relative_config=True)
    settings = config if isinstance(config, type) else config_module.select(config)
    app.config.from_object(settings)
    app.config.update(overrides)
    if app.config.get("REQUIRE_PRODUCTION_SETTINGS"):
        refuse_unsafe_production(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = (
            f"sqlite:///{os.path.join(app.instance_path, 'tracker.sqlite')}"
        )

    register_edge(app)
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_commands(app)
    register_template_helpers(app)
    return app


def refuse_unsafe_production(settings) -> None:
    """Raise ``RuntimeError`` naming the first production setting that is missing or unsafe."""
    for name, development in (("SECRET_KEY", config_module.DEV_SECRET_KEY),
                              ("AUDIT_HMAC_KEY", config_module.DEV_AUDIT_KEY)):
        key = settings.get(name) or ""
        if key == development or len(key) < config_module.MIN_KEY_LENGTH:
            raise RuntimeError(f"{name} must be set to a secret of at least "
                               f"{config_module.MIN_KEY_LENGTH} characters in production")
    if settings["SECRET_KEY"] == settings["AUDIT_HMAC_KEY"]:
        raise RuntimeError("AUDIT_HMAC_KEY must differ from SECRET_KEY")
    if settings["RATELIMIT_STORAGE_URI"].startswith("memory://"):
        # Each worker would count sign-in failures alone: 4 workers allow 4 times the lockout.
        raise RuntimeError("RATELIMIT_STORAGE_URI must name a shared store (redis://...) in "
                           "production")


def register_edge(app: Flask) -> None:
    from tracker.main import edge

    edge.register(app)  # first: URL converters before the routes, input checks before all


def register_extensions(app: Flask) -> None:
    from tracker import audit, models  # noqa: F401  (models for Flask-Migrate; audit listens)
    from tracker.extensions import csrf, db, limiter, login_manager, migrate
    from tracker.transactions import configure_sqlite

    db.init_app(app)
    with app.app_context():
        configure_sqlite(app, db.engine)
    migrate.init_app(app, db, directory=os.path.join(app.root_path, "..", "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    login_manager.login_message_category = "info"

    from tracker.auth.access import require_sign_in
    from tracker.auth.sessions import end_idle_session

    app.before_request(end_idle_session)
    app.before_request(require_sign_in)  # before CSRF: signed-out visitors go to sign in
    csrf.init_app(app)
    limiter.init_app(app)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def register_blueprints(app: Flask) -> None:
    from tracker.admin import bp as admin_bp
    from tracker.auth import bp as auth_bp
    from tracker.imports import bp as imports_bp
    from tracker.main import bp as main_bp
    from tracker.patients import bp as patients_bp
    from tracker.records import bp as records_bp
    from tracker.reports import bp as reports_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(patients_bp, url_prefix="/patients")
    app.register_blueprint(records_bp, url_prefix="/patients")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(reports_bp)
    app.register_blueprint(imports_bp)


def register_errors(app: Flask) -> None:
    from tracker.main.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from tracker.cli import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    from tracker.main import filters, headers

    filters.register(app)
    headers.register(app)
