"""Version 2 rule 10 at the edge: what `trd assess` and `trd import` take in, and refuse cleanly.

Every refusal is exit status 2 with the problem on standard error, never a traceback.
"""

import json
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parent / "data" / "example-history.json"


def assess(app, path):
    return app.test_cli_runner().invoke(
        args=["trd", "assess", str(path), "--as-of", "2024-06-01", "--format", "json"])


def write(tmp_path, data: bytes) -> Path:
    path = tmp_path / "history.json"
    path.write_bytes(data)
    return path


def test_a_utf8_byte_order_mark_is_accepted(app, tmp_path):
    result = assess(app, write(tmp_path, b"\xef\xbb\xbf" + EXAMPLE.read_bytes()))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["trd"] is True


def nested(levels: int) -> bytes:
    text = EXAMPLE.read_text()
    inner = "[" * (levels - 3) + "]" * (levels - 3)
    return text.replace('"notes": ""}', f'"notes": {inner}}}', 1).encode()


@pytest.mark.parametrize(("levels", "problem"), [
    # the document, its trials list and a trial are three levels; notes adds the rest
    (32, "trials[0].notes: must be a string"),
    (33, "$: nested deeper than 32 levels"),
    (100_000, "$: nested deeper than 32 levels"),  # would exhaust Python's recursion
])
def test_nesting_deeper_than_32_levels_is_refused_by_its_own_problem(app, tmp_path, levels,
                                                                     problem):
    result = assess(app, write(tmp_path, nested(levels)))
    assert result.exit_code == 2
    assert problem in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(("number", "problem"), [
    ("1" * 20, "trials[0].doses[0].mg_per_day: must be at most"),
    ("1" * 21, "$: a number has more than 20 digits"),
    ("0." + "1" * 20, "$: a number has more than 20 digits"),
    ("1" * 5000, "$: a number has more than 20 digits"),
])
def test_numbers_of_more_than_20_digits_are_refused(app, tmp_path, number, problem):
    text = EXAMPLE.read_text().replace('"mg_per_day": 20}]', f'"mg_per_day": {number}}}]', 1)
    result = assess(app, write(tmp_path, text.encode()))
    assert result.exit_code == 2 and problem in result.stderr


def test_a_file_over_2_mib_is_refused(app, tmp_path):
    doc = json.loads(EXAMPLE.read_text())
    doc["trials"][0]["notes"] = "x" * (2 * 1024 * 1024)
    result = assess(app, write(tmp_path, json.dumps(doc).encode()))
    assert result.exit_code == 2 and "$: the file is larger than 2 MiB" in result.stderr


def test_standard_input_takes_the_same_edges(app):
    result = app.test_cli_runner().invoke(
        args=["trd", "assess", "-", "--as-of", "2024-06-01", "--format", "json"],
        input=b"\xef\xbb\xbf" + EXAMPLE.read_bytes())
    assert result.exit_code == 0 and json.loads(result.stdout)["trd"] is True


@pytest.mark.parametrize(("mg", "exit_code", "warned"), [
    (200, 0, False),   # sertraline's label maximum
    (201, 0, True),    # just above: accepted with a warning
    (600, 0, True),    # three times the maximum: still accepted
    (601, 2, None),    # above three times: refused
])
def test_doses_against_the_label_maximum(app, tmp_path, mg, exit_code, warned):
    doc = json.loads(EXAMPLE.read_text())
    doc["trials"][1]["doses"][1]["mg_per_day"] = mg
    result = assess(app, write(tmp_path, json.dumps(doc).encode()))
    assert result.exit_code == exit_code
    if exit_code == 2:
        assert ("trials[1].doses[1].mg_per_day: 601 mg/day is more than 3 times the label "
                "maximum of sertraline (200 mg/day): check the dose") in result.stderr
    else:
        warnings = json.loads(result.stdout)["warnings"]
        assert bool(warnings) is warned


@pytest.mark.parametrize(("content", "problem"), [
    (b"\xef\xbb\xbf" + EXAMPLE.read_bytes(), None),
    (nested(33), "$: nested deeper than 32 levels"),
    (EXAMPLE.read_text().replace('"mg_per_day": 20}]', '"mg_per_day": ' + "1" * 21 + "}]", 1)
     .encode(), "$: a number has more than 20 digits"),
])
def test_the_web_import_takes_the_same_edges(signed_in, content, problem):
    from tests.test_imports import _upload

    page = _upload(signed_in, content)
    if problem is None:
        assert page.status_code == 302  # on to the preview
    else:
        assert problem in page.text and page.status_code == 200
