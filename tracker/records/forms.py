"""Forms for the records of a history. They check what a form can; operations check the rest."""

from __future__ import annotations

from datetime import date, timedelta

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from tracker.catalogue import UnknownDrug, default_catalogue
from tracker.codes import ICD10_MDD
from tracker.interchange.json_reader import MAX_MG_PER_DAY, MAX_TEXT
from tracker.rules.vocab import (
    SCORE_RANGES,
    Adherence,
    Instrument,
    Response,
    Severity,
    StopReason,
    TreatmentKind,
)

FUTURE_DAYS = 1  # clinical dates may be today (or tomorrow across time zones), never later


def _choices(enum, blank: str | None = None) -> list[SelectChoice]:
    """Return an enum's values as select options, with an optional blank first."""
    items = [SelectChoice(m.value, m.value.replace("_", " ")) for m in enum]
    return [SelectChoice("", blank), *items] if blank is not None else items


def not_in_future(_form, field) -> None:
    if field.data and field.data > date.today() + timedelta(days=FUTURE_DAYS):
        raise ValidationError("This date is in the future.")


class DoseStepForm(Form):
    start = DateField("From", validators=[Optional(), not_in_future])
    mg_per_day = FloatField("mg/day", validators=[Optional(), NumberRange(
        min=0.001, max=MAX_MG_PER_DAY,
        message=f"Give a dose above 0 and at most {MAX_MG_PER_DAY} mg/day.")])
    remove = BooleanField("Remove")

    def is_blank(self) -> bool:
        return self.start.data is None and self.mg_per_day.data is None


class TrialForm(FlaskForm):
    drug = StringField("Drug", validators=[DataRequired(), Length(max=100)],
                       render_kw={"list": "drug-names", "autocomplete": "off"})
    episode = SelectField("Episode", choices=[SelectChoice("", "by first dose date")])
    doses = FieldList(FormField(DoseStepForm), min_entries=1, max_entries=30)
    add_step = SubmitField("Add a dose step")
    stopped = DateField("Stopped on", validators=[Optional(), not_in_future])
    stop_reason = SelectField("Stop reason", choices=_choices(StopReason, "—"))
    adherence = SelectField("Adherence", choices=_choices(Adherence), default="unknown")
    response = SelectField("Response", choices=_choices(Response), default="unknown")
    notes = TextAreaField("Notes", validators=[Length(max=MAX_TEXT)])
    version = HiddenField()
    submit = SubmitField("Save trial")

    def validate_drug(self, field) -> None:
        try:
            default_catalogue().resolve(field.data or "")
        except UnknownDrug as error:
            hint = f" Did you mean {', '.join(error.suggestions)}?" if error.suggestions else ""
            raise ValidationError(f"{field.data} is not in the dose table.{hint}") from None

    def steps(self) -> list[tuple[date, float]]:
        """Return the kept dose steps (not blank, not removed) in date order."""
        kept = [s.form for s in self.doses if not s.form.remove.data and not s.form.is_blank()]
        return sorted((s.start.data, s.mg_per_day.data) for s in kept)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for entry in self.doses:
            step = entry.form
            if step.remove.data or step.is_blank():
                continue
            if step.start.data is None and not step.start.errors:
                step.start.errors.append("Give the date this dose started.")
                ok = False
            if step.mg_per_day.data is None and not step.mg_per_day.errors:
                step.mg_per_day.errors.append("Give the daily dose in mg.")
                ok = False
        if not ok:
            return False
        steps = self.steps()
        if not steps:
            self.doses[0].form.start.errors.append("A trial needs at least one dose step.")
            return False
        dates = [d for d, _ in steps]
        if len(set(dates)) != len(dates):
            self.doses.errors.append("Two dose steps start on the same date.")
            return False
        if self.stopped.data and self.stopped.data <= dates[-1]:
            self.stopped.errors.append("The stop date must be after the last dose step.")
            return False
        if self.stop_reason.data and not self.stopped.data:
            self.stop_reason.errors.append("Give the stop date too, or leave the reason empty.")
            return False
        return True


class EpisodeForm(FlaskForm):
    onset = DateField("Onset", validators=[DataRequired(), not_in_future])
    remission = DateField("Remission", validators=[Optional(), not_in_future])
    severity = SelectField("Severity", choices=_choices(Severity), default="moderate")
    psychotic = BooleanField("Psychotic features")
    icd10 = SelectField("ICD-10 diagnosis", choices=[SelectChoice("", "— not recorded —")] + [
        SelectChoice(code, f"{code} {label}") for code, label in ICD10_MDD.items()], default="",
        description="Printed on the treatment-history summary for payers.")
    submit = SubmitField("Save episode")

    def validate_remission(self, field) -> None:
        if field.data and self.onset.data and field.data < self.onset.data:
            raise ValidationError("Remission cannot be before the onset.")


class MeasurementForm(FlaskForm):
    taken_on = DateField("Date", validators=[DataRequired(), not_in_future])
    instrument = SelectField("Instrument", choices=[SelectChoice(i.value) for i in Instrument])
    # InputRequired, not Optional: Optional would stop the chain before validate_score.
    score = IntegerField("Total score", validators=[InputRequired("Give the total score.")])
    submit = SubmitField("Save score")

    def validate_score(self, field) -> None:
        if field.data is None:
            raise ValidationError("Give the total score.")
        if self.instrument.data not in SCORE_RANGES:
            return  # the instrument's own check reports the bad choice
        low, high = SCORE_RANGES[Instrument(self.instrument.data)]
        if not low <= field.data <= high:
            raise ValidationError(f"{self.instrument.data} scores run from {low} to {high}.")


class TreatmentForm(FlaskForm):
    kind = SelectField("Treatment", choices=[SelectChoice(k.value) for k in TreatmentKind])
    detail = StringField("Detail", validators=[Length(max=MAX_TEXT)])
    start = DateField("Start", validators=[DataRequired(), not_in_future])
    end = DateField("End", validators=[Optional(), not_in_future])
    sessions = IntegerField("Sessions", validators=[Optional(), NumberRange(min=0, max=1000)])
    submit = SubmitField("Save treatment")

    def validate_end(self, field) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError("The end cannot be before the start.")


class EnteredInErrorForm(FlaskForm):
    """Why a record is being marked entered in error; the record itself is kept."""

    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)],
                         description="For example: logged on the wrong patient, wrong date.")
    submit = SubmitField("Mark entered in error")


def after_birth(form: FlaskForm, birth: date) -> bool:
    """Put an error beside every date of ``form`` before ``birth``; return True when none is."""
    ok = True
    for field in _date_fields(form):
        if field.data and field.data < birth:
            field.errors = [*field.errors, f"This is before the patient's birth ({birth})."]
            ok = False
    return ok


def _date_fields(form):
    for field in form:
        if isinstance(field, DateField):
            yield field
        elif isinstance(field, FieldList):
            for entry in field:
                yield from _date_fields(entry.form)
