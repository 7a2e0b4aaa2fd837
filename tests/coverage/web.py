"""Shared setup for coverage page tests: patients fitting, failing and undecided under Cigna."""

import json
from pathlib import Path

from tracker.assessments import store_assessment
from tracker.cli.trd import parse_file
from tracker.interchange.history import parse
from tracker.interchange.transfer import import_document

HISTORY = Path(__file__).parents[1] / "data" / "coverage-history.json"


def import_variant(clinician, mrn: str, name: str, change=None):
    """Import the coverage test history under another MRN, changed by ``change(raw)``."""
    raw = json.loads(HISTORY.read_text())
    raw["patient"].update(mrn=mrn, name=name)
    if change:
        change(raw)
    patient = import_document(parse(raw), clinician)
    store_assessment(patient)
    return patient


def three_patients(clinician):
    """Eligible, not eligible (psychotic) and undecided (no episode) under cigna-spravato."""
    assert parse_file(str(HISTORY))  # the file itself is valid
    fits = import_variant(clinician, "C-1", "Ada Fits")

    def psychotic(raw):
        raw["episodes"][0]["psychotic"] = True

    def no_episode(raw):
        raw["episodes"] = []
        for t in raw["trials"] + raw["treatments"]:
            t.pop("episode", None)

    fails = import_variant(clinician, "C-2", "Bo Fails", psychotic)
    open_ = import_variant(clinician, "C-3", "Cy Undecided", no_episode)
    return fits, fails, open_
