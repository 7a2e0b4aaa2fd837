"""Where a panel request's time goes: ``python -m bench.profile [--patients N] [--requests N]``.

Builds the benchmark population in a temporary SQLite file (or ``BENCH_DATABASE_URL``'s scratch
PostgreSQL database), then runs the busiest clinician's panel (sorted by a verdict) through the
test client under cProfile, and prints the milliseconds per request spent in each part of the
request path next to a hello-world request through the same client. Then the first panel of
the day sorted by a verdict (every verdict of 1,000 patients expired), split the same way.
cProfile slows Python code down, so the parts are for comparing with each other, not with
the benchmark's figures.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile

from flask import Flask, request_started

from bench import measure
from bench.population import analyse, build
from config import database_url
from tracker import create_app
from tracker.extensions import db

PANEL = "/patients/?sort=failed&dir=desc"
# (label, "file:function" as cProfile names it), in the order a request meets them.
PANEL_PARTS = [
    ("whole request (test client)", "flask/app.py:wsgi_app"),
    ("idle-session check, which includes", "tracker/auth/sessions.py:end_idle_session"),
    ("  the sign-in check: user and session row", "tracker/auth/access.py:load_user"),
    ("enabled coverage policies", "tracker/coverage/registry.py:enabled_policies"),
    ("page query (rows, count, stale count)", "tracker/patients/panel.py:panel_page"),
    ("template", "flask/templating.py:render_template"),
    ("audited view (chain head, HMAC, insert)", "tracker/audit.py:record"),
    ("commits (the read's, then the view's)", "sqlalchemy/orm/session.py:commit"),
    ("SQL in the driver", "~:<method 'execute' of 'sqlite3.Cursor' objects>"),
]
FIRST_OF_DAY_PARTS = [
    ("whole request (test client)", "flask/app.py:wsgi_app"),
    ("reading 1,000 histories", "tracker/assessments.py:load_histories"),
    ("assessing them (rule engine)", "tracker/rules/assessment.py:assess"),
    ("writing their verdicts", "tracker/assessments.py:write_verdicts"),
    ("page query (twice)", "tracker/patients/panel.py:panel_page"),
    ("template", "flask/templating.py:render_template"),
]


def _cumulative_ms(stats: pstats.Stats, where: str, calls: int) -> float | None:
    """Return the cumulative milliseconds per call of ``calls`` of the function ``where``."""
    path, _, name = where.partition(":")
    for (filename, _line, function), row in stats.stats.items():
        if function == name and (filename == path or filename.endswith(path)):
            return row[3] * 1000 / calls
    return None


def _report(title: str, profile: cProfile.Profile, parts: list, calls: int) -> None:
    stats = pstats.Stats(profile)
    print(f"\n{title} (ms per request, under cProfile)")
    for label, where in parts:
        ms = _cumulative_ms(stats, where, calls)
        print(f"  {label:<42} {'-' if ms is None else f'{ms:7.2f}'}")


def _profiled(client, path: str, times: int, before=None) -> cProfile.Profile:
    profile = cProfile.Profile()
    for _ in range(times):
        if before:
            before()
        profile.enable()
        client.get(path)
        profile.disable()
    return profile


def hello_ms(times: int) -> float:
    """A hello-world request through Flask's test client, under cProfile, in ms."""
    app = Flask("hello")
    app.add_url_rule("/", "hello", lambda: "hello")
    client = app.test_client()
    profile = _profiled(client, "/", times)
    return _cumulative_ms(pstats.Stats(profile), "flask/app.py:wsgi_app", times)


def run(url: str, patients: int, requests: int) -> None:
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    request_started.connect(measure.fresh_request_state, app)
    with app.app_context():
        db.drop_all()
        db.create_all()
        build(patients, 200)
        measure.assess_population()
        analyse()
        user = measure._busiest_clinician()
        user_id, client = user.id, measure.signed_in(app, user)
        for _ in range(10):
            client.get(PANEL)
        _report(f"Panel {PANEL}, {patients} patients", _profiled(client, PANEL, requests),
                PANEL_PARTS, requests)
        print(f"  {'hello world (test client)':<42} {hello_ms(requests):7.2f}")
        _report("First panel of the day sorted by a verdict, 1,000 verdicts expired",
                _profiled(client, PANEL, 3, before=lambda: measure.expire_verdicts_of(user_id)),
                FIRST_OF_DAY_PARTS, 3)
        db.session.remove()
        db.drop_all()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    url = database_url(os.environ.get("BENCH_DATABASE_URL"))
    if url:
        run(url, args.patients, args.requests)
        return
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/profile.sqlite", args.patients, args.requests)


if __name__ == "__main__":
    main()
