"""The web import in a real Chromium: upload, preview, accept, the chart afterwards; axe-core."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import test_browser
from tests.fhir_bundles import DATA, US_CORE, bundle, statement

# The live server, browser and signed-in page of the browser tests, for this module too.
live_server, browser, page = test_browser.live_server, test_browser.browser, test_browser.page
SHOTS = test_browser.SHOTS

pytestmark = pytest.mark.browser
AXE = Path(__file__).parents[1] / "node_modules" / "axe-core" / "axe.min.js"
EXAMPLE = DATA / "example-history.json"


def axe_violations(page) -> list[str]:
    """Return axe-core's serious and critical violations on the page, one line each."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `make axe` (npm install)")
    page.evaluate(AXE.read_text())  # evaluated by the browser's devtools: no inline script
    found = page.evaluate("async () => (await axe.run(document)).violations"
                          ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length}))")
    return [f"{v['id']} ({v['impact']}, {v['nodes']} nodes)" for v in found
            if v["impact"] in ("serious", "critical")]


def upload(page, name: str, content: bytes) -> None:
    """Open the import page from the top bar and send a file to the preview."""
    page.click("nav >> text=Import")
    page.set_input_files("input[type=file]", files=[
        {"name": name, "mimeType": "application/json", "buffer": content}])
    page.click("main button.primary")


def accept(page) -> None:
    page.wait_for_selector("text=Import preview")
    page.click("text=Accept and import")
    page.wait_for_selector(".flash-success")
    page.wait_for_load_state()  # the flash comes first: the chart's tables are further down


def chart_trials(page) -> list[str]:
    rows = page.locator("table.trials tbody tr").all_inner_texts()
    return [" ".join(row.split()) for row in rows]


def test_history_file_then_the_apps_own_fhir_export(page):
    upload(page, "history.json", EXAMPLE.read_bytes())
    page.wait_for_selector("text=Read as a treatment-history file")
    assert page.locator("main .badge-new").count() == 1 + 2 + 4 + 4 + 1  # patient and records
    accept(page)
    assert "Jane Example" in page.inner_text("main")
    trials = chart_trials(page)
    assert len(trials) == 4 and "sertraline" in trials[1] and "100 mg/day · 2024-02-05" in trials[1]
    # The chart's FHIR export, uploaded under another MRN, gives the same chart.
    chart_url = page.url
    exported = json.loads(page.request.get(chart_url + "/fhir.json").body())
    for entry in exported["entry"]:
        if entry["resource"]["resourceType"] == "Patient":
            entry["resource"]["identifier"][0]["value"] = "A-1001-FHIR"
    upload(page, "fhir.json", json.dumps(exported).encode())
    page.wait_for_selector("text=Read as a FHIR R4 Bundle")
    accept(page)
    assert page.url != chart_url
    assert sorted(chart_trials(page)) == sorted(trials)


def test_us_core_bundle_with_axe_on_upload_and_preview(page):
    page.click("nav >> text=Import")
    assert axe_violations(page) == []
    upload(page, "ehr-export.json", US_CORE.read_bytes())
    page.wait_for_selector("text=Import preview")
    main = page.inner_text("main")
    for shown in ("Maria Elena Rivera", "atorvastatin 20 MG Oral Tablet",
                  "50 mg/day from 2024-01-10", "150 mg/day from 2024-04-13", "Encounter: 1"):
        assert shown in main
    assert "200 mg/day" not in main  # the entered-in-error request
    assert axe_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "import-preview.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "import-preview-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    accept(page)
    trials = chart_trials(page)
    assert [t.split()[0] for t in trials] == ["sertraline", "sertraline", "bupropion"]
    scores = page.locator("text=PHQ-9").count()
    assert scores >= 3


def test_a_file_with_problems_shows_them_and_stores_nothing(page):
    bad = bundle(statement("sertraline", "2024-01-01", dose={
        "doseAndRate": [{"doseQuantity": {"value": 1, "unit": "tablet"}}]}),
        patient={"resourceType": "Patient", "id": "p", "identifier": [{"value": "BAD-1"}],
                 "name": [{"text": "Bad Bundle"}], "birthDate": "1970-01-01"})
    upload(page, "bad.json", json.dumps(bad).encode())
    page.wait_for_selector("#file-problems")
    assert "doseQuantity.unit: mg expected" in page.inner_text("#file-problems")
    assert page.get_attribute("input[type=file]", "aria-invalid") == "true"
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "import-problems.png"), full_page=True)
    page.goto("/patients/?q=Bad+Bundle")
    assert "Bad Bundle" not in page.inner_text("main table")


def test_uploading_the_same_file_twice_changes_nothing(page):
    content = json.dumps(bundle(statement("escitalopram 10 MG", "2024-01-01", "2024-03-31"),
                                patient={"resourceType": "Patient", "id": "p",
                                         "identifier": [{"value": "TWICE-1"}],
                                         "name": [{"text": "Tess Twice"}],
                                         "birthDate": "1980-02-02"})).encode()
    upload(page, "twice.json", content)
    accept(page)
    first = chart_trials(page)
    upload(page, "twice.json", content)
    page.wait_for_selector("text=accepting changes nothing")
    assert page.locator("main .badge-new").count() == 0
    accept(page)
    assert chart_trials(page) == first and len(first) == 1
