"""Each measurement returns plain numbers; ratios are taken within the same run."""

from __future__ import annotations

import io
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

from flask import g, render_template_string
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker import rules
from tracker.assessments import history_of
from tracker.extensions import db
from tracker.interchange.csv_export import write_rows
from tracker.models import Patient, StoredAssessment, Trial, User, care_team
from tracker.patients.panel import PanelQuery, panel_page
from tracker.reports.tables import PANEL_HEADER, panel_rows

ROOT = Path(__file__).parents[1]


def fresh_request_state(sender, **_extra) -> None:
    """Give each benchmark request a clean ``g``, as each real request has (the benchmark
    keeps one app context open, which Flask would otherwise share between its requests)."""
    for key in ("_login_user", "csrf_token", "user_session"):
        g.pop(key, None)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _loaded_patients():
    return db.session.scalars(select(Patient).options(
        selectinload(Patient.episodes), selectinload(Patient.trials).selectinload(Trial.doses),
        selectinload(Patient.measurements), selectinload(Patient.treatments),
        selectinload(Patient.assessment))).all()


def assess_population() -> dict:
    """Assess everyone; compare with merely loading their histories; store every verdict."""
    from tracker.reassessment import every_patient, reassess_all

    patients = []
    load = timed(lambda: patients.extend(history_of(p) for p in _loaded_patients()))
    db.session.expunge_all()
    profile = rules.get_profile(rules.DEFAULT_PROFILE)
    as_of = rules_as_of()
    assess = timed(lambda: [rules.assess(h, profile, as_of) for h in patients])
    store = timed(lambda: reassess_all(every_patient(), as_of))  # in bulk, as trd reassess
    n = len(patients)
    return {"patients": n, "load_s": round(load, 2), "assess_s": round(assess, 2),
            "patients_per_s": round(n / assess), "assess_to_load": round(assess / load, 2),
            "store_all_s": round(store, 2)}


def rules_as_of():
    from bench.population import TODAY

    return TODAY


def _busiest_clinician() -> User:
    user_id = db.session.execute(
        select(care_team.c.user_id, func.count()).group_by(care_team.c.user_id)
        .order_by(func.count().desc()).limit(1)).first()[0]
    return db.session.get(User, user_id)


def signed_in(app, user: User):
    """Return a test client with ``user``'s session (as Flask-Login keeps it); check it works."""
    from tracker.auth.sessions import SESSION_KEY, open_session

    client = app.test_client()
    key = open_session(user)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session[SESSION_KEY] = key
    status = client.get("/patients/").status_code
    if status != 200:
        raise RuntimeError(f"the benchmark's clinician is not signed in (HTTP {status})")
    return client


def panel(app) -> dict:
    """Panel page through the test client against the bare query of the same rows (the page's
    one statement: its rows, their count and the panel's count of stale verdicts)."""
    user = _busiest_clinician()
    total = db.session.scalar(select(func.count()).where(care_team.c.user_id == user.id))
    client = signed_in(app, user)
    client.get("/patients/")  # first call of the day recomputes nothing: all are current
    query, today = PanelQuery(sort="failed", descending=True, per_page=25), date.today()
    page_times = [timed(lambda: client.get("/patients/?sort=failed&dir=desc")) for _ in range(30)]
    sql_times = [timed(lambda: panel_page(user, query, today)) for _ in range(30)]
    page, sql = statistics.median(page_times), statistics.median(sql_times)
    return {"clinician_patients": total, "page_ms": round(page * 1000, 2),
            "query_ms": round(sql * 1000, 2), "ratio": round(page / sql, 2), "target": 3}


def chart(app) -> dict:
    """The chart of the patient with the most trials: median and p95, against a plain render."""
    patient_id, trials = db.session.execute(
        select(Trial.patient_id, func.count()).group_by(Trial.patient_id)
        .order_by(func.count().desc()).limit(1)).first()
    user_id = db.session.execute(select(care_team.c.user_id)
                                 .where(care_team.c.patient_id == patient_id)).scalar()
    client = signed_in(app, db.session.get(User, user_id))
    size = len(client.get(f"/patients/{patient_id}").data)
    times = sorted(timed(lambda: client.get(f"/patients/{patient_id}")) for _ in range(60))
    text = "x" * size
    with app.test_request_context():
        plain = statistics.median(timed(lambda: render_template_string("{{ t }}", t=text))
                                  for _ in range(60))
    median, p95 = statistics.median(times), times[int(len(times) * 0.95) - 1]
    return {"trials": trials, "bytes": size, "median_ms": round(median * 1000, 2),
            "p95_ms": round(p95 * 1000, 2), "target_p95_ms": 50,
            "plain_render_ms": round(plain * 1000, 3),
            "ratio_to_plain": round(median / plain, 1)}


def panel_csv() -> dict:
    """Whole-population panel CSV, written by the export code the app and CLI use."""
    def export():
        out, count = io.StringIO(), 0

        def counted():
            nonlocal count
            for row in panel_rows(None, batch=5000):
                count += 1
                yield row

        write_rows(out, PANEL_HEADER, counted())
        return count

    count = [0]
    seconds = timed(lambda: count.__setitem__(0, export()))
    return {"rows": count[0], "seconds": round(seconds, 2),
            "rows_per_s": round(count[0] / seconds)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _load(url: str, seconds: float, threads: int = 4, cookie: str | None = None) -> float:
    """Send requests to ``url`` from ``threads`` threads for ``seconds``; return requests/s."""
    done = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def worker():
        request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
        while time.perf_counter() < stop:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
            with lock:
                done[0] += 1

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return done[0] / seconds


def _serve(app_spec: str, env: dict, workers: int = 2) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "--timeout", "120", app_spec],
        cwd=ROOT, env={**os.environ, **env})
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1).read()
            return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("gunicorn did not start")


def _session_cookie(app, user: User) -> str:
    client = signed_in(app, user)
    return f"session={client.get_cookie('session').value}"


def http(url: str) -> dict:
    """Panel throughput under gunicorn (2 workers) against a hello-world route, a few seconds."""
    from flask import current_app

    user = _busiest_clinician()
    cookie = _session_cookie(current_app, user)
    env = {"FLASK_CONFIG": "testing", "TEST_DATABASE_URL": url, "SECRET_KEY": "testing"}
    results = {}
    for name, spec, path in (("hello", "bench.hello:app", "/"),
                             ("panel", "tracker:create_app()", "/patients/")):
        proc, base = _serve(spec, env)
        try:
            results[f"{name}_rps"] = round(_load(base + path, 4.0, cookie=cookie))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
    results["ratio_to_hello"] = round(results["panel_rps"] / results["hello_rps"], 2)
    return results


def first_of_day_panel(app, normal_page_ms: float, path: str = "/patients/") -> dict:
    """The busiest clinician's first panel of the day: every verdict expired yesterday.

    ``path`` is the panel a clinician opens (sorted by name: its own 25 rows are recomputed);
    ``/patients/?sort=failed&dir=desc`` needs every verdict of the panel recomputed first.
    """
    from tests.test_pages import StatementCounter

    user = _busiest_clinician()
    user_id, client = user.id, signed_in(app, user)
    mine = select(care_team.c.patient_id).where(care_team.c.user_id == user_id)
    times, statements = [], []
    for _ in range(3):
        expire_verdicts_of(user_id)
        with StatementCounter(db.engine) as counter:
            times.append(timed(lambda: client.get(path)))
        statements.append(counter.count)
    ms = statistics.median(times) * 1000
    return {"path": path,
            "patients": db.session.scalar(select(func.count()).select_from(mine.subquery())),
            "ms": round(ms, 1), "statements": max(statements),
            "ratio_to_panel": round(ms / normal_page_ms, 1), "target_ratio": 3,
            "target_statements": 20}


def expire_verdicts_of(user_id: int) -> None:
    """Make every stored verdict of the user's patients expire yesterday; commit, and start
    the next request on a fresh session, as the morning's first request does."""
    mine = select(care_team.c.patient_id).where(care_team.c.user_id == user_id)
    db.session.execute(StoredAssessment.__table__.update()
                       .where(StoredAssessment.patient_id.in_(mine))
                       .values(valid_until=date.today() - timedelta(days=1)))
    db.session.commit()
    db.session.remove()


def reassess(workers: int) -> dict:
    """Recompute and store every verdict (``trd reassess``), with ``workers`` processes."""
    from tracker.reassessment import every_patient, reassess_all

    ids = every_patient()
    seconds = timed(lambda: reassess_all(ids, date.today(), workers))
    return {"patients": len(ids), "workers": workers, "seconds": round(seconds, 2),
            "patients_per_s": round(len(ids) / seconds)}


def load(url: str, seconds: float, clinicians: int = 50) -> dict:
    """Mixed load of ``clinicians`` signed-in clinicians against gunicorn (4 workers)."""
    from bench import mixed_load as mixed

    password = "bench load password"
    users = mixed.give_passwords(clinicians, password)
    env = {"FLASK_CONFIG": "testing", "TEST_DATABASE_URL": url, "SECRET_KEY": "testing"}
    proc, base = _serve("tracker:create_app()", env, workers=4)
    try:
        people = mixed.clinicians_for(base, users, password)
        routes = mixed.run(people, seconds)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    return {"clinicians": len(users), "seconds": seconds, "workers": 4, "routes": routes,
            "errors": sum(r["errors"] for r in routes.values())}


def print_table(report: dict) -> None:
    print(f"\n{report['patients']} patients, {report['clinicians']} clinicians")
    for database, r in report["results"].items():
        print(f"\n[{database}]")
        print(f"  panel page      {r['panel']['page_ms']} ms vs bare query "
              f"{r['panel']['query_ms']} ms: {r['panel']['ratio']}x (target <= 3x)")
        c = r["chart"]
        print(f"  chart           median {c['median_ms']} ms, p95 {c['p95_ms']} ms "
              f"(target p95 < 50 ms), {c['trials']} trials, {c['ratio_to_plain']}x a plain render")
        for f in (r["first_of_day_panel"], r["first_of_day_by_verdict"]):
            print(f"  first panel of the day  {f['path']}: {f['ms']} ms, {f['statements']} "
                  f"statements, {f['patients']} expired verdicts: {f['ratio_to_panel']}x a "
                  "normal panel (targets <= 3x, <= 20 statements)")
        a = r["assess"]
        print(f"  rule engine     {a['patients_per_s']} patients/s; assess {a['assess_s']} s vs "
              f"load {a['load_s']} s: {a['assess_to_load']}x (target <= 0.25x)")
        for q in r["reassess"]:
            print(f"  trd reassess    {q['patients_per_s']} patients/s with {q['workers']} "
                  "worker(s) (target >= 2,000/s)")
        p = r["panel_csv"]
        print(f"  panel CSV       {p['rows']} rows in {p['seconds']} s ({p['rows_per_s']} rows/s)")
        h = r["http"]
        print(f"  HTTP (gunicorn) panel {h['panel_rps']} req/s vs hello {h['hello_rps']} req/s: "
              f"{h['ratio_to_hello']} (target >= 0.33 SQLite, 0.25 PostgreSQL)")
        m = r["load"]
        print(f"  mixed load      {m['clinicians']} clinicians, {m['seconds']:g} s, "
              f"{m['errors']} errors (target 0)")
        for route, x in m["routes"].items():
            print(f"    {route:<11} {x['requests']:>6} requests, {x['errors']} errors, "
                  f"p95 {x['p95_ms']} ms")
    print(f"\nwritten to {Path(__file__).parent / 'results.json'}")
