"""Error pages in the app's style; a failed request never leaves a half-saved record."""

import contextlib

from flask import Flask, current_app, g, render_template
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from tracker.extensions import db

RETRY_AFTER_SECONDS = 30


def database_unreachable(error: Exception) -> bool:
    """Tell whether ``error`` means the database cannot be reached (down, restarting, locked).

    A write in a read-only request (``transactions``) is a bug, not an outage."""
    if getattr(getattr(error, "orig", None), "sqlite_errorname", "") == "SQLITE_READONLY":
        return False
    if isinstance(error, OperationalError | InterfaceError):
        return True
    return isinstance(error, DBAPIError) and error.connection_invalidated


def register(app: Flask) -> None:
    @app.errorhandler(403)
    def forbidden(_error):
        return render_template("errors/error.html", code=403,
                               title="Not allowed", message="You may not open this page."), 403

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("errors/error.html", code=404, title="Not found",
                               message="There is no such page, or it is not yours to see."), 404

    @app.errorhandler(413)
    def too_large(_error):
        return render_template("errors/error.html", code=413, title="Too large",
                               message="What you sent is larger than this app accepts."), 413

    @app.errorhandler(400)
    def bad_request(error):
        return render_template("errors/error.html", code=400, title="Bad request",
                               message=getattr(error, "description", "")), 400

    @app.errorhandler(429)
    def too_many(error):
        return render_template("errors/error.html", code=429, title="Too many attempts",
                               message=getattr(error, "description", "")), 429

    @app.errorhandler(DBAPIError)
    def database_error(error):
        """A database that is down or restarting answers 503, not 500; the pool reconnects by
        itself (pre-ping) once it is back. The page asks nothing of the database."""
        if not database_unreachable(error):
            raise error  # a bug, not an outage: the 500 page (and tests see the exception)
        current_app.logger.warning("database unreachable: %s", error.__class__.__name__)
        with contextlib.suppress(DBAPIError):  # a connection that is gone has nothing to undo
            db.session.rollback()
        # Flask-Login's template context would load the user from the database: not now.
        g._login_user = current_app.login_manager.anonymous_user()
        return render_template("errors/unavailable.html"), 503, {
            "Retry-After": str(RETRY_AFTER_SECONDS)}

    @app.teardown_appcontext
    def drop_a_lost_session(_error) -> None:
        """End the request's session even when the database dropped its connection.

        Registered after Flask-SQLAlchemy's own teardown, so it runs first: removing the
        session rolls back, and a rollback on a connection the server closed (a restart just
        after the response was rendered) raises outside every error handler, a 500 from the
        server. The connection is invalidated by then; the pool makes a new one next time.
        """
        try:
            db.session.remove()
        except DBAPIError:
            db.session.registry.clear()

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return render_template("errors/error.html", code=500, title="Something went wrong",
                               message="Nothing was saved. Please try again."), 500
