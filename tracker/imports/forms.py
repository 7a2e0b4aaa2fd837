"""The upload form and the accept/cancel form of the import preview."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField


class UploadForm(FlaskForm):
    file = FileField("History file or FHIR Bundle (JSON, at most 2 MiB)",
                     validators=[FileRequired("Choose a file to import.")])
    submit = SubmitField("Preview the import")


class DecisionForm(FlaskForm):
    """Accept or cancel one pending upload; the token must also be the session's."""

    token = HiddenField()
    plan = HiddenField()  # the fingerprint of the plan previewed
    accept = SubmitField("Accept and import")
    cancel = SubmitField("Cancel")
