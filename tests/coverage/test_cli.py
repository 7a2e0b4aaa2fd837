"""``flask --app tracker trd coverage``: JSON and text as specified, policy files refused whole."""

import json
from pathlib import Path

DATA = Path(__file__).parents[1] / "data"
HISTORY = str(DATA / "coverage-history.json")


def invoke(app, *args):
    return app.test_cli_runner().invoke(args=["trd", "coverage", *args])


def test_json_for_one_policy(app):
    result = invoke(app, HISTORY, "--policy", "cigna-spravato", "--as-of", "2024-10-27",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert set(out) == {"policy", "as_of", "eligible", "criteria", "attest", "reauthorisation"}
    assert (out["policy"], out["as_of"], out["eligible"]) == ("cigna-spravato", "2024-10-27", True)
    assert [c["kind"] for c in out["criteria"]] == [
        "active_episode", "failed_courses", "age", "no_psychotic_features"]
    assert set(out["criteria"][1]) == {"kind", "met", "evidence", "missing", "criteria"}
    assert out["criteria"][1]["evidence"][0] == (
        "sertraline (SSRI) 100 mg/day for 60 days at >= 50 mg/day, 2024-01-01 to 2024-03-01, "
        "recorded response: none; PHQ-9 22 -> 20 (9.1%)")
    assert out["reauthorisation"] == {"met": None, "evidence": [
        "no esketamine course recorded by 2024-10-27"]}


def test_all_lists_every_policy_and_modality_missing_is_unknown(app):
    result = invoke(app, HISTORY, "--policy", "all", "--as-of", "2024-10-27", "--format", "json")
    assert result.exit_code == 0, result.output
    out = {r["policy"]: r["eligible"] for r in json.loads(result.output)}
    assert out == {"aetna-tms": True, "bcbsnd-spravato": True, "carefirst-spravato": True,
                   "centene-tms": None, "cigna-spravato": True, "cms-l34998-tms": True,
                   "cms-l37086-tms": None, "qualchoice-spravato": True}


def test_text_names_the_verdict_source_and_verify_note(app):
    result = invoke(app, HISTORY, "--policy", "centene-tms", "--as-of", "2024-10-27")
    assert result.exit_code == 0, result.output
    assert "As of 2024-10-27: UNDECIDED" in result.output
    assert "Verify against the payer's current policy." in result.output
    assert "next: psychotherapy from 2024-01-11: record its modality" in result.output
    assert "[ ] No schizophrenia or bipolar disorder" in result.output


def test_an_unknown_policy_id_is_refused(app):
    result = invoke(app, HISTORY, "--policy", "nobody")
    assert result.exit_code == 2
    assert "unknown policy 'nobody'" in result.output


def test_a_faulty_policy_file_is_refused_with_every_path(app, tmp_path):
    path = tmp_path / "clinic.toml"
    path.write_text('id = "clinic"\ntitle = "t"\npayer = "p"\ntreatment = "tms"\n'
                    'source = "s"\nread = "2026-11"\n'
                    '[[criteria]]\nkind = "failed_courses"\nmin_days = "6 weeks"\n'
                    '[[criteria]]\nkind = "moon_phase"\n')
    result = invoke(app, HISTORY, "--policy", str(path))
    assert result.exit_code == 2
    assert f"{path}: criteria[0].count: missing" in result.output
    assert (f"{path}: criteria[0].min_days: expected a whole number (0 or more), got text "
            "'6 weeks'") in result.output
    assert f"{path}: criteria[1].kind: unknown kind 'moon_phase'" in result.output
    assert "The policy file was refused." in result.output


def test_a_valid_policy_file_is_used(app, tmp_path):
    path = tmp_path / "clinic.toml"
    path.write_text('id = "clinic"\ntitle = "Clinic rule"\npayer = "p"\ntreatment = "tms"\n'
                    'source = "s"\nread = "2026-11"\n'
                    '[[criteria]]\nkind = "failed_courses"\ncount = 4\n')
    result = invoke(app, HISTORY, "--policy", str(path), "--as-of", "2024-10-27",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["policy"], out["eligible"]) == ("clinic", False)
    assert out["criteria"][1]["missing"].startswith("1 more adequate failed antidepressant course")


def test_an_unreadable_policy_file_and_a_bad_history_are_refused(app, tmp_path):
    result = invoke(app, HISTORY, "--policy", str(tmp_path / "absent.toml"))
    assert result.exit_code == 1 and "cannot read the policy file" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    result = invoke(app, str(bad), "--policy", "cigna-spravato")
    assert result.exit_code == 2 and str(bad) in result.output


def test_an_uploaded_policy_is_known_to_the_command(app, db):
    from datetime import datetime

    from tracker.models import CoveragePolicySetting
    text = ('id = "cigna-spravato"\ntitle = "Cigna, as the clinic edited it"\npayer = "Cigna"\n'
            'treatment = "esketamine"\nsource = "s"\nread = "2026-11"\n'
            '[[criteria]]\nkind = "failed_courses"\ncount = 4\n')
    db.session.add(CoveragePolicySetting(policy_id="cigna-spravato", enabled=False, text=text,
                                         updated_at=datetime.now()))
    db.session.commit()
    result = invoke(app, HISTORY, "--policy", "cigna-spravato", "--as-of", "2024-10-27")
    assert result.exit_code == 0, result.output
    assert "Cigna, as the clinic edited it" in result.output
    assert "As of 2024-10-27: NOT ELIGIBLE" in result.output


def test_without_a_database_the_shipped_policies_still_work(app, db):
    db.drop_all()
    result = invoke(app, HISTORY, "--policy", "cms-l34998-tms", "--as-of", "2024-10-27",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    assert "uploaded policies are not read" in result.output
    assert '"eligible": true' in result.output


def test_a_fhir_bundle_is_read_too(app):
    bundle = str(DATA / "us-core-bundle.json")
    result = invoke(app, bundle, "--policy", "cms-l34998-tms", "--as-of", "2025-06-01",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["eligible"] is True
    assert out["criteria"][1]["evidence"] == [
        "sertraline (SSRI) 50-150 mg/day for 150 days at >= 50 mg/day, 2024-01-10 to "
        "2024-06-12, PHQ-9 22 -> 19 (13.6%)"]


def test_text_shows_options_of_any_of_and_reauthorisation(app):
    carefirst = invoke(app, HISTORY, "--policy", "carefirst-spravato", "--as-of", "2024-10-27")
    assert "      [unknown] an evidence-based psychotherapy course" in carefirst.output
    cigna = invoke(app, HISTORY, "--policy", "cigna-spravato", "--as-of", "2024-10-27")
    assert "Re-authorisation: unknown" in cigna.output
    assert "note: Every 6 months the policy asks for benefit shown" in cigna.output


def test_an_uploaded_policy_that_no_longer_loads_is_left_out(app, db, caplog):
    from datetime import datetime

    from tracker.coverage.registry import known_policies
    from tracker.models import CoveragePolicySetting
    db.session.add(CoveragePolicySetting(policy_id="broken", enabled=True, text="id = ",
                                         updated_at=datetime.now()))
    db.session.commit()
    with app.test_request_context():
        assert "broken" not in known_policies()
    assert "uploaded coverage policy broken no longer loads" in caplog.text
