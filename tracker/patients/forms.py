"""Forms for patients."""

from datetime import date

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from tracker.rules.vocab import Sex


def born_by_today(_form, field) -> None:
    """A birth date after today is a typing error, not a patient yet to be born."""
    if field.data and field.data > date.today():
        raise ValidationError("A birth date cannot be in the future.")


class PatientForm(FlaskForm):
    mrn = StringField("MRN", validators=[DataRequired(), Length(max=64)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    birth_date = DateField("Birth date", validators=[DataRequired(), born_by_today])
    # No default: a patient saved without a choice would silently be recorded as the first one.
    sex = SelectField("Sex", choices=[SelectChoice("", "Choose…"),
                                      *(SelectChoice(s.value, s.value.capitalize()) for s in Sex)],
                      validators=[DataRequired("Choose the sex (Unknown when not recorded).")])
    submit = SubmitField("Save patient")
