from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from tracker.auth import bp
from tracker.auth.forms import LoginForm, LogoutForm
from tracker.extensions import db
from tracker.models import User

BAD_CREDENTIALS = "Email or password is not right."


def _safe_next(target: str | None) -> str:
    """Return ``target`` when it is a path on this site, else the panel."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc:
        return target
    return url_for("patients.panel")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("patients.panel"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is None or not user.active or not user.check_password(form.password.data):
            flash(BAD_CREDENTIALS, "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if LogoutForm().validate_on_submit():
        logout_user()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
