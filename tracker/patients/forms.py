"""Forms for patients."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from tracker.rules.vocab import Sex


class PatientForm(FlaskForm):
    mrn = StringField("MRN", validators=[DataRequired(), Length(max=64)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    birth_date = DateField("Birth date", validators=[DataRequired()])
    # No default: a patient saved without a choice would silently be recorded as the first one.
    sex = SelectField("Sex", choices=[SelectChoice("", "Choose…"),
                                      *(SelectChoice(s.value, s.value.capitalize()) for s in Sex)],
                      validators=[DataRequired("Choose the sex (Unknown when not recorded).")])
    submit = SubmitField("Save patient")
