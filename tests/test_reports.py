"""Reports and exports: the PDF read back, FHIR validated, CSV parsed, golden files, access."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from tests.conftest import login, make_patient, make_trial, make_user
from tracker.assessments import store_assessment
from tracker.catalogue import default_catalogue
from tracker.interchange.csv_export import write_rows
from tracker.interchange.fhir.export import patient_bundle
from tracker.interchange.history import parse
from tracker.interchange.history_dump import dump
from tracker.interchange.transfer import export_document, import_document
from tracker.models import Role
from tracker.reports.research import HEADER as RESEARCH_HEADER
from tracker.reports.research import birth_year, research_rows
from tracker.reports.summary import build_summary
from tracker.reports.tables import DOSE_STEP_HEADER, TRIAL_HEADER, dose_step_rows, trial_rows
from tracker.rules.vocab import Response, StopReason

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts" / "reports"
AS_OF = date(2024, 6, 1)
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def example(db, clinician):
    """The format document's example patient, with an ICD-10 code on the current episode."""
    document = parse(json.loads((DATA / "example-history.json").read_text()))
    patient = import_document(document, clinician)
    patient.episodes[-1].icd10 = "F33.2"
    db.session.commit()
    return patient


def _golden(name: str, text: str) -> None:
    """Compare with tests/golden/<name>; UPDATE_GOLDEN=1 rewrites the file instead."""
    path, data = GOLDEN / name, text.encode("utf-8")
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} differs from its golden file"


def _csv(header, rows) -> str:
    out = io.StringIO(newline="")
    write_rows(out, header, rows)
    return out.getvalue()


def _excel(body: bytes) -> list[dict]:
    """Read a CSV download as Excel does: UTF-8 only after a byte-order mark, every cell
    quoted (checked line by line: no test cell holds a line break)."""
    assert body.startswith(b"\xef\xbb\xbf"), "no byte-order mark: Excel would read cp1252"
    text = body.decode("utf-8-sig")
    quoted = r'"(?:[^"]|"")*"'
    for line in text.split("\r\n")[:-1]:
        assert re.fullmatch(f"{quoted}(?:,{quoted})*", line), line
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_trials_csv_matches_its_golden_file(example):
    _golden("trials.csv", _csv(TRIAL_HEADER, trial_rows(build_summary(example, as_of=AS_OF))))


def test_fhir_bundle_matches_its_golden_file(example):
    text = patient_bundle(example, NOW).model_dump_json(indent=2, exclude_none=True)
    _golden("fhir-bundle.json", text + "\n")


def test_research_extract_matches_its_golden_file(example):
    rows = research_rows(build_summary(example, as_of=AS_OF), "study-0001", AS_OF)
    _golden("research.csv", _csv(RESEARCH_HEADER, rows))


def test_fhir_bundle_validates_and_round_trips_its_codes(example):
    text = patient_bundle(example, NOW).model_dump_json(exclude_none=True)
    bundle = Bundle.model_validate_json(text)  # validated again from the JSON alone
    assert bundle.type == "collection"
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    assert kinds.count("Patient") == 1 and kinds.count("Condition") == 2
    assert kinds.count("MedicationStatement") == len(example.trials)
    assert kinds.count("Observation") == len(example.measurements)
    by_kind = {}
    for entry in bundle.entry:
        by_kind.setdefault(entry.resource.get_resource_type(), []).append(entry.resource)
    current = by_kind["Condition"][-1]
    assert {(c.system, c.code) for c in current.code.coding} == {
        ("http://snomed.info/sct", "370143000"), ("http://hl7.org/fhir/sid/icd-10-cm", "F33.2")}
    catalogue = default_catalogue()
    for statement, trial in zip(by_kind["MedicationStatement"], example.trials, strict=True):
        agent = catalogue.resolve(trial.drug)
        codes = [c.code for c in statement.medicationCodeableConcept.coding or []]
        assert codes == ([agent.rxcui] if agent.rxcui else [])
        assert [d.doseAndRate[0].rateQuantity.value for d in statement.dosage] == \
            [s.mg_per_day for s in trial.doses]
        assert statement.effectivePeriod.start.isoformat() == trial.started.isoformat()
    phq9 = [o for o in by_kind["Observation"] if o.code.coding[0].code == "44261-6"]
    assert phq9 and all(o.code.coding[0].system == "http://loinc.org" for o in phq9)
    references = {e.fullUrl for e in bundle.entry}
    assert all(s.subject.reference in references for s in by_kind["MedicationStatement"])


def test_history_export_imports_to_the_same_history(example, db, signed_in):
    response = signed_in.get(f"/patients/{example.id}/history.json")
    assert response.mimetype == "application/json"
    again = parse(response.get_json())
    assert again.history == export_document(example).history
    assert dump(again) == response.get_json()


def test_trials_csv_download_parses_back_and_neutralises_formulas(db, signed_in, clinician):
    patient = make_patient(clinician, mrn="F-1")
    make_trial(patient, notes='=HYPERLINK("http://evil.example","click")')
    make_trial(patient, "venlafaxine", notes="+1 tablet; -2 later; @home")
    db.session.commit()
    response = signed_in.get(f"/patients/{patient.id}/trials.csv")
    assert response.headers["Content-Disposition"] == "attachment; filename=F-1-trials.csv"
    rows = _excel(response.get_data())
    assert [r["drug"] for r in rows] == ["sertraline", "venlafaxine"]
    assert rows[0]["notes"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert rows[1]["notes"] == "'+1 tablet; -2 later; @home"
    expected = _csv(TRIAL_HEADER, trial_rows(build_summary(patient)))
    assert response.get_data(as_text=True) == expected


def test_panel_csv_lists_only_my_patients(db, signed_in, clinician):
    mine = make_patient(clinician, name="=cmd|' /C calc'!A0")
    make_patient(make_user(), name="Not Mine")
    db.session.commit()
    rows = _excel(signed_in.get("/reports/panel.csv").get_data())
    assert [r["mrn"] for r in rows] == [mine.mrn]
    assert rows[0]["name"].startswith("'=") and rows[0]["trd_status"] == "not_met"


def test_csv_keeps_accents_plain_numbers_and_one_agent_per_item(db, signed_in, clinician):
    patient = make_patient(clinician, name="Zoë Ångström-Núñez", mrn="Z-1")
    failed = {"stop_reason": StopReason.INADEQUATE_RESPONSE, "response": Response.NONE}
    make_trial(patient, "sertraline", ((date(2024, 1, 1), 50), (date(2024, 1, 15), 150)),
               stopped=date(2024, 4, 1), **failed)
    make_trial(patient, "venlafaxine", ((date(2024, 4, 2), 225),), stopped=date(2024, 6, 1),
               **failed)
    store_assessment(patient)
    db.session.commit()
    panel = _excel(signed_in.get("/reports/panel.csv").get_data())
    assert panel[0]["name"] == "Zoë Ångström-Núñez"
    assert panel[0]["failed_agents"] == "sertraline; venlafaxine"
    trials = _excel(signed_in.get(f"/patients/{patient.id}/trials.csv").get_data())
    assert [r["max_mg_per_day"] for r in trials] == ["150", "225"]
    assert [r["min_adequate_mg_per_day"] for r in trials] == ["50", "150"]


def test_dose_steps_csv_has_one_row_per_step_with_start_and_end(example, signed_in):
    response = signed_in.get(f"/patients/{example.id}/dose-steps.csv")
    assert response.headers["Content-Disposition"] == \
        "attachment; filename=A-1001-dose-steps.csv"
    rows = _excel(response.get_data())
    assert len(rows) == sum(len(t.doses) for t in example.trials)
    sertraline = [r for r in rows if r["drug"] == "sertraline"]
    assert [(r["step"], r["start"], r["end"], r["days"], r["mg_per_day"], r["ongoing"])
            for r in sertraline] == [("1", "2024-01-15", "2024-02-04", "21", "50", "no"),
                                     ("2", "2024-02-05", "2024-03-31", "56", "100", "no")]
    last = [r for r in rows if r["drug"] == "escitalopram"][-1]
    assert (last["end"], last["days"], last["ongoing"]) == ("", "", "yes")
    assert f'/patients/{example.id}/dose-steps.csv' in signed_in.get(
        f"/patients/{example.id}").get_data(as_text=True)


def test_dose_steps_csv_matches_its_golden_file(example):
    _golden("dose-steps.csv", _csv(DOSE_STEP_HEADER,
                                   dose_step_rows(build_summary(example, as_of=AS_OF))))


def _pdf_text(body: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_summary_pdf_holds_every_trial_and_the_determination(example, signed_in, clinician):
    response = signed_in.get(f"/patients/{example.id}/report.pdf")
    assert response.mimetype == "application/pdf"
    body = response.get_data()
    text = re.sub(r"\s+", " ", _pdf_text(body))
    assert "Jane Example" in text and "A-1001" in text and "F33.2" in text
    assert "TRD determination" in text and clinician.name in text and "Signature" in text
    for trial in example.trials:
        assert trial.drug in text
        assert trial.started.isoformat() in text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "summary.pdf").write_bytes(body)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_summary_pdf_renders_to_an_image(example, signed_in):
    """Render page 1 with pdftoppm: an A4 page that is not blank (kept for a human to see)."""
    from PIL import Image

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "summary-render.pdf"
    pdf.write_bytes(signed_in.get(f"/patients/{example.id}/report.pdf").get_data())
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(ARTIFACTS / "summary-page1")], check=True)
    with Image.open(ARTIFACTS / "summary-page1.png") as image:
        width, height = image.size
        assert abs(height / width - 297 / 210) < 0.02  # A4 portrait
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
        assert len(colours) > 50  # text, table rules and the determination box


def test_research_export_is_deidentified(example, db, client):
    admin = make_user(Role.ADMIN)
    old = make_patient(make_user(), name="Very Old Person", birth_date=date(1920, 3, 3))
    make_trial(old, doses=((date(2024, 1, 1), 50),))
    db.session.commit()
    login(client, admin.email)
    text = client.get("/reports/research.csv").get_data(as_text=True)
    rows = _excel(client.get("/reports/research.csv").get_data())
    for forbidden in ("Jane Example", "A-1001", "Very Old Person", old.mrn, "1920",
                      "1980-04-02"):
        assert forbidden not in text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text)  # no full date anywhere
    assert {r["study_id"] for r in rows} == {example.study_id, old.study_id}
    assert {r["birth_year"] for r in rows} == {"1980", "90 or older"}
    assert birth_year(date(1936, 6, 2), date(2026, 6, 1)) == "1936"  # 89: still a year
    assert birth_year(date(1936, 6, 1), date(2026, 6, 1)) == "90 or older"


def test_research_export_keeps_rows_entered_in_error_flagged(example, db, client):
    example.trials[0].mark_entered_in_error(None, "duplicate")
    admin = make_user(Role.ADMIN)
    db.session.commit()
    login(client, admin.email)
    rows = _excel(client.get("/reports/research.csv").get_data())
    assert [r["entered_in_error"] for r in rows].count("yes") == 1
    assert len(rows) == len(example.all_trials)


def test_exports_of_another_clinicians_patient_are_404(db, signed_in):
    theirs = make_patient(make_user())
    db.session.commit()
    for suffix in ("report.pdf", "trials.csv", "dose-steps.csv", "fhir.json", "history.json"):
        assert signed_in.get(f"/patients/{theirs.id}/{suffix}").status_code == 404
    assert signed_in.get("/reports/research.csv").status_code == 403


def test_exports_are_audited(example, db, signed_in):
    from tracker.models import AuditEvent

    for suffix in ("trials.csv", "fhir.json", "history.json"):
        signed_in.get(f"/patients/{example.id}/{suffix}")
    formats = [e.details["format"] for e in
               db.session.query(AuditEvent).filter_by(action="export").all()]
    assert formats == ["trials.csv", "fhir", "history"]


def test_cli_exports_with_progress(app, example, db, clinician, tmp_path):
    runner = app.test_cli_runner()
    for args, name in ((["pdf", "A-1001"], "one.pdf"), (["trials", "A-1001"], "t.csv"),
                       (["fhir", "A-1001"], "f.json"),
                       (["dose-steps", "A-1001"], "d.csv"), (["history", "A-1001"], "h.json"),
                       (["panel"], "p.csv"), (["research"], "r.csv")):
        result = runner.invoke(args=["report", *args, "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).stat().st_size > 100
    result = runner.invoke(args=["report", "pdf", "--all", "-o", str(tmp_path / "all")])
    assert result.exit_code == 0 and (tmp_path / "all" / "A-1001-treatment-history.pdf").exists()
    Bundle.model_validate_json((tmp_path / "f.json").read_text())
    for name in ("t.csv", "d.csv", "p.csv", "r.csv"):
        _excel((tmp_path / name).read_bytes())
    assert "Jane Example" not in (tmp_path / "r.csv").read_text()
    missing = runner.invoke(args=["report", "fhir", "NOPE", "-o", str(tmp_path / "x")])
    assert missing.exit_code == 1 and "no patient with the MRN NOPE" in missing.output
