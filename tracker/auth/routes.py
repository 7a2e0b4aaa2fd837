"""Sign in, sign out and change one's password."""

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from tracker import audit
from tracker.auth import bp
from tracker.auth.forms import LoginForm, LogoutForm, PasswordForm
from tracker.auth.passwords import check_decoy, password_problem
from tracker.auth.sessions import end_session, fresh_session, start_session
from tracker.extensions import db, limiter
from tracker.models import User

BAD_CREDENTIALS = "Email or password is not right."
LOCKED_OUT = ("Too many failed sign-ins. Wait 15 minutes and try again, "
              "or ask a clinic admin to reset your password.")


def _safe_next(target: str | None) -> str:
    """Return ``target`` when it is a plain path on this site, else the panel.

    Control characters (a CR/LF would split the Location header) and backslashes (which
    browsers read as "/") are refused along with other hosts."""
    if target and target.startswith("/") and not target.startswith("//") \
            and target.isprintable() and "\\" not in target and not urlsplit(target).netloc:
        return target
    return url_for("patients.panel")


def _email_typed() -> str:
    return (request.form.get("email") or "").strip().lower()[:254]


def _lockout_key() -> str:
    """Key the account lockout on the email typed, whether or not such an account exists."""
    return "sign-in:" + _email_typed()


def _failed(response) -> bool:
    return response.status_code == 401


def _locked_out(limit) -> None:
    audit.record("sign_in_locked_out", detail={"email": _email_typed()})
    db.session.commit()


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGN_IN_LOCKOUT"], key_func=_lockout_key,
               methods=["POST"], deduct_when=_failed, error_message=LOCKED_OUT,
               on_breach=_locked_out)
@limiter.limit(lambda: current_app.config["SIGN_IN_ADDRESS_LIMIT"], methods=["POST"],
               deduct_when=_failed, error_message=LOCKED_OUT)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("patients.panel"))
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalars(select(User).where(User.email == email)).first()
        known = user is not None and user.active
        if not known:  # spend the same hashing time as for a real account: no timing oracle
            check_decoy(form.password.data, current_app.config["PASSWORD_HASH_METHOD"])
        if not known or not user.check_password(form.password.data):
            audit.record("sign_in_failed", detail={"email": email})
            db.session.commit()
            flash(BAD_CREDENTIALS, "error")
            return render_template("auth/login.html", form=form), 401
        fresh_session()  # nothing carried over from before signing in
        login_user(user)
        start_session(user)
        audit.record("sign_in", actor=user)
        db.session.commit()
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if LogoutForm().validate_on_submit() and current_user.is_authenticated:
        audit.record("sign_out")
        end_session("signed out")
        db.session.commit()
        logout_user()
        fresh_session()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; every other session of the account is signed out."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        problem = password_problem(form.new_password.data, user.email, user.name)
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append("This is not your current password.")
        elif problem:
            form.new_password.errors.append(problem)
        else:
            user.set_password(form.new_password.data)
            audit.record("password_changed")
            db.session.commit()
            login_user(user)  # this session goes on with the new token; the others end
            flash("Password changed. Your other sessions are signed out.", "success")
            return redirect(url_for("patients.panel"))
    return render_template("auth/password.html", form=form)
