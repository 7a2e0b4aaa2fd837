"""Coverage on the web: admins enable and upload policies; the chart and panel show results."""

import io
import json
from datetime import datetime

from sqlalchemy import select

from tests.conftest import csrf, login, make_user
from tests.coverage.web import three_patients
from tests.test_pages import StatementCounter
from tracker.models import (
    AuditEvent,
    CoveragePolicySetting,
    Role,
    StoredAssessment,
    StoredCoverage,
)

ADMIN_PAGE = "/admin/coverage"


def enable_directly(db, policy_id):
    db.session.add(CoveragePolicySetting(policy_id=policy_id, enabled=True,
                                         updated_at=datetime.now()))
    db.session.flush()


def sign_in_admin(client, db):
    admin = make_user(Role.ADMIN)
    db.session.commit()
    assert login(client, admin.email).status_code == 302
    return admin


def enable(client, *ids):
    token = csrf(client, ADMIN_PAGE)
    return client.post(ADMIN_PAGE, data={"enable-csrf_token": token, "enable-submit": "1",
                                         "enabled": list(ids)})


def test_admin_enables_policies_and_verdicts_become_stale(client, db, clinician):
    three_patients(clinician)
    db.session.commit()
    sign_in_admin(client, db)
    page = client.get(ADMIN_PAGE).text
    for policy in ("cigna-spravato", "aetna-tms", "cms-l34998-tms"):
        assert f'value="{policy}"' in page
    assert "Verify against the payer&#39;s current policy." in page
    response = enable(client, "cigna-spravato", "aetna-tms", "not-a-policy")
    assert response.status_code == 302
    enabled = db.session.scalars(select(CoveragePolicySetting.policy_id)
                                 .where(CoveragePolicySetting.enabled)).all()
    assert sorted(enabled) == ["aetna-tms", "cigna-spravato"]
    assert {s.valid_until.year for s in db.session.scalars(select(StoredAssessment))} == {1900}
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "coverage_policies")).all()
    assert [json.loads(e.detail)["enabled"] for e in events] == [["aetna-tms", "cigna-spravato"]]
    enable(client, "aetna-tms")
    assert not db.session.scalars(select(StoredCoverage)
                                  .where(StoredCoverage.policy_id == "cigna-spravato")).all()


def test_clinicians_cannot_reach_the_policy_page(signed_in):
    assert signed_in.get(ADMIN_PAGE).status_code == 403


def upload(client, text: bytes, name="clinic.toml"):
    token = csrf(client, ADMIN_PAGE)
    return client.post("/admin/coverage/upload", data={
        "upload-csrf_token": token, "upload-submit": "1",
        "upload-file": (io.BytesIO(text), name)}, content_type="multipart/form-data")


def test_a_faulty_upload_is_refused_whole_with_its_paths(client, db):
    sign_in_admin(client, db)
    response = upload(client, b'id = "clinic-x"\ntitle = "t"\npayer = "p"\ntreatment = "tms"\n'
                              b'source = "s"\nread = "2026-11"\n[[criteria]]\nkind = "bogus"\n'
                              b'[[criteria]]\nkind = "failed_courses"\nmin_days = "six"\n')
    assert response.status_code == 200
    text = response.text
    assert "The policy file was refused (3 problems)" in text
    assert "criteria[0].kind: unknown kind &#39;bogus&#39;" in text
    assert "criteria[1].count: missing" in text
    assert "criteria[1].min_days: expected a whole number (0 or more), got text &#39;six&#39;" \
        in text
    assert db.session.get(CoveragePolicySetting, "clinic-x") is None
    assert "not UTF-8 text" in upload(client, b"\xff\xfe").text


def test_a_valid_upload_is_listed_and_can_be_enabled(client, db):
    sign_in_admin(client, db)
    text = (b'id = "clinic-tms"\ntitle = "Our clinic TMS"\npayer = "Local plan"\n'
            b'treatment = "tms"\nsource = "the plan letter"\nread = "2026-11-20"\n'
            b'[[criteria]]\nkind = "failed_courses"\ncount = 1\n')
    response = upload(client, text)
    assert response.status_code == 302
    page = client.get(ADMIN_PAGE).text
    assert "Our clinic TMS" in page and "uploaded" in page
    upload_event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "coverage_policy_upload")).one()
    assert json.loads(upload_event.detail)["policy"] == "clinic-tms"
    enable(client, "clinic-tms")
    assert db.session.get(CoveragePolicySetting, "clinic-tms").enabled


def test_chart_shows_each_enabled_policy_with_criteria_and_attestations(
        client, db, clinician, signed_in):
    fits, fails, _ = three_patients(clinician)
    enable_directly(db, "cigna-spravato")
    db.session.commit()
    text = signed_in.get(f"/patients/{fits.id}").text
    assert 'data-policy="cigna-spravato"' in text
    assert "Eligible</span>" in text
    assert "Verify against the payer&#39;s current policy." in text
    assert ("sertraline (SSRI) 100 mg/day for 60 days at &gt;= 50 mg/day, 2024-01-01 to "
            "2024-03-01") in text
    assert 'type="checkbox" id="attest-cigna-spravato-1"' in text
    assert "Prescription-monitoring program checked" in text
    failing = signed_in.get(f"/patients/{fails.id}").text
    assert "Not eligible</span>" in failing
    assert "Next: the policy excludes depression with psychotic features" in failing


def test_chart_says_when_no_policy_is_enabled(db, clinician, signed_in):
    fits, _, _ = three_patients(clinician)
    db.session.commit()
    assert "No payer policy is enabled" in signed_in.get(f"/patients/{fits.id}").text


def test_panel_column_and_filter_for_one_policy_in_one_statement(client, db, clinician,
                                                                signed_in):
    enable_directly(db, "cigna-spravato")
    three_patients(clinician)
    db.session.commit()
    rows = {r.patient_id: r.eligible for r in db.session.scalars(select(StoredCoverage))}
    assert sorted(rows.values(), key=str) == [False, None, True]
    base = "/patients/?coverage=cigna-spravato"
    page = signed_in.get(base).text
    assert ("Cigna: Spravato (esketamine) nasal spray <span class=\"muted small\">Verify against "
            "the payer&#39;s current policy.</span></th>") in page
    for wanted, name in (("eligible", "Ada Fits"), ("not_eligible", "Bo Fails"),
                         ("undecided", "Cy Undecided")):
        text = signed_in.get(f"{base}&eligibility={wanted}").text
        assert name in text
        assert text.count('<tr data-mrn=') == 1
    assert "nasal spray <span" not in signed_in.get("/patients/?coverage=unknown-policy").text
    db.session.remove()
    with StatementCounter(db.engine) as counter:
        assert signed_in.get(f"{base}&eligibility=eligible").status_code == 200
    # as the plain panel (tests/test_pages.py): BEGIN, the user, the session, staleness, the
    # enabled policies, the page (with the policy's column), the audit head, the view event
    assert counter.count <= 8


def test_the_coverage_column_recomputes_only_its_outdated_results(db, clinician, signed_in):
    """The column alone (no eligibility filter): the page's own outdated results are
    recomputed; the verdicts, still current, are left as they are."""
    from datetime import date

    from sqlalchemy import update
    enable_directly(db, "cigna-spravato")
    fits, _, _ = three_patients(clinician)
    db.session.execute(update(StoredCoverage).values(computed_on=date(2024, 1, 1),
                                                     eligible=False))
    db.session.execute(update(StoredAssessment).values(status="kept"))
    db.session.commit()
    page = signed_in.get("/patients/?coverage=cigna-spravato").text
    assert page.count('class="coverage-cell">eligible<') == 1
    db.session.expire_all()
    assert db.session.get(StoredCoverage, (fits.id, "cigna-spravato")).eligible is True
    assert set(db.session.scalars(select(StoredAssessment.status))) == {"kept"}


def test_panel_recomputes_results_computed_before_today(db, clinician, signed_in):
    from datetime import date, timedelta

    from sqlalchemy import update
    enable_directly(db, "cigna-spravato")
    fits, _, _ = three_patients(clinician)
    db.session.execute(update(StoredCoverage).values(computed_on=date(2024, 1, 1),
                                                     eligible=False))
    db.session.commit()
    page = signed_in.get("/patients/?coverage=cigna-spravato&eligibility=eligible").text
    assert "Ada Fits" in page
    db.session.expire_all()
    row = db.session.get(StoredCoverage, (fits.id, "cigna-spravato"))
    assert row.eligible is True and row.computed_on >= date.today() - timedelta(days=1)


def test_trd_reassess_stores_coverage_in_bulk(app, db, clinician):
    enable_directly(db, "cigna-spravato")
    enable_directly(db, "aetna-tms")
    three_patients(clinician)
    db.session.execute(StoredCoverage.__table__.delete())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["trd", "reassess"])
    assert result.exit_code == 0, result.output
    stored = db.session.scalars(select(StoredCoverage)).all()
    assert len(stored) == 6
    assert sorted(str(r.eligible) for r in stored if r.policy_id == "cigna-spravato") == [
        "False", "None", "True"]
