"""Account and care-team forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from tracker.models import Role

ROLES = [SelectChoice(r.value, r.label) for r in Role]


class NewUserForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Role", choices=ROLES, default=Role.CLINICIAN.value)
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)],
                             description="At least 10 characters; common passwords are refused.")
    submit = SubmitField("Create account")


class EditUserForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = SelectField("Role", choices=ROLES)
    active = BooleanField("Active (may sign in)")
    password = PasswordField("New password", validators=[Optional(), Length(max=200)],
                             description="Leave empty to keep it. A new one signs the user out "
                                         "everywhere.")
    submit = SubmitField("Save")


class CareTeamForm(FlaskForm):
    user = SelectField("Clinician", validators=[DataRequired()])
    action = SelectField(choices=[SelectChoice("add", "add"), SelectChoice("remove", "remove")])
    submit = SubmitField("Add to the care team")
