"""Configuration classes: the only place that reads the environment.

Pick one with ``FLASK_CONFIG`` (``development``, ``testing``, ``production``); the default is
``development``. ``DATABASE_URL`` selects PostgreSQL (``postgresql://user@host/db``); without it
the app keeps an embedded SQLite file in its instance folder.
"""

from __future__ import annotations

import os

DEV_SECRET_KEY = "dev-only-not-secret"
DEV_AUDIT_KEY = "dev-only-audit-key"
MIN_KEY_LENGTH = 32  # production keys: at least 32 characters (e.g. secrets.token_hex(32))


def database_url(raw: str | None) -> str | None:
    """Return ``raw`` with a PostgreSQL URL pointed at the psycopg 3 driver."""
    if not raw:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    # Keys the audit trail's hash chain (HMAC-SHA-256): keep it outside the database.
    AUDIT_HMAC_KEY = os.environ.get("AUDIT_HMAC_KEY", DEV_AUDIT_KEY)
    # None means "SQLite in the instance folder"; create_app fills it in.
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    WTF_CSRF_TIME_LIMIT = None  # the session lifetime bounds the token instead
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    PANEL_PAGE_SIZE = int(os.environ.get("PANEL_PAGE_SIZE", "25"))
    DEFAULT_PROFILE = os.environ.get("TRD_PROFILE", "standard")
    PASSWORD_HASH_METHOD = "scrypt"
    # Signed-in sessions end after this many minutes without a request.
    IDLE_TIMEOUT_MINUTES = int(os.environ.get("IDLE_TIMEOUT_MINUTES", "15"))
    # ... and this many hours after signing in, however active.
    SESSION_LIFETIME_HOURS = float(os.environ.get("SESSION_LIFETIME_HOURS", "12"))
    # Sign-in abuse: failed attempts allowed per account and per address before a lockout.
    # Several app servers must share a store: RATELIMIT_STORAGE_URI=redis://host:6379/0.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = "trd-tracker"
    SIGN_IN_LOCKOUT = os.environ.get("SIGN_IN_LOCKOUT", "5 per 15 minutes")
    SIGN_IN_ADDRESS_LIMIT = os.environ.get("SIGN_IN_ADDRESS_LIMIT", "50 per 15 minutes")
    # Reverse proxies in front of the app whose X-Forwarded-For may be trusted (0: none).
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    TESTING = False


class DevelopmentConfig(Config):
    DEBUG = False


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing"
    AUDIT_HMAC_KEY = "testing-audit-key"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL")) or "sqlite://"
    # Tests use a cheap hash so that signing in a few hundred times stays fast.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProductionConfig(Config):
    # create_app refuses short or development keys, memory:// rate limits and demo data.
    REQUIRE_PRODUCTION_SETTINGS = True
    HSTS = True
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def select(name: str | None = None) -> type[Config]:
    """Return the config class named ``name`` or by ``FLASK_CONFIG``."""
    key = name or os.environ.get("FLASK_CONFIG", "development")
    try:
        return CONFIGS[key]
    except KeyError:
        raise ValueError(f"FLASK_CONFIG must be one of {sorted(CONFIGS)}, not {key!r}") from None
