from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import audit
from tracker.extensions import db
from tracker.imports import bp, uploads
from tracker.imports.forms import DecisionForm, UploadForm
from tracker.interchange.history import InvalidHistory
from tracker.interchange.merge import ImportRefused, apply_import, plan_import
from tracker.interchange.reading import read_document

TOO_LARGE = "The file is larger than 2 MiB: nothing was imported."


def _refused(form: UploadForm, problems: list[str]):
    """Show the upload form again with the problems beside the field (as every form does)."""
    return render_template("imports/upload.html", form=form, problems=problems)


@bp.route("/import", methods=["GET", "POST"])
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("imports/upload.html", form=form, problems=[])
    content = form.file.data.read(uploads.LIMIT + 1)
    try:
        reading = read_document(content)
        plan_import(reading.document, current_user)
    except InvalidHistory as error:
        form.file.errors.append("The file has problems: nothing was imported.")
        return _refused(form, error.problems)
    except ImportRefused as error:
        form.file.errors.append(str(error))
        return _refused(form, [])
    token = uploads.keep(current_user, form.file.data.filename or "", content)
    db.session.commit()
    return redirect(url_for("imports.preview", token=token))


@bp.errorhandler(413)
def too_large(_error):
    form = UploadForm(formdata=None)
    form.file.errors = [TOO_LARGE]
    return render_template("imports/upload.html", form=form, problems=[]), 413


def _pending(token: str):
    """Return the signed-in user's pending upload under ``token``; 404 for any other."""
    upload = uploads.pending(current_user, token)
    if upload is None:
        abort(404)
    return upload


def _plan(upload):
    """Return the upload's reading and plan (read as when previewed: it was valid then)."""
    reading = read_document(upload.content)
    return reading, plan_import(reading.document, current_user)


@bp.route("/import/<token>")
def preview(token: str):
    upload = _pending(token)
    reading, plan = _plan(upload)
    return render_template("imports/preview.html", upload=upload, reading=reading, plan=plan,
                           form=DecisionForm(token=token, plan=plan.fingerprint()))


@bp.route("/import/<token>", methods=["POST"])
def decide(token: str):
    upload = _pending(token)
    form = DecisionForm()
    if not form.validate_on_submit() or form.token.data != token:
        abort(400)
    reading, plan = _plan(upload)
    if "accept" not in request.form:
        uploads.discard(upload)
        db.session.commit()
        flash("Import cancelled: nothing was stored.", "info")
        return redirect(url_for("imports.upload"))
    if form.plan.data != plan.fingerprint():
        flash("The chart changed since this preview: review what the import does now.", "error")
        return redirect(url_for("imports.preview", token=token))
    patient = apply_import(plan, current_user)
    audit.record("import", patient=patient, detail={
        "format": reading.source, "file": upload.filename, **plan.summary()})
    uploads.discard(upload)
    db.session.commit()
    new = sum(part["new"] for part in plan.summary().values())
    flash(f"Imported {upload.filename or 'the file'}: {new} new records, "
          f"the rest already recorded." if plan.patient else
          f"Imported {patient.name} with {new} records.", "success")
    return redirect(url_for("patients.chart", patient_id=patient.id))
