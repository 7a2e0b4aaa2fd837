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
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from tracker.catalogue import UnknownDrug, default_catalogue, split_formulation
from tracker.codes import ICD10_MDD
from tracker.interchange.json_reader import MAX_MG_PER_DAY, MAX_TEXT
from tracker.operations import StepInput
from tracker.rules.vocab import (
    SCORE_RANGES,
    Adherence,
    Instrument,
    Response,
    Severity,
    StopReason,
    TreatmentKind,
)
from tracker.vocab import (
    MAX_FORMULATION,
    PHQ9_ITEMS,
    TIMES_PER_DAY,
    Laterality,
    Modality,
    daily_total,
)

FUTURE_DAYS = 1  # clinical dates may be today (or tomorrow across time zones), never later


def _choices(enum, blank: str | None = None) -> list[SelectChoice]:
    """Return an enum's values as select options, with an optional blank first."""
    items = [SelectChoice(m.value, m.value.replace("_", " ")) for m in enum]
    return [SelectChoice("", blank), *items] if blank is not None else items


def not_in_future(_form, field) -> None:
    if field.data and field.data > date.today() + timedelta(days=FUTURE_DAYS):
        raise ValidationError("This date is in the future.")


DOSE_RANGE = NumberRange(min=0.001, max=MAX_MG_PER_DAY,
                         message=f"Give a dose above 0 and at most {MAX_MG_PER_DAY} mg.")
# How often, as prescriptions say it; "at night" is once daily.
HOW_OFTEN = [SelectChoice("1", TIMES_PER_DAY[1]), SelectChoice("night", "at night")] + [
    SelectChoice(str(n), label) for n, label in TIMES_PER_DAY.items() if n > 1]


class DoseStepForm(Form):
    """A dose as prescribed: amount per administration x times per day, from a date."""

    start = DateField("From", validators=[Optional(), not_in_future])
    amount_mg = FloatField("mg per dose", validators=[Optional(), DOSE_RANGE])
    times_per_day = SelectField("How often", choices=HOW_OFTEN, default="1")
    # A daily total alone, from clients that post no amount (read as taken once daily).
    mg_per_day = FloatField("mg/day", validators=[Optional(), DOSE_RANGE])
    remove = BooleanField("Remove")

    def is_blank(self) -> bool:
        return (self.start.data is None and self.amount_mg.data is None
                and self.mg_per_day.data is None)

    def times(self) -> int:
        return 1 if self.times_per_day.data in ("night", None, "") else int(self.times_per_day.data)

    def daily_total(self) -> float | None:
        """Return the daily dose the rules use: amount x times per day (or the total given)."""
        if self.amount_mg.data is not None:
            return daily_total(self.amount_mg.data, self.times())
        return self.mg_per_day.data

    def validate_mg_per_day(self, field) -> None:
        """Refuse a daily total that disagrees with the dose as prescribed (never pick one)."""
        if field.data is None or self.amount_mg.data is None:
            return
        total = daily_total(self.amount_mg.data, self.times())
        if abs(total - field.data) > 1e-9:
            raise ValidationError(
                f"{field.data:g} mg/day does not match {self.amount_mg.data:g} mg "
                f"x {self.times()} a day = {total:g} mg/day: clear one of them.")

    def as_input(self) -> StepInput:
        if self.amount_mg.data is None:
            return StepInput(self.start.data, self.mg_per_day.data)
        return StepInput(self.start.data, self.daily_total(), self.amount_mg.data, self.times())


class TrialForm(FlaskForm):
    drug = StringField("Drug", validators=[DataRequired(), Length(max=100)],
                       render_kw={"list": "drug-names", "autocomplete": "off"})
    episode = SelectField("Episode", choices=[SelectChoice("", "by first dose date")])
    formulation = StringField("Formulation", validators=[Length(max=MAX_FORMULATION)],
                              render_kw={"list": "formulations", "autocomplete": "off"})
    doses = FieldList(FormField(DoseStepForm), min_entries=1, max_entries=30)
    add_step = SubmitField("Add a dose step")
    stopped = DateField("Stopped on", validators=[Optional(), not_in_future])
    stop_reason = SelectField("Stop reason", choices=_choices(StopReason, "—"))
    adherence = SelectField("Adherence", choices=_choices(Adherence), default="unknown")
    response = SelectField("Response", choices=_choices(Response), default="unknown")
    notes = TextAreaField("Notes", validators=[Length(max=MAX_TEXT)])
    confirm_above_max = BooleanField("I have checked it: save this dose above the label maximum")
    confirm_duplicate = BooleanField("It is another trial: save it")
    version = HiddenField()
    submit = SubmitField("Save trial")
    max_step = None  # the dose step above the label maximum, set by the checks
    max_warning = duplicate_warning = None

    def validate_drug(self, field) -> None:
        try:
            default_catalogue().resolve(field.data or "")
        except UnknownDrug as error:
            hint = f" Did you mean {', '.join(error.suggestions)}?" if error.suggestions else ""
            raise ValidationError(f"{field.data} is not in the dose table.{hint}") from None

    def validate_formulation(self, field) -> None:
        suffix = split_formulation(self.drug.data or "")[1]
        if suffix and field.data and field.data.strip().upper() != suffix:
            raise ValidationError(f"The drug name says {suffix}; leave this empty or make "
                                  "them agree.")

    def formulation_given(self) -> str:
        """Return the formulation typed, else the drug name's suffix ("venlafaxine XR")."""
        return (self.formulation.data or "").strip() or split_formulation(self.drug.data or "")[1]

    def kept_steps(self) -> list[DoseStepForm]:
        """Return the dose-step rows that are neither blank nor ticked for removal."""
        return [s.form for s in self.doses if not s.form.remove.data and not s.form.is_blank()]

    def steps(self) -> list[StepInput]:
        """Return the kept dose steps in date order."""
        return sorted(step.as_input() for step in self.kept_steps())

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for entry in self.doses:
            step = entry.form
            if step.remove.data or step.is_blank():
                continue
            if step.start.data is None and not step.start.errors:
                step.start.errors.append("Give the date this dose started.")
                ok = False
            if step.daily_total() is None and not (step.amount_mg.errors
                                                   or step.mg_per_day.errors):
                step.amount_mg.errors.append("Give the dose in mg.")
                ok = False
            elif (step.daily_total() or 0) > MAX_MG_PER_DAY:
                step.amount_mg.errors.append(f"That is {step.daily_total():g} mg/day; give at "
                                             f"most {MAX_MG_PER_DAY} mg/day.")
                ok = False
        if not ok:
            return False
        steps = self.steps()
        if not steps:
            self.doses[0].form.start.errors.append("A trial needs at least one dose step.")
            return False
        dates = [step.start for step in steps]
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


ITEM_CHOICES = [SelectChoice("", "—")] + [SelectChoice(str(n), str(n)) for n in range(4)]


class MeasurementForm(FlaskForm):
    taken_on = DateField("Date", validators=[DataRequired(), not_in_future])
    instrument = SelectField("Instrument", choices=[SelectChoice(i.value) for i in Instrument])
    score = IntegerField("Total score", validators=[Optional()],
                         description="For a PHQ-9 you may give the nine answers instead.")
    items = FieldList(SelectField(choices=ITEM_CHOICES, default=""),
                      min_entries=PHQ9_ITEMS, max_entries=PHQ9_ITEMS)
    confirm_duplicate = BooleanField("It is another score: save it")
    submit = SubmitField("Save score")
    duplicate_warning = None

    def validate(self, extra_validators=None) -> bool:
        """Validate; an empty total without the nine answers is refused beside the score.

        ``Optional`` on the score stops its own chain (so a blank is no "not an integer"
        error when the answers make the total), so the blank is caught here, after the
        answers had their chance to fill it in.
        """
        valid = super().validate(extra_validators)
        if self.score.data is None and not self.score.errors and not self.items.errors:
            self.score.errors = [*self.score.errors, "Give the total score."]
            return False
        return valid

    def answers(self) -> tuple[int, ...] | None:
        """Return the nine PHQ-9 answers when all are given, else None."""
        given = [f.data for f in self.items if f.data not in (None, "")]
        return tuple(int(v) for v in given) if len(given) == PHQ9_ITEMS else None

    def validate_items(self, field) -> None:
        given = [f.data for f in field if f.data not in (None, "")]
        if not given:
            return
        if self.instrument.data != Instrument.PHQ9:
            raise ValidationError("Item answers are recorded for the PHQ-9 only.")
        if len(given) != PHQ9_ITEMS:
            raise ValidationError(f"Give all {PHQ9_ITEMS} answers, or none and the total.")
        if self.score.data is None:
            self.score.data = sum(self.answers())  # the answers make the total
        elif self.score.data != sum(self.answers()):
            raise ValidationError(f"The answers add up to {sum(self.answers())}, not the "
                                  f"total {self.score.data}.")

    def validate_score(self, field) -> None:
        if field.data is None and self.answers() is not None:
            return  # validate_items fills it in
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
    laterality = SelectField("ECT laterality", choices=_choices(Laterality, "— not ECT —"),
                             default="")
    modality = SelectField("Psychotherapy modality",
                           choices=_choices(Modality, "— not psychotherapy —"), default="")
    submit = SubmitField("Save treatment")

    def validate_laterality(self, field) -> None:
        if field.data and self.kind.data != TreatmentKind.ECT:
            raise ValidationError("Laterality is for ECT only; leave it empty.")

    def validate_modality(self, field) -> None:
        if field.data and self.kind.data != TreatmentKind.PSYCHOTHERAPY:
            raise ValidationError("The modality is for psychotherapy only; leave it empty.")

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


def focus_id(form: FlaskForm, default: str) -> str:
    """Return the id of the first field in error (in page order), else ``default``."""
    return next((f.id for f in _leaf_fields(form) if f.errors), default)


def _leaf_fields(form):
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                yield from (_leaf_fields(entry.form) if isinstance(entry, FormField)
                            else [entry])
        elif isinstance(field, FormField):
            yield from _leaf_fields(field.form)
        else:
            yield field


def _date_fields(form):
    return (field for field in _leaf_fields(form) if isinstance(field, DateField))
