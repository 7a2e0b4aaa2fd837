"""Demonstration patients: realistic histories dated relative to today."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tracker.extensions import db
from tracker.interchange.history import FORMAT, parse
from tracker.interchange.transfer import import_document
from tracker.models import Role, User
from tracker.operations import create_account

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "two-adequate-trials"
DEMO_ADMIN_EMAIL = "admin@example.org"
DEMO_ADMIN_PASSWORD = "audit-every-change"


def _ago(today: date, days: int) -> str:
    return (today - timedelta(days=days)).isoformat()


def _trial(today, drug, steps, stopped=None, reason=None, response="unknown",
           adherence="good", notes="") -> dict:
    return {
        "drug": drug, "episode": "e1",
        "doses": [{"from": _ago(today, ago), "mg_per_day": mg} for ago, mg in steps],
        "stopped": _ago(today, stopped) if stopped is not None else None,
        "stop_reason": reason, "adherence": adherence, "response": response, "notes": notes,
    }


def _score(today, ago, instrument, score, items=None) -> dict:
    """Return a score; a PHQ-9 may carry its nine item answers (history format 1.1)."""
    found = {"date": _ago(today, ago), "instrument": instrument, "score": score}
    if items:
        found["items"] = list(items)
    return found


def _doc(today, mrn, name, born, sex, onset_ago, severity, trials, scores, treatments=(),
         psychotic=False, remission_ago=None) -> dict:
    return {
        "format": FORMAT,
        "patient": {"mrn": mrn, "name": name, "birth_date": born, "sex": sex},
        "episodes": [{"key": "e1", "onset": _ago(today, onset_ago),
                      "remission": _ago(today, remission_ago) if remission_ago else None,
                      "severity": severity, "psychotic": psychotic}],
        "trials": trials,
        "measurements": [_score(today, *score) for score in scores],
        "treatments": list(treatments),
    }


def demo_histories(today: date) -> list[dict]:
    """Return the demo patients' history documents, dated relative to ``today``."""
    t = today
    return [
        _doc(t, "D-1001", "Maria Alvarez", "1979-03-14", "female", 420, "severe", [
            _trial(t, "Zoloft", [(400, 50), (379, 100), (340, 150)], stopped=300,
                   reason="inadequate_response", response="none"),
            _trial(t, "venlafaxine", [(298, 75), (284, 150), (250, 225)], stopped=180,
                   reason="inadequate_response", response="partial"),
            _trial(t, "Abilify", [(230, 2), (216, 5)], stopped=180, reason="side_effects",
                   notes="akathisia"),
            _trial(t, "bupropion", [(178, 150), (164, 300)], stopped=90,
                   reason="inadequate_response", response="none"),
            _trial(t, "mirtazapine", [(88, 15), (60, 30)], notes="current"),
        ], [(405, "PHQ-9", 22), (300, "PHQ-9", 21), (240, "PHQ-9", 18), (180, "PHQ-9", 19),
            (90, "PHQ-9", 20), (30, "PHQ-9", 18, (2, 2, 2, 2, 2, 2, 2, 3, 1)), (300, "MADRS", 34),
            (90, "MADRS", 33)],
            treatments=[{"kind": "psychotherapy", "detail": "16 sessions", "modality": "CBT",
                         "start": _ago(t, 380), "end": _ago(t, 250), "sessions": 16,
                         "episode": "e1"}]),
        _doc(t, "D-1002", "Thomas Becker", "1966-11-02", "male", 200, "moderate", [
            _trial(t, "escitalopram", [(190, 10), (170, 20)], stopped=100,
                   reason="inadequate_response", response="none"),
            _trial(t, "duloxetine", [(99, 30), (92, 60)], notes="titrating"),
        ], [(192, "PHQ-9", 17), (100, "PHQ-9", 16), (40, "PHQ-9", 15)]),
        _doc(t, "D-1003", "Aisha Rahman", "1990-06-21", "female", 150, "moderate", [
            _trial(t, "sertraline", [(140, 50), (126, 100)], stopped=60,
                   reason="inadequate_response"),
            _trial(t, "Prozac", [(59, 20)], stopped=50, reason="side_effects",
                   notes="agitation and insomnia"),
        ], [(141, "PHQ-9", 19), (61, "PHQ-9", 17), (20, "PHQ-9", 4)], remission_ago=20),
        _doc(t, "D-1004", "Robert Chen", "1958-01-09", "male", 900, "severe", [
            _trial(t, "citalopram", [(880, 20), (860, 40)], stopped=780,
                   reason="inadequate_response", response="none"),
            _trial(t, "nortriptyline", [(770, 50), (750, 100)], stopped=650,
                   reason="inadequate_response", response="none"),
            _trial(t, "lithium", [(640, 600)], stopped=500, reason="other"),
            _trial(t, "phenelzine", [(480, 30), (460, 60)], stopped=360,
                   reason="inadequate_response", response="none"),
        ], [(885, "HAMD-17", 26), (650, "HAMD-17", 24), (360, "HAMD-17", 25)],
            treatments=[{"kind": "ECT", "detail": "12 sessions", "laterality": "bilateral",
                         "start": _ago(t, 340), "end": _ago(t, 300), "sessions": 12,
                         "episode": "e1"}]),
        _doc(t, "D-1005", "Sofia Rossi", "2001-09-30", "female", 60, "mild", [
            _trial(t, "Lexapro", [(50, 5), (40, 10)], notes="first trial"),
        ], [(52, "PHQ-9", 14), (10, "PHQ-9", 11)]),
        _doc(t, "D-1006", "James O'Neill", "1972-05-05", "male", 300, "severe", [
            _trial(t, "paroxetine", [(290, 20), (270, 40)], stopped=200,
                   reason="inadequate_response", response="none"),
            _trial(t, "vortioxetine", [(199, 10), (185, 20)], stopped=120,
                   reason="inadequate_response", response="unknown"),
        ], [(292, "MADRS", 36), (200, "MADRS", 33)], psychotic=True),
    ]


def load(today: date | None = None) -> int:
    """Create the demo accounts and patients unless present; return how many patients."""
    if db.session.scalars(select(User).where(User.email == DEMO_EMAIL)).first():
        return 0
    clinician = create_account(DEMO_EMAIL, "Dr Demo Clinician", Role.CLINICIAN, DEMO_PASSWORD)
    create_account(DEMO_ADMIN_EMAIL, "Demo Admin", Role.ADMIN, DEMO_ADMIN_PASSWORD)
    documents = [parse(doc) for doc in demo_histories(today or date.today())]
    for document in documents:
        import_document(document, clinician)
    return len(documents)
