"""Text that looks like markup or SQL comes back inert on every page."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from tests.conftest import csrf, login, make_user
from tests.routes import example_urls, patient_with_records
from tracker.models import Role

PAYLOAD = "<script>alert('x')</script>"
SQL = "Robert'); DROP TABLE patients;--"


def test_markup_and_sql_in_every_text_field_are_escaped_on_every_page(app, db, client):
    owner = make_user(name=f"Dr {PAYLOAD}")
    admin = make_user(Role.ADMIN, name=f"Admin {PAYLOAD}")
    patient, records = patient_with_records(owner)
    patient.name, patient.mrn = f"{SQL} {PAYLOAD}", f"M{PAYLOAD}"
    records["trials"].notes = PAYLOAD
    records["treatments"].detail = PAYLOAD
    records["measurements"].mark_entered_in_error(owner.id, PAYLOAD)
    patient.birth_date = date(1970, 1, 1)
    db.session.commit()
    pages = 0
    for who in (owner, admin):
        login(client, who.email)
        client.get("/admin/audit.csv", buffered=True)  # puts the payload in an audit detail
        for rule, url in example_urls(app, patient, records, user_id=owner.id):
            if "GET" not in rule.methods or rule.endpoint.endswith(".audit_csv"):
                continue
            response = client.get(url, buffered=True)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            text = response.get_data(as_text=True)
            assert "<script>alert" not in text, url
            pages += 1
        client.post("/logout", data={"csrf_token": csrf(client, "/account/password")})
    assert pages >= 15
    login(client, owner.email)
    for suffix in ("trials.csv", "fhir.json", "history.json"):
        export = client.get(f"/patients/{patient.id}/{suffix}")
        assert export.status_code == 200 and export.mimetype != "text/html"
        assert "<script>" in export.get_data(as_text=True)  # kept as data, in a non-HTML type
    pdf = client.get(f"/patients/{patient.id}/report.pdf").get_data()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "<script>alert('x')</script>" in text  # printed as the text it is, not run
    db.session.expire_all()
    assert patient.name.startswith(SQL)  # stored as typed; the patients table is still there
