"""Prior-authorisation packets as PDFs: every criterion and evidence line is in the text."""

import io
from datetime import date

from pypdf import PdfReader

from tests.coverage.test_pages import enable_directly
from tests.coverage.web import import_variant
from tracker.coverage import shipped_policies
from tracker.reports.packet import build_packet
from tracker.rules.coverage import CriterionResult

AS_OF = date(2024, 10, 27)


def with_esketamine(raw):
    raw["treatments"].append({"kind": "esketamine", "detail": "56 mg twice weekly",
                              "start": "2024-09-07", "end": None, "sessions": 8,
                              "episode": "e1"})
    raw["measurements"] += [{"date": "2024-08-28", "instrument": "PHQ-9", "score": 19},
                            {"date": "2024-10-05", "instrument": "PHQ-9", "score": 12}]


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def lines_of(criteria: tuple[CriterionResult, ...]):
    for c in criteria:
        yield c.label
        yield from c.evidence
        if c.missing:
            yield c.missing
        yield from lines_of(c.criteria)


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_cli_packet_holds_every_criterion_and_evidence_line(app, db, clinician, tmp_path):
    import_variant(clinician, "C-9", "Dee Packet", with_esketamine)
    db.session.commit()
    for policy_id in ("cigna-spravato", "carefirst-spravato", "qualchoice-spravato"):
        out = tmp_path / f"{policy_id}.pdf"
        result = app.test_cli_runner().invoke(args=[
            "report", "coverage", "C-9", "--policy", policy_id, "-o", str(out),
            "--as-of", "2024-10-27"])
        assert result.exit_code == 0, result.output
        text = pdf_text(out.read_bytes())
        policy = shipped_policies()[policy_id]
        packet = build_packet(_patient(db), policy, AS_OF)
        flat = squeeze(text)  # PDF text wraps lines anywhere: compare without whitespace
        for line in lines_of(packet.result.criteria):
            assert squeeze(line) in flat, (policy_id, line)
        for attest in packet.result.attest:
            assert squeeze(attest) in flat
        assert "Letter of medical necessity" in text
        assert squeeze(policy.title) in flat and squeeze(policy.verify) in flat
        assert "Signature" in text and "Timeline" in text and "Treatment history" in text


def _patient(db):
    from sqlalchemy import select

    from tracker.models import Patient
    return db.session.scalars(select(Patient).where(Patient.mrn == "C-9")).one()


def test_cigna_packet_says_eligible_and_reauthorisation_met(app, db, clinician, tmp_path):
    import_variant(clinician, "C-9", "Dee Packet", with_esketamine)
    db.session.commit()
    out = tmp_path / "reauth.pdf"
    result = app.test_cli_runner().invoke(args=[
        "report", "coverage", "C-9", "--policy", "cigna-spravato", "-o", str(out),
        "--as-of", "2024-10-27", "--reauthorisation"])
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    assert "RE-AUTHORISATION REQUEST" in text
    assert squeeze("PHQ-9 19 on 2024-08-28 -> 12 on 2024-10-05: 36.8% improvement "
                   "(needs more than 0% improvement)") in squeeze(text)
    packet = tmp_path / "packet.pdf"
    app.test_cli_runner().invoke(args=[
        "report", "coverage", "C-9", "--policy", "cigna-spravato", "-o", str(packet),
        "--as-of", "2024-10-27"])
    assert "the patient is eligible on the record" in pdf_text(packet.read_bytes())


def test_cli_refuses_unknown_policy_and_missing_reauthorisation(app, db, clinician, tmp_path):
    import_variant(clinician, "C-9", "Dee Packet")
    db.session.commit()
    runner = app.test_cli_runner()
    bad = runner.invoke(args=["report", "coverage", "C-9", "--policy", "nope", "-o",
                              str(tmp_path / "x.pdf")])
    assert bad.exit_code == 2 and "unknown policy 'nope'" in bad.output
    none = runner.invoke(args=["report", "coverage", "C-9", "--policy", "bcbsnd-spravato",
                               "-o", str(tmp_path / "x.pdf"), "--reauthorisation"])
    assert none.exit_code == 1 and "sets no re-authorisation criteria" in none.output


def test_web_packet_for_an_enabled_policy_only(db, clinician, signed_in):
    patient = import_variant(clinician, "C-9", "Dee Packet", with_esketamine)
    enable_directly(db, "cms-l34998-tms")
    db.session.commit()
    assert signed_in.get(f"/patients/{patient.id}/coverage/cigna-spravato.pdf").status_code \
        == 404
    response = signed_in.get(f"/patients/{patient.id}/coverage/cms-l34998-tms.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "C-9-cms-l34998-tms-prior-authorisation.pdf" in response.headers["Content-Disposition"]
    assert "Medicare LCD L34998" in pdf_text(response.data)
    assert signed_in.get(
        f"/patients/{patient.id}/coverage/cms-l34998-tms-reauthorisation.pdf").status_code == 404
