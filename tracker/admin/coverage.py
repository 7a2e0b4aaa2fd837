"""Coverage policies: admins enable the clinic's payers and upload policy files."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SubmitField

from tracker import audit
from tracker.admin import bp
from tracker.coverage import InvalidPolicy
from tracker.coverage.registry import known_policies, set_enabled, upload_policy
from tracker.extensions import db
from tracker.models import CoveragePolicySetting

MAX_POLICY_BYTES = 64 * 1024


class EnableForm(FlaskForm):
    submit = SubmitField("Save the enabled policies")


class UploadForm(FlaskForm):
    file = FileField("Policy file (TOML)", validators=[FileRequired("Choose a policy file.")])
    submit = SubmitField("Check and add the policy")


def _page(enable: EnableForm, upload: UploadForm, problems: list[str] | None = None):
    settings = {r.policy_id: r for r in db.session.scalars(select(CoveragePolicySetting))}
    return render_template("admin/coverage.html", policies=known_policies(list(settings.values())),
                           settings=settings, enable=enable, upload=upload,
                           problems=problems or [])


@bp.route("/coverage", methods=["GET", "POST"])
def coverage_policies():
    enable, upload = EnableForm(prefix="enable"), UploadForm(prefix="upload")
    if enable.submit.data and enable.validate_on_submit():
        chosen = set(request.form.getlist("enabled")) & set(known_policies())
        set_enabled(chosen, current_user)
        audit.record("coverage_policies", entity="coverage_policy",
                     detail={"enabled": sorted(chosen)})
        db.session.commit()
        flash(f"{len(chosen)} coverage polic{'y' if len(chosen) == 1 else 'ies'} enabled.",
              "success")
        return redirect(url_for("admin.coverage_policies"))
    return _page(enable, upload)


@bp.route("/coverage/upload", methods=["POST"])
def upload_coverage_policy():
    enable, upload = EnableForm(prefix="enable", formdata=None), UploadForm(prefix="upload")
    if not upload.validate_on_submit():
        return _page(enable, upload)
    raw = upload.file.data.read(MAX_POLICY_BYTES + 1)
    problems = []
    if len(raw) > MAX_POLICY_BYTES:
        problems = [f"$: the file is larger than {MAX_POLICY_BYTES // 1024} KiB"]
    else:
        try:
            policy = upload_policy(raw.decode("utf-8-sig"), current_user)
        except UnicodeDecodeError:
            problems = ["$: the file is not UTF-8 text"]
        except InvalidPolicy as error:
            problems = error.problems
    if problems:
        db.session.rollback()
        return _page(enable, upload, problems)
    audit.record("coverage_policy_upload", entity="coverage_policy",
                 detail={"policy": policy.id, "title": policy.title})
    db.session.commit()
    flash(f"Policy {policy.id} added; enable it below to use it.", "success")
    return redirect(url_for("admin.coverage_policies"))
