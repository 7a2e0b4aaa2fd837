"""Run the benchmarks: ``python -m bench [--patients N] [--clinicians N]``.

Builds a synthetic population in a scratch database (a temporary SQLite file, and PostgreSQL
when ``BENCH_DATABASE_URL`` names a scratch PostgreSQL database: its tables are dropped and
made anew), measures each target as a ratio taken in the same run, prints a table and writes
``bench/results.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from flask import request_started

from bench import measure
from bench.population import analyse, build
from config import database_url
from tracker import create_app
from tracker.extensions import db

RESULTS = Path(__file__).parent / "results.json"


def run_on(url: str, patients: int, clinicians: int, load_seconds: float) -> dict:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    request_started.connect(measure.fresh_request_state, app)
    with app.app_context():
        db.drop_all()
        db.create_all()
        seconds = measure.timed(lambda: build(patients, clinicians))
        print(f"  built {patients} patients in {seconds:.1f} s")
        results = {"build_seconds": round(seconds, 2)}
        steps = [
            ("assess", measure.assess_population),
            ("reassess", lambda: [measure.reassess(1), measure.reassess(2)]),
            ("panel", lambda: measure.panel(app)),
            ("first_of_day_panel",
             lambda: measure.first_of_day_panel(app, results["panel"]["page_ms"])),
            ("first_of_day_by_verdict", lambda: measure.first_of_day_panel(
                app, results["panel"]["page_ms"], "/patients/?sort=failed&dir=desc")),
            ("chart", lambda: measure.chart(app)),
            ("panel_csv", measure.panel_csv),
            ("http", lambda: measure.http(url)),
            ("load", lambda: measure.load(url, load_seconds)),
        ]
        for name, step in steps:
            start = time.perf_counter()
            results[name] = step()
            print(f"  {name} measured in {time.perf_counter() - start:.1f} s")
            if name == "assess":
                analyse()
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--patients", type=int, default=20_000)
    parser.add_argument("--clinicians", type=int, default=200)
    parser.add_argument("--load-seconds", type=float, default=60,
                        help="how long the mixed load of 50 clinicians runs (default 60)")
    args = parser.parse_args()
    report = {"patients": args.patients, "clinicians": args.clinicians, "results": {}}
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite")
        report["results"]["sqlite"] = run_on(f"sqlite:///{tmp}/bench.sqlite", args.patients,
                                             args.clinicians, args.load_seconds)
    RESULTS.write_text(json.dumps(report, indent=2))  # kept even if PostgreSQL fails later
    pg = database_url(os.environ.get("BENCH_DATABASE_URL"))
    if pg:
        print("PostgreSQL")
        report["results"]["postgresql"] = run_on(pg, args.patients, args.clinicians,
                                                 args.load_seconds)
        RESULTS.write_text(json.dumps(report, indent=2))
    measure.print_table(report)


if __name__ == "__main__":
    main()
