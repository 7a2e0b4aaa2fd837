"""The quick-entry form: a whole history in rows (episodes, trials, scores, other treatments).

Every row is optional: a row left blank is ignored. Rows are checked in ``tracker.records.quick``
and every problem is put beside its row.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.codes import ICD10_MDD
from tracker.patients.forms import PatientForm, born_by_today
from tracker.records.forms import _choices, not_in_future
from tracker.rules.vocab import Adherence, Instrument, Response, Severity, StopReason, TreatmentKind
from tracker.vocab import Laterality, Modality

MAX_ROWS = 60
DATE = [Optional(), not_in_future]
# Dates are typed as text (YYYY-MM-DD): a date input spends a Tab on its calendar button.
TYPED_DATE = {"type": "text", "placeholder": "YYYY-MM-DD", "autocomplete": "off",
              "inputmode": "numeric", "pattern": r"\d{4}-\d{2}-\d{2}"}


class Row(Form):
    """A row of the quick-entry page, with the problems found in it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.problems: list[str] = []
        self.warnings: list[str] = []

    def is_blank(self) -> bool:
        return all(not (self[name].data or "") for name in self.KEY_FIELDS)


class EpisodeRow(Row):
    KEY_FIELDS = ("onset", "remission")
    onset = DateField("Onset", validators=DATE, render_kw=TYPED_DATE)
    remission = DateField("Remission", validators=DATE, render_kw=TYPED_DATE)
    severity = SelectField("Severity", choices=_choices(Severity), default="moderate")
    psychotic = BooleanField("Psychotic")
    icd10 = SelectField("ICD-10-CM", default="", choices=[SelectChoice("", "—")] + [
        SelectChoice(code, code) for code in ICD10_MDD])


class TrialRow(Row):
    KEY_FIELDS = ("drug", "doses", "stopped")
    drug = StringField("Drug", validators=[Length(max=100)],
                       render_kw={"list": "drug-names", "autocomplete": "off"})
    doses = StringField("Doses: mg, how often, from", validators=[Length(max=1000)],
                        render_kw={"autocomplete": "off", "spellcheck": "false"})
    stopped = DateField("Stopped", validators=DATE, render_kw=TYPED_DATE)
    response = SelectField("Response", choices=_choices(Response), default="unknown")
    stop_reason = SelectField("Stop reason", choices=_choices(StopReason, "—"), default="")
    adherence = SelectField("Adherence", choices=_choices(Adherence), default="unknown")
    confirm = BooleanField("Checked: save it")


class ScoreRow(Row):
    KEY_FIELDS = ("taken_on", "score", "answers")
    taken_on = DateField("Date", validators=DATE, render_kw=TYPED_DATE)
    score = IntegerField("Score", validators=[Optional()])
    instrument = SelectField("Instrument", choices=[SelectChoice(i.value) for i in Instrument],
                             default="PHQ-9")
    answers = StringField("PHQ-9 answers", validators=[Length(max=40)],
                          render_kw={"autocomplete": "off",
                                     "placeholder": "e.g. 3 3 2 2 2 3 2 2 1"})
    confirm = BooleanField("Checked: save it")


class TreatmentRow(Row):
    KEY_FIELDS = ("kind", "start", "end")
    kind = SelectField("Treatment", default="",
                       choices=[SelectChoice("", "—")]
                       + [SelectChoice(k.value) for k in TreatmentKind])
    modality = SelectField("Modality", choices=_choices(Modality, "—"), default="")
    laterality = SelectField("ECT laterality", choices=_choices(Laterality, "—"), default="")
    start = DateField("Start", validators=DATE, render_kw=TYPED_DATE)
    end = DateField("End", validators=DATE, render_kw=TYPED_DATE)
    sessions = IntegerField("Sessions", validators=[Optional(), NumberRange(min=0, max=1000)])
    detail = StringField("Detail", validators=[Length(max=200)])


class NewPatientPart(Form):
    mrn = PatientForm.mrn
    name = PatientForm.name
    birth_date = DateField("Birth date", validators=[DataRequired(), born_by_today],
                           render_kw=TYPED_DATE)
    sex = PatientForm.sex


class QuickEntryForm(FlaskForm):
    episodes = FieldList(FormField(EpisodeRow), min_entries=2, max_entries=MAX_ROWS)
    trials = FieldList(FormField(TrialRow), min_entries=5, max_entries=MAX_ROWS)
    scores = FieldList(FormField(ScoreRow), min_entries=5, max_entries=MAX_ROWS)
    treatments = FieldList(FormField(TreatmentRow), min_entries=1, max_entries=MAX_ROWS)
    submit = SubmitField("Save the history")


class NewPatientQuickEntryForm(QuickEntryForm):
    patient = FormField(NewPatientPart)


def rows(form: QuickEntryForm, section: str) -> list[Row]:
    """Return the rows of a section that are not blank."""
    return [entry.form for entry in form[section] if not entry.form.is_blank()]
