"""The prior-authorisation summary read as a reviewer's tools read it: pdfinfo, pdftotext."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import make_user
from tracker import create_app
from tracker.demo import demo_histories
from tracker.extensions import db as _db
from tracker.interchange.history import parse
from tracker.interchange.transfer import import_document
from tracker.reports.pdf import summary_pdf
from tracker.reports.summary import build_summary

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils not installed")
DATA = Path(__file__).parent / "data"
AS_OF = date(2024, 6, 1)


def _pages(pdf: Path) -> list[str]:
    """Return the text of each page as pdftotext extracts it (form feed between pages)."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return text.split("\f")[:-1]


def _info(pdf: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True,
                         text=True).stdout
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines())}


@pytest.fixture(scope="module")
def summaries(tmp_path_factory):
    """Render every demo patient's summary and the format's example once for the module:
    {mrn: (pdf, patient)}. The module has its own app and database (rendering is slow)."""
    app = create_app("testing")
    folder = tmp_path_factory.mktemp("summaries")
    documents = [*demo_histories(AS_OF), json.loads((DATA / "example-history.json").read_text())]
    with app.test_request_context():
        _db.drop_all()
        _db.create_all()
        clinician = make_user(name="Dr Ada Lovelace")
        rendered = {}
        for document in documents:
            patient = import_document(parse(document), clinician)
            if patient.mrn == "A-1001":
                patient.episodes[-1].icd10 = "F33.2"
            pdf = folder / f"{patient.mrn}.pdf"
            pdf.write_bytes(summary_pdf(build_summary(patient, as_of=AS_OF), clinician))
            rendered[patient.mrn] = (pdf, patient)
        _db.session.commit()
        yield rendered
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


def test_summary_is_tagged_pdf_ua_with_title_author_and_subject(summaries):
    pdf, patient = summaries["A-1001"]
    info = _info(pdf)
    assert info["Tagged"] == "yes"
    assert info["Title"] == f"Treatment-history summary · {patient.name}"
    assert info["Author"] == "Dr Ada Lovelace"
    assert "prior authorisation" in info["Subject"] and "A-1001" in info["Subject"]
    xmp = subprocess.run(["pdfinfo", "-meta", str(pdf)], check=True, capture_output=True,
                         text=True).stdout
    assert 'pdfuaid:part="1"' in xmp  # PDF/UA-1 declared in the XMP metadata


def _fragments(text: str, word: str) -> set[str]:
    """Return the tokens of ``text`` that are ``word`` cut short, as a broken line leaves it."""
    tokens = set(re.findall(r"[A-Za-z]+", text))
    return {t for t in tokens if t != word and len(t) >= 4 and word.startswith(t)}


def test_every_drug_name_and_heading_is_extracted_whole(summaries):
    for pdf, patient in summaries.values():
        text = "\n".join(_pages(pdf))
        words = {t.drug for t in patient.trials} | {t.response.value for t in patient.trials}
        for drug in {t.drug for t in patient.trials}:
            assert re.search(rf"\b{drug}\b", text), f"{drug} not found in {patient.mrn}"
        for word in words | {"adequate", "Adherence", "response", "minimum"}:
            assert not _fragments(text, word), f"{word} broken in {patient.mrn}"


def test_no_page_holds_only_the_signature(summaries):
    for pdf, patient in summaries.values():
        pages = _pages(pdf)
        signed = [page for page in pages if "Signature" in page]
        assert len(signed) == 1, patient.mrn
        assert "Timeline" in signed[0], f"{patient.mrn}: the signature is alone on its page"


def test_antidepressant_trials_are_numbered_without_the_augmentation(summaries):
    pdf, _ = summaries["D-1001"]  # Abilify, an augmentation agent, is its third trial
    numbered = re.findall(r"^\s*(\d)\s+([a-z]+)\b", _pages(pdf)[0], re.MULTILINE)
    assert numbered == [("1", "sertraline"), ("2", "venlafaxine"), ("3", "bupropion"),
                        ("4", "mirtazapine")]


def test_diagnosis_line_says_recurrent_once(summaries):
    text = re.sub(r"\s+", " ", _pages(summaries["A-1001"][0])[0])
    assert "born 1980-04-02 (age 44)" in text
    line = re.search(r"Diagnosis (.*?) Current episode", text).group(1)
    assert line == "Major depressive disorder, recurrent severe without psychotic features (F33.2)"
