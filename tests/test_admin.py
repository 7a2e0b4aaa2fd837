"""Admin pages: accounts with the password policy, and care teams."""

from __future__ import annotations

import re

from tests.conftest import csrf, login, make_patient, make_user
from tracker.models import AuditEvent, Role, User


def _new_user(client, **data):
    url = "/admin/users/new"
    return client.post(url, data={"csrf_token": csrf(client, url), "role": "clinician", **data})


def test_admin_creates_an_account_and_errors_sit_beside_their_field(db, client):
    admin = make_user(Role.ADMIN)
    db.session.commit()
    login(client, admin.email)
    weak = _new_user(client, email="new@example.org", name="Dr New", password="password123")
    assert weak.status_code == 200
    assert 'id="password-error">This password is too common' in weak.text
    taken = _new_user(client, email=admin.email, name="Dup", password="tangerine lantern orbit")
    assert re.search(r'id="email-error">an account with the email \S+ exists already',
                     taken.text)
    made = _new_user(client, email="New@Example.org", name="Dr New",
                     password="tangerine lantern orbit")
    assert made.status_code == 302
    user = db.session.query(User).filter_by(email="new@example.org").one()
    assert user.role is Role.CLINICIAN and user.check_password("tangerine lantern orbit")
    event = db.session.query(AuditEvent).filter_by(action="create", entity="user",
                                                   entity_id=user.id).one()
    assert event.actor == admin.email and event.details["password_hash"] == "(redacted)"


def test_care_team_changes_are_audited_and_give_access(db, client):
    admin, doctor = make_user(Role.ADMIN), make_user()
    patient = make_patient(make_user())
    db.session.commit()
    login(client, admin.email)
    url = f"/admin/care-teams/{patient.id}"
    client.post(url, data={"csrf_token": csrf(client, url), "user": str(doctor.id),
                           "action": "add"})
    event = db.session.query(AuditEvent).filter_by(action="update", entity="patient").one()
    assert event.details["care_team"] == {"added": [doctor.email], "removed": []}
    other = client.application.test_client()
    login(other, doctor.email)
    assert other.get(f"/patients/{patient.id}").status_code == 200
    client.post(url, data={"csrf_token": csrf(client, url), "user": str(doctor.id),
                           "action": "remove"})
    assert other.get(f"/patients/{patient.id}").status_code == 404
    listing = client.get("/admin/care-teams?q=" + patient.mrn)
    assert patient.name in listing.text and "1 patient" in listing.text


def test_audit_trail_pages_fifty_events_at_a_time(db, client):
    from tracker import audit

    admin = make_user(Role.PRIVACY_OFFICER)  # clinical detail: privacy officers only
    patient = make_patient(make_user())
    for n in range(60):
        audit.record("view_chart", patient=patient, detail={"n": n}, actor=admin)
    db.session.commit()
    login(client, admin.email)
    first = client.get(f"/admin/audit?action=view_chart&patient={patient.id}").text
    assert "60 events" in first and "Page 1 of 2" in first and '&#34;n&#34;:59' in first
    second = client.get(f"/admin/audit?action=view_chart&patient={patient.id}&page=2").text
    assert "Page 2 of 2" in second and '&#34;n&#34;:9}' in second
    assert '&#34;n&#34;:10}' not in second
    assert 'rel="prev"' in second


def test_roles_are_named_as_people_say_them(db, client):
    admin = make_user(Role.ADMIN)
    make_user(Role.PRIVACY_OFFICER)
    db.session.commit()
    login(client, admin.email)
    listed = client.get("/admin/users").text
    assert "<td>Privacy officer</td>" in listed and "privacy_officer</td>" not in listed
    form = client.get("/admin/users/new").text
    assert '<option value="privacy_officer">Privacy officer</option>' in form
