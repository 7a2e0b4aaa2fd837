"""Accounts and care teams: thin views over ``tracker.operations``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from tracker import audit
from tracker.admin import bp
from tracker.admin.forms import CareTeamForm, EditUserForm, NewUserForm
from tracker.extensions import db
from tracker.main.edge import int_arg
from tracker.models import Patient, Role, User, care_team
from tracker.operations import AccountError, change_care_team, create_account, update_account

PAGE_SIZE = 50


@bp.route("/")
def index():
    return redirect(url_for("admin.users"))


@bp.route("/users")
def users():
    patients = (select(care_team.c.user_id, func.count().label("n"))
                .group_by(care_team.c.user_id).subquery())
    rows = db.session.execute(
        select(User, func.coalesce(patients.c.n, 0))
        .outerjoin(patients, patients.c.user_id == User.id).order_by(User.name)
    ).all()
    return render_template("admin/users.html", rows=rows)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_account(form.email.data, form.name.data, Role(form.role.data),
                                  form.password.data)
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Account {user.email} created.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    user = db.session.get(User, user_id) or abort(404)
    form = EditUserForm(obj=user, role=user.role.value)
    if form.validate_on_submit():
        try:
            update_account(user, form.data, current_user)
        except AccountError as error:
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Account {user.email} saved.", "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.route("/care-teams")
def care_teams():
    """List patients by name or MRN with their care teams (no clinical detail)."""
    search = request.args.get("q", "").strip()[:100]
    page = int_arg("page", 1)
    query = select(Patient).order_by(Patient.name, Patient.id)
    if search:
        like = f"%{search.lower()}%"
        query = query.where(or_(func.lower(Patient.name).like(like),
                                func.lower(Patient.mrn).like(like)))
    found = db.paginate(query.options(selectinload(Patient.clinicians)), page=page,
                        per_page=PAGE_SIZE, error_out=False)
    audit.record_view("admin.care_teams", patients=[p.id for p in found.items],
                      detail={"search": search})
    db.session.commit()
    return render_template("admin/care_teams.html", patients=found.items, search=search,
                           page=found.page, pages=found.pages, total=found.total)


@bp.route("/care-teams/<int:patient_id>", methods=["GET", "POST"])
def care_team_of(patient_id: int):
    patient = db.session.get(Patient, patient_id) or abort(404)
    form = CareTeamForm()
    form.user.choices = [SelectChoice(str(u.id), f"{u.name} ({u.email})") for u in
                         db.session.scalars(select(User).where(User.active)
                                            .order_by(User.name))]
    if form.validate_on_submit():
        clinician = db.session.get(User, int(form.user.data)) or abort(404)
        change_care_team(patient, clinician, add=form.action.data == "add")
        db.session.commit()
        verb = "added to" if form.action.data == "add" else "removed from"
        flash(f"{clinician.name} {verb} the care team of {patient.name}.", "success")
        return redirect(url_for("admin.care_team_of", patient_id=patient.id))
    audit.record_view("admin.care_team_of", patient)
    db.session.commit()
    return render_template("admin/care_team.html", patient=patient, form=form)
