"""Error pages in the app's style; a failed request never leaves a half-saved record."""

from flask import Flask, render_template

from tracker.extensions import db


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

    @app.errorhandler(500)
    def server_error(_error):
        db.session.rollback()
        return render_template("errors/error.html", code=500, title="Something went wrong",
                               message="Nothing was saved. Please try again."), 500
