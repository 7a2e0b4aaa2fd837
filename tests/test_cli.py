"""The flask commands, run through Flask's CLI runner against a real database."""

import json
from pathlib import Path

from sqlalchemy import func, select

from tests.conftest import make_user
from tracker.demo import DEMO_EMAIL
from tracker.models import Patient, StoredAssessment, Trial, User

EXAMPLE = Path(__file__).parent / "data" / "example-history.json"


def test_users_create_with_password_option(app, db):
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "New@Example.org", "--name", "Dr New", "--role", "admin",
        "--password", "a long enough password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalars(select(User).where(User.email == "new@example.org")).one()
    assert user.is_admin and user.check_password("a long enough password")


def test_users_create_reads_the_password_from_a_prompt(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "--email", "p@example.org", "--name", "Dr P"],
        input="prompted password\nprompted password\n")
    assert result.exit_code == 0, result.output
    assert "prompted password" not in result.output


def test_users_create_refuses_short_password_and_duplicates(app, db):
    runner = app.test_cli_runner()
    args = ["users", "create", "--email", "d@example.org", "--name", "D"]
    assert runner.invoke(args=[*args, "--password", "short"]).exit_code == 1
    assert runner.invoke(args=[*args, "--password", "long enough pw"]).exit_code == 0
    again = runner.invoke(args=[*args, "--password", "long enough pw"])
    assert again.exit_code == 1 and "exists already" in again.output


def test_demo_load_is_idempotent_and_stores_verdicts(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0 and DEMO_EMAIL in first.output
    assert "already" in runner.invoke(args=["demo", "load"]).output
    patients = db.session.scalar(select(func.count(Patient.id)))
    assert patients == 6
    assert db.session.scalar(select(func.count(StoredAssessment.patient_id))) == 6
    assert db.session.scalar(select(func.count()).where(StoredAssessment.trd)) >= 2


def test_assess_json_matches_the_format_document(app):
    result = app.test_cli_runner().invoke(args=[
        "trd", "assess", str(EXAMPLE), "--as-of", "2024-06-01", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["trd"] is True and out["current_episode"] == "e2"
    assert out["failed_adequate_agents"] == ["escitalopram", "sertraline"]
    assert out["staging"] == {"thase_rush": "I", "maudsley": {"score": 7, "band": "moderate"},
                              "mgh": 3.5, "notes": []}


def test_assess_text_and_profile(app):
    result = app.test_cli_runner().invoke(args=[
        "trd", "assess", str(EXAMPLE), "--as-of", "2024-06-01", "--profile", "payer-strict"])
    assert result.exit_code == 0
    assert "TRD criteria not met" in result.output and "class other than SSRI" in result.output


def test_assess_reads_standard_input(app):
    result = app.test_cli_runner().invoke(
        args=["trd", "assess", "-", "--as-of", "2024-06-01", "--format", "json"],
        input=EXAMPLE.read_text())
    assert json.loads(result.output)["trd"] is True


def test_assess_invalid_history_exits_2_with_problems_on_stderr(app, tmp_path):
    bad = json.loads(EXAMPLE.read_text())
    bad["trials"][2]["doses"][1]["mg_per_day"] = 0
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = app.test_cli_runner().invoke(args=["trd", "assess", str(path)])
    assert result.exit_code == 2
    assert "trials[2].doses[1].mg_per_day: must be > 0" in result.stderr
    assert result.stdout == ""


def test_assess_not_json_and_missing_file_exit_2(app, tmp_path):
    (tmp_path / "x.json").write_text("{nope")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["trd", "assess", str(tmp_path / "x.json")]).exit_code == 2
    assert runner.invoke(args=["trd", "assess", str(tmp_path / "missing.json")]).exit_code == 2


def test_import_then_export_gives_the_same_history(app, db, tmp_path):
    clinician = make_user()
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["trd", "import", str(EXAMPLE), "--clinician", clinician.email])
    assert result.exit_code == 0, result.output
    exported = json.loads(runner.invoke(args=["trd", "export", "A-1001"]).output)
    path = tmp_path / "again.json"
    path.write_text(json.dumps(exported))
    assert runner.invoke(args=["trd", "import", str(path), "--clinician",
                               clinician.email]).exit_code == 0
    assert json.loads(runner.invoke(args=["trd", "export", "A-1001"]).output) == exported
    assert db.session.scalar(select(func.count(Patient.id))) == 1
    assert exported["trials"][1]["drug"] == "sertraline"


def test_import_is_all_or_nothing(app, db, tmp_path):
    clinician = make_user()
    db.session.commit()
    bad = json.loads(EXAMPLE.read_text())
    bad["patient"]["mrn"] = "B-2"
    bad["measurements"][0]["score"] = 99
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    result = app.test_cli_runner().invoke(
        args=["trd", "import", str(EXAMPLE), str(path), "--clinician", clinician.email])
    assert result.exit_code == 2 and "measurements[0].score" in result.stderr
    assert db.session.scalar(select(func.count(Patient.id))) == 0
    assert db.session.scalar(select(func.count(Trial.id))) == 0


def test_import_replaces_by_mrn_and_keeps_care_team(app, db, tmp_path):
    first, second = make_user(), make_user()
    db.session.commit()
    runner = app.test_cli_runner()
    runner.invoke(args=["trd", "import", str(EXAMPLE), "--clinician", first.email])
    smaller = json.loads(EXAMPLE.read_text())
    smaller["trials"] = smaller["trials"][:1]
    path = tmp_path / "smaller.json"
    path.write_text(json.dumps(smaller))
    assert runner.invoke(args=["trd", "import", str(path), "--clinician",
                               second.email]).exit_code == 0
    patient = db.session.scalars(select(Patient)).one()
    assert len(patient.trials) == 1
    assert {u.email for u in patient.clinicians} == {first.email, second.email}


def test_reassess_recomputes_every_stored_verdict(app, db):
    runner = app.test_cli_runner()
    runner.invoke(args=["demo", "load"])
    db.session.execute(StoredAssessment.__table__.update().values(status="bogus", trd=False))
    db.session.commit()
    result = runner.invoke(args=["trd", "reassess"])
    assert result.exit_code == 0 and "Reassessed 6 patients." in result.output
    db.session.expire_all()
    statuses = set(db.session.scalars(select(StoredAssessment.status)))
    assert "bogus" not in statuses and "met" in statuses


def test_import_unknown_clinician_and_export_unknown_mrn_fail(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["trd", "import", str(EXAMPLE), "--clinician",
                               "x@example.org"]).exit_code == 1
    assert runner.invoke(args=["trd", "export", "NOPE"]).exit_code == 1
