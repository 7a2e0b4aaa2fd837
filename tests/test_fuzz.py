"""Hypothesis throws bad input at the forms and the history import: never a 500, and the
database is exactly as before after every rejection."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.conftest import csrf, make_patient
from tracker.extensions import db as _db

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
EXAMPLE = json.loads((Path(__file__).parent / "data" / "example-history.json").read_text())

junk_text = st.text(max_size=40) | st.sampled_from([
    "", " ", "<script>alert(1)</script>", "'; DROP TABLE trials; --", "1e309", "nan", "-inf",
    "0", "-5", "99999999", "2024-02-30", "0000-01-01", "9999-12-31", "1850-01-01", "2024-13-01",
    "\x00", "Zolfot", "sertraline", "Zoloft", "x" * 3000])
dates = st.dates().map(str) | junk_text
numbers = st.floats(allow_nan=True, allow_infinity=True).map(str) | st.integers().map(str) \
    | junk_text


def snapshot() -> dict[str, int]:
    """Return the row count of every clinical and account table: a rejected request must leave
    all unchanged (the audit trail gains the view of the page that says what was wrong)."""
    _db.session.expire_all()
    return {name: _db.session.scalar(select(func.count()).select_from(table))
            for name, table in _db.metadata.tables.items() if name != "audit_events"}


def _post(client, url: str, data: dict):
    response = client.post(url, data=data)
    assert response.status_code in (200, 302, 400, 409, 413), response.status_code
    return response


@given(data=st.fixed_dictionaries({
    "drug": junk_text, "episode": junk_text, "doses-0-start": dates,
    "doses-0-mg_per_day": numbers, "doses-1-start": dates, "doses-1-mg_per_day": numbers,
    "stopped": dates, "stop_reason": junk_text | st.sampled_from(["side_effects", ""]),
    "adherence": junk_text | st.just("good"), "response": junk_text | st.just("none"),
    "notes": junk_text}))
@FUZZ
def test_trial_form_fuzz(db, signed_in, clinician, data):
    patient = make_patient(clinician, birth_date=date(1970, 1, 1))
    db.session.commit()
    url = f"/patients/{patient.id}/trials/new"
    before = snapshot()
    response = _post(signed_in, url, {"csrf_token": csrf(signed_in, url), **data})
    if response.status_code != 302:
        assert snapshot() == before
    else:
        assert snapshot()["trials"] == before["trials"] + 1


@given(data=st.fixed_dictionaries({
    "taken_on": dates, "instrument": junk_text | st.sampled_from(["PHQ-9", "MADRS"]),
    "score": numbers}))
@FUZZ
def test_measurement_form_fuzz(db, signed_in, clinician, data):
    patient = make_patient(clinician)
    db.session.commit()
    url = f"/patients/{patient.id}/measurements/new"
    before = snapshot()
    response = _post(signed_in, url, {"csrf_token": csrf(signed_in, url), **data})
    if response.status_code != 302:
        assert snapshot() == before


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, (*path, i))
    yield path


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | junk_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=3),
    max_leaves=6)
LEAVES = [p for p in _leaves(EXAMPLE) if p]


@given(edits=st.lists(st.tuples(st.sampled_from(LEAVES), json_values), min_size=1, max_size=3))
@example(edits=[(("trials",), True)])  # once crashed the birth-date check
@example(edits=[(("trials", 1, "episode"), [])])  # once crashed: a list is not a key
@FUZZ
def test_history_import_fuzz(app, db, clinician, tmp_path_factory, edits):
    """Import the example with a few values swapped for junk: all in, or nothing changed."""
    doc = copy.deepcopy(EXAMPLE)
    for path, value in edits:
        target = doc
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit replaced this branch
    source = tmp_path_factory.mktemp("fuzz") / "history.json"
    source.write_text(json.dumps(doc))
    before = snapshot()
    result = app.test_cli_runner().invoke(
        args=["trd", "import", str(source), "--clinician", clinician.email])
    assert result.exit_code in (0, 2), (result.output, result.exception)
    if result.exit_code == 2:
        assert "Nothing was imported" in result.output and snapshot() == before


def test_dates_before_birth_are_refused_beside_the_field(db, signed_in, clinician):
    patient = make_patient(clinician, birth_date=date(1990, 5, 1))
    db.session.commit()
    url = f"/patients/{patient.id}/measurements/new"
    before = snapshot()
    response = signed_in.post(url, data={"csrf_token": csrf(signed_in, url),
                                         "taken_on": "1990-04-30", "instrument": "PHQ-9",
                                         "score": "12"})
    assert response.status_code == 200
    assert "before the patient&#39;s birth (1990-05-01)" in response.text
    assert snapshot() == before
