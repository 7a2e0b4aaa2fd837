"""Concurrent clinicians against a real server: chart views, saves, score entries, exports.

``run`` drives ``clients`` threads for ``seconds``; each signs in as its own clinician and works
on its own patient, keeping what the server acknowledged (a 302 after a save). ``check`` then
reads the database: every acknowledged write present, and the audit chain intact.

``tests/test_reliability.py`` runs it (20 s, 8 clients); ``make reliability LOAD_SECONDS=60
LOAD_CLIENTS=16`` runs the same tests longer and with more clients.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, timedelta

PASSWORD = "load test passphrase"
FIRST_SCORE_DAY = date(2024, 6, 1)
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
UNAVAILABLE = "Database not reachable"


@dataclass
class Outcome:
    """What one client saw: acknowledged writes, answers by status, and anything wrong."""

    scores: list[tuple[int, date, int]] = field(default_factory=list)
    notes: str | None = None  # the trial notes of the last acknowledged trial save
    statuses: dict[int, int] = field(default_factory=dict)
    unavailable_at: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    last_ok_at: float = 0.0


class Browser:
    """A minimal HTTP client with the session cookie: no redirects followed."""

    def __init__(self, port: int):
        self.port, self.cookie = port, ""

    def send(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=90)
        headers = {"Cookie": f"session={self.cookie}"} if self.cookie else {}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie" and value.startswith("session="):
                    self.cookie = value.split(";")[0][len("session="):]
            return response.status, text
        finally:
            connection.close()


def seed(clients: int) -> list[tuple[str, int, int]]:
    """Create one clinician with one patient and one trial per client, in the app context;
    return (email, patient id, trial id) of each."""
    from tracker.extensions import db
    from tracker.models import Role
    from tracker.operations import StepInput, create_account, create_patient, save_trial

    made = []
    for n in range(clients):
        user = create_account(f"load{n}@example.org", f"Dr Load {n}", Role.CLINICIAN, PASSWORD)
        patient = create_patient(user, {"mrn": f"LOAD-{n:03d}", "name": f"Load Patient {n}",
                                        "birth_date": date(1970, 1, 1), "sex": "female"})
        trial = save_trial(patient, None, _trial_data("seeded", ""),
                           [StepInput(date(2024, 1, 1), 50)])
        made.append((user.email, patient.id, trial.id))
    db.session.commit()
    return made


def _trial_data(notes: str, version: str) -> dict:
    return {"drug": "sertraline", "episode": "", "stopped": None, "stop_reason": "",
            "adherence": "good", "response": "unknown", "notes": notes, "version": version}


class Clinician(threading.Thread):
    """One client: sign in, then view, score, save and export until the deadline."""

    def __init__(self, port: int, email: str, patient_id: int, trial_id: int, deadline: float,
                 outage: threading.Event | None = None):
        super().__init__(daemon=True)
        self.browser, self.email, self.deadline = Browser(port), email, deadline
        self.patient, self.trial = f"/patients/{patient_id}", trial_id
        self.patient_id, self.outage = patient_id, outage
        self.outcome, self.step = Outcome(), 0

    def _call(self, method: str, path: str, want: int, form: dict | None = None) -> str | None:
        """Send; return the page when the status is ``want``; note a 503 or an error."""
        try:
            status, text = self.browser.send(method, path, form)
        except OSError as error:
            self.outcome.errors.append(f"{method} {path}: {error!r}")
            return None
        self.outcome.statuses[status] = self.outcome.statuses.get(status, 0) + 1
        if status == want:
            self.outcome.last_ok_at = time.monotonic()
            return text
        if status == 503 and UNAVAILABLE in text:
            self.outcome.unavailable_at.append(time.monotonic())
            time.sleep(0.2)  # as a person would wait before trying again
            return None
        self.outcome.errors.append(f"{method} {path}: HTTP {status}")
        return None

    def _post_form(self, page: str, target: str, values: dict) -> bool:
        text = self._call("GET", page, 200)
        token = TOKEN.search(text or "")
        if token is None:
            return False
        extra = {}
        version = VERSION.search(text)
        if version:
            extra["version"] = version.group(1)
        return self._call("POST", target, 302, {"csrf_token": token.group(1), **values,
                                                **extra}) is not None

    def sign_in(self) -> bool:
        return self._post_form("/login", "/login", {"email": self.email, "password": PASSWORD})

    def run(self) -> None:
        while time.monotonic() < self.deadline and not self.sign_in():
            time.sleep(0.5)
        while time.monotonic() < self.deadline:
            self.step += 1
            self._call("GET", self.patient, 200)
            self._score()
            if self.step % 3 == 0:
                self._save_trial()
            export = "report.pdf" if self.step % 10 == 0 else \
                ("trials.csv" if self.step % 2 else "history.json")
            self._call("GET", f"{self.patient}/{export}", 200)
            if self.step % 4 == 0:
                self._call("GET", "/patients/", 200)

    def _score(self) -> None:
        day, score = FIRST_SCORE_DAY + timedelta(days=self.step), self.step % 28
        url = f"{self.patient}/measurements/new"
        if self._post_form(url, url, {"taken_on": day.isoformat(), "instrument": "PHQ-9",
                                      "score": str(score)}):
            self.outcome.scores.append((self.patient_id, day, score))

    def _save_trial(self) -> None:
        url = f"{self.patient}/trials/{self.trial}/edit"
        notes = f"save {self.step}"
        values = {**_trial_data(notes, ""), "stopped": "", "doses-0-start": "2024-01-01",
                  "doses-0-mg_per_day": "50"}
        values.pop("version")
        if self._post_form(url, url, values):
            self.outcome.notes = notes


def run(port: int, people: list[tuple[str, int, int]], seconds: float,
        during=None) -> list[Clinician]:
    """Run one client per person for ``seconds``; call ``during()`` meanwhile (e.g. a
    database restart); return the finished clients."""
    deadline = time.monotonic() + seconds
    clients = [Clinician(port, email, patient, trial, deadline)
               for email, patient, trial in people]
    for client in clients:
        client.start()
    if during is not None:
        during()
    for client in clients:
        client.join(timeout=seconds + 180)
    return clients


def check(clients: list[Clinician]) -> list[str]:
    """Return what the database lacks of the acknowledged writes, and a broken chain; run in
    an app context on the run's database."""
    from sqlalchemy import select

    from tracker import audit
    from tracker.extensions import db
    from tracker.models import Measurement, Trial

    problems = []
    stored = set(db.session.execute(select(Measurement.patient_id, Measurement.taken_on,
                                           Measurement.score)).all())
    for client in clients:
        for ack in client.outcome.scores:
            if tuple(ack) not in stored:
                problems.append(f"acknowledged score {ack} is missing")
        if client.outcome.notes is not None:
            notes = db.session.scalar(select(Trial.notes).where(Trial.id == client.trial))
            if notes != client.outcome.notes:
                problems.append(f"trial {client.trial}: {notes!r}, acknowledged "
                                f"{client.outcome.notes!r}")
    result = audit.verify(db.session)
    if not result.intact:
        problems.append(f"audit chain broken at {result.broken_at}: {result.problem}")
    return problems


def summary(clients: list[Clinician]) -> dict:
    statuses: dict[int, int] = {}
    for client in clients:
        for status, n in client.outcome.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    return {"requests": sum(statuses.values()), "statuses": statuses,
            "scores_acknowledged": sum(len(c.outcome.scores) for c in clients),
            "errors": [e for c in clients for e in c.outcome.errors]}
