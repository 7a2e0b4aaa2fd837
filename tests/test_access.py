"""Access: a clinician reaches only their care team's patients; admins manage, not read."""

from __future__ import annotations

import pytest

from tests.conftest import csrf, login
from tests.routes import example_urls, world
from tracker.auth.access import PUBLIC_ENDPOINTS

NO_PATIENT = {"main.index", "main.healthz", "auth.login", "auth.logout", "auth.change_password",
              "patients.panel", "patients.new", "reports.panel_csv", "imports.upload"}


def admin_only(endpoint: str) -> bool:
    return endpoint.startswith("admin.") or endpoint == "reports.research_csv"



def _token(client) -> str:
    return csrf(client, "/account/password")


def _methods(rule):
    return sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


@pytest.mark.parametrize("who", ["other clinician", "admin"])
def test_walk_every_route_outside_the_care_team(app, db, client, who):
    """Every route that takes an id answers 404 to a user outside the care team; admin
    pages answer 403 to clinicians; nothing is changed by any of these requests."""
    owner, other, admin, patient, records = world(db)
    visitor = admin if who == "admin" else other
    assert login(client, visitor.email).status_code == 302
    token, checked = _token(client), 0
    for rule, url in example_urls(app, patient, records, user_id=owner.id):
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint in NO_PATIENT:
            continue
        for method in _methods(rule):
            data = {"csrf_token": token} if method == "POST" else None
            status = client.open(url, method=method, data=data, buffered=True).status_code
            if admin_only(rule.endpoint):
                expected = (200, 302) if who == "admin" else (403,)
            else:
                expected = (404,)
            assert status in expected, (who, method, url, status)
            checked += 1
    assert checked >= 20
    db.session.expire_all()
    assert [r.in_error for r in records.values()] == [False] * 4
    assert patient.clinicians == [owner]


def test_the_owner_reaches_every_patient_route(app, db, client):
    owner, _other, _admin, patient, records = world(db)
    login(client, owner.email)
    for rule, url in example_urls(app, patient, records, user_id=owner.id):
        if "patient_id" in rule.arguments and not admin_only(rule.endpoint):
            assert client.get(url, buffered=True).status_code == 200, url


def test_every_form_post_without_a_csrf_token_is_refused(app, db, client):
    owner, _other, admin, patient, records = world(db)
    checked = 0
    for who in (owner, admin):
        login(client, who.email)
        for rule, url in example_urls(app, patient, records, user_id=owner.id):
            if "POST" not in _methods(rule) or rule.endpoint == "auth.login":
                continue
            if admin_only(rule.endpoint) != (who is admin):
                continue
            response = client.post(url, data={})
            assert response.status_code == 400, (url, response.status_code)
            assert "CSRF" in response.text
            checked += 1
        client.post("/logout", data={"csrf_token": _token(client)})
    assert client.post("/login", data={"email": owner.email, "password": "x"}).status_code == 400
    assert checked >= 12
    db.session.expire_all()
    assert [r.in_error for r in records.values()] == [False] * 4


def test_admin_sees_no_clinical_detail_but_manages_care_teams(db, client):
    owner, other, admin, patient, _records = world(db)
    login(client, admin.email)
    assert client.get("/patients/").status_code == 200
    assert patient.name not in client.get("/patients/").text
    assert client.get(f"/patients/{patient.id}").status_code == 404
    page = client.get(f"/admin/care-teams/{patient.id}")
    assert page.status_code == 200 and "sertraline" not in page.text
    token = _token(client)
    client.post(f"/admin/care-teams/{patient.id}",
                data={"csrf_token": token, "user": str(other.id), "action": "add"})
    db.session.expire_all()
    assert {u.email for u in patient.clinicians} == {owner.email, other.email}


def test_clinicians_may_not_open_admin_pages(db, client):
    owner, *_ = world(db)
    login(client, owner.email)
    for url in ("/admin/", "/admin/users", "/admin/audit", "/admin/audit.csv",
                "/admin/care-teams"):
        assert client.get(url).status_code == 403, url
