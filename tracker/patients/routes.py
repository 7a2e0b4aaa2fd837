from dataclasses import replace
from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker import audit, rules
from tracker.assessments import assess_patient, history_of
from tracker.auth.access import patient_or_404
from tracker.coverage.registry import enabled_policies
from tracker.coverage.store import evaluate_enabled
from tracker.extensions import db
from tracker.main.edge import int_arg
from tracker.patients import bp, timeline
from tracker.patients.chart import age_on, current_medications
from tracker.patients.forms import PatientForm
from tracker.patients.panel import PanelQuery, current_page
from tracker.records.forms import MeasurementForm


def _panel_query() -> PanelQuery:
    args = request.args
    return PanelQuery(
        search=args.get("q", "").strip()[:100],
        flag=args.get("flag", ""),
        sort=args.get("sort", "name"),
        descending=args.get("dir") == "desc",
        page=int_arg("page", 1),
        per_page=current_app.config["PANEL_PAGE_SIZE"],
        coverage=args.get("coverage", "")[:64],
        eligibility=args.get("eligibility", ""),
    )


@bp.route("/")
def panel():
    policies = enabled_policies()
    query = _panel_query()
    if query.coverage not in policies:
        if query.coverage:
            flash(f"No enabled payer policy is called “{query.coverage}”: the panel is shown "
                  "without a coverage column.", "info")
        elif query.eligibility:
            flash("Choose a payer policy to filter by its eligibility: the panel is shown "
                  "unfiltered.", "info")
        query = replace(query, coverage="", eligibility="")
    page = current_page(current_user, query, date.today())
    html = render_template("patients/panel.html", page=page, today=date.today(),
                           policies=policies)
    # Recorded after rendering: a commit first would expire every patient on the page.
    audit.record_view("patients.panel", patients=[row.patient.id for row in page.rows])
    db.session.commit()
    return html


@bp.route("/<int:patient_id>")
def chart(patient_id: int):
    patient = patient_or_404(patient_id)
    profile = request.args.get("profile", rules.DEFAULT_PROFILE)
    if profile not in rules.PROFILES:
        flash(f"There is no profile called “{profile[:40]}”: the verdict below uses "
              f"{rules.PROFILES[rules.DEFAULT_PROFILE].title}.", "info")
        profile = rules.DEFAULT_PROFILE
    result = assess_patient(patient, profile)
    coverage = evaluate_enabled(history_of(patient), result.as_of)
    audit.record("view_chart", patient=patient, detail={"profile": profile})
    db.session.commit()
    return render_template("patients/chart.html", patient=patient, result=result,
                           profile=rules.PROFILES[profile], profiles=rules.PROFILES,
                           timeline=timeline.render(patient, result),
                           age=age_on(patient.birth_date, result.as_of),
                           current=current_medications(patient, result.as_of),
                           score_form=MeasurementForm(), coverage=coverage)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = PatientForm()
    if form.validate_on_submit():
        from tracker.operations import PatientError, create_patient

        try:
            patient = create_patient(current_user, form.data)
        except PatientError as error:
            form.mrn.errors.append(str(error))
            db.session.commit()  # the refusal is audited
        else:
            db.session.commit()
            flash(f"Patient {patient.name} added.", "success")
            then = "records.new_episode" if request.form.get("then") == "episode" else None
            return redirect(url_for(then or "patients.chart", patient_id=patient.id))
    return render_template("patients/form.html", form=form, patient=None)
