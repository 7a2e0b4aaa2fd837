"""Mixed load: simulated clinicians against gunicorn on loopback, bounded in time and count.

Each simulated clinician is signed in with its own session and, until the time is up, opens
its panel, opens a chart, saves a trial, adds a score or downloads a PDF summary, at random in
fixed proportions. Every request's route, status and time is kept; the result is, per route,
the number of requests, errors (5xx, refused connections, time-outs, or an unexpected status)
and the 95th percentile in milliseconds.
"""

from __future__ import annotations

import http.cookiejar
import random
import re
import statistics
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from tracker.extensions import db
from tracker.models import Patient, User, care_team

# Route -> weight: what a clinic's morning looks like, roughly.
MIX = {"panel": 30, "chart": 30, "save_trial": 10, "add_score": 20, "pdf": 10}
TIMEOUT = 30
MAX_REQUESTS = 100_000  # a hard bound whatever the duration
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Clinician:
    """One simulated clinician: a cookie jar, their patients, and a recorder."""

    def __init__(self, base: str, email: str, password: str, patients: list[int], seed: int):
        self.base, self.email, self.password, self.patients = base, email, password, patients
        self.random = random.Random(seed)
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=TIMEOUT) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, ""

    def token(self, path: str) -> str:
        status, page = self.request(path)
        match = CSRF.search(page)
        if status != 200 or not match:
            raise RuntimeError(f"no form at {path} (HTTP {status})")
        return match.group(1)

    def sign_in(self) -> None:
        self.request("/login", {"email": self.email, "password": self.password,
                                "csrf_token": self.token("/login")})
        status, page = self.request("/patients/")
        if status != 200 or 'name="password"' in page:
            raise RuntimeError(f"{self.email} could not sign in")

    def day(self) -> str:
        return (date.today() - timedelta(days=self.random.randint(30, 700))).isoformat()

    def act(self, route: str) -> int:
        patient = self.random.choice(self.patients)
        if route == "panel":
            return self.request("/patients/")[0]
        if route == "chart":
            return self.request(f"/patients/{patient}")[0]
        if route == "pdf":
            return self.request(f"/patients/{patient}/report.pdf")[0]
        if route == "add_score":
            path = f"/patients/{patient}/measurements/new"
            return self.request(path, {"csrf_token": self.token(path), "taken_on": self.day(),
                                       "instrument": "PHQ-9",
                                       "score": self.random.randint(0, 27)})[0]
        path = f"/patients/{patient}/trials/new"
        return self.request(path, {
            "csrf_token": self.token(path), "drug": self.random.choice(["sertraline", "bupropion"]),
            "episode": "", "doses-0-start": self.day(), "doses-0-mg_per_day": "100",
            "stop_reason": "", "adherence": "good", "response": "unknown", "notes": ""})[0]


def _accepted(route: str, status: int) -> bool:
    # a saved form redirects; a form shown again with a problem or a confirmation is a 200
    return status in ((200, 302, 303) if route in ("save_trial", "add_score") else (200,))


def give_passwords(count: int, password: str) -> list[User]:
    """Give the ``count`` clinicians with the most patients a password (cheap hash); commit."""
    users = db.session.scalars(select(User).join(care_team).group_by(User.id)
                               .order_by(db.func.count().desc()).limit(count)).all()
    digest = generate_password_hash(password, "pbkdf2:sha256:1000")
    for user in users:
        user.password_hash = digest
    db.session.commit()
    return users


def clinicians_for(base: str, users: list[User], password: str) -> list[Clinician]:
    """Return one simulated clinician per user, each signed in through the sign-in form.

    Their patients are read first and this process's transaction ended before anyone signs
    in: on SQLite an open transaction here would hold the write lock the server needs.
    """
    people = [(n, user.email, list(db.session.scalars(
        select(Patient.id).join(care_team).where(care_team.c.user_id == user.id).limit(200))))
        for n, user in enumerate(users)]
    db.session.commit()
    made = []
    for n, email, patients in people:
        clinician = Clinician(base, email, password, patients, seed=n)
        clinician.sign_in()
        made.append(clinician)
    return made


def run(clinicians: list[Clinician], seconds: float) -> dict:
    """Let every clinician act until ``seconds`` pass; return requests, errors, p95 per route."""
    times: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    routes, weights = list(MIX), list(MIX.values())

    def work(clinician: Clinician) -> None:
        while time.perf_counter() < stop:
            route = clinician.random.choices(routes, weights)[0]
            started = time.perf_counter()
            try:
                ok = _accepted(route, clinician.act(route))
            except (OSError, RuntimeError):
                ok = False
            with lock:
                times[route].append(time.perf_counter() - started)
                errors[route] += not ok
                if sum(len(t) for t in times.values()) >= MAX_REQUESTS:
                    return

    threads = [threading.Thread(target=work, args=(c,)) for c in clinicians]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {route: {"requests": len(times[route]), "errors": errors[route],
                    "p95_ms": round(_p95(times[route]) * 1000, 1)} for route in MIX}


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20)[-1]
