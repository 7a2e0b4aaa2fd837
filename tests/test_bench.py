"""The benchmark's own code runs (on a tiny population); it asserts no timings."""

from bench import measure
from bench.population import build
from tracker.models import Patient, StoredAssessment


def test_bench_population_and_measurements_run(app, db):
    build(patients=40, clinicians=4)
    assert db.session.query(Patient).count() == 40
    assessed = measure.assess_population()
    assert assessed["patients"] == 40
    assert db.session.query(StoredAssessment).count() == 40
    panel = measure.panel(app)
    assert panel["clinician_patients"] == 20 and panel["ratio"] > 0
    chart = measure.chart(app)
    assert chart["trials"] == 15 and chart["p95_ms"] >= chart["median_ms"]
    assert measure.panel_csv()["rows"] == 40
    first = measure.first_of_day_panel(app, panel["page_ms"])
    assert first["patients"] == 20 and first["statements"] <= first["target_statements"]
    by_verdict = measure.first_of_day_panel(app, panel["page_ms"], "/patients/?sort=failed")
    assert by_verdict["statements"] <= by_verdict["target_statements"]
    assert measure.reassess(1)["patients"] == 40


def test_the_request_profile_runs_and_names_every_part(tmp_path, capsys):
    from bench import profile

    profile.run(f"sqlite:///{tmp_path}/profile.sqlite", patients=40, requests=3)
    printed = capsys.readouterr().out
    for label, _where in profile.PANEL_PARTS + profile.FIRST_OF_DAY_PARTS:
        line = next(line for line in printed.splitlines() if line.strip().startswith(
            label.strip()))
        assert not line.rstrip().endswith(" -"), line  # the function was found and timed
