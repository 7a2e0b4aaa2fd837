"""The treatment-history interchange format, version 1 (``shared/formats/history-v1.md``).

``parse`` validates a document and returns it as rules inputs; an invalid document raises
``InvalidHistory`` listing every problem by its JSON path, so nothing is partly taken in.
Importing into and exporting from the database live in ``tracker.interchange.transfer``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker.catalogue import Catalogue, UnknownDrug, default_catalogue
from tracker.interchange.json_reader import DATE_RE, Reader
from tracker.rules import DoseStep, Episode, History, Measurement, Treatment, Trial
from tracker.rules.vocab import (
    SCORE_RANGES,
    Adherence,
    Instrument,
    Response,
    Severity,
    Sex,
    StopReason,
    TreatmentKind,
    labels,
)

FORMAT = "trd-history/1"
# Version 2 rule 10: a daily dose above three times the label maximum is a typing error.
MAX_TIMES_LABEL = 3
TOP_KEYS = {"format", "patient", "episodes", "trials", "measurements", "treatments"}
PATIENT_KEYS = {"mrn", "name", "birth_date", "sex"}
EPISODE_KEYS = {"key", "onset", "remission", "severity", "psychotic"}
TRIAL_KEYS = {
    "drug", "episode", "doses", "stopped", "stop_reason", "adherence", "response", "notes",
}
DOSE_KEYS = {"from", "mg_per_day"}
MEASUREMENT_KEYS = {"date", "instrument", "score"}
TREATMENT_KEYS = {"kind", "detail", "start", "end", "sessions", "episode"}


class InvalidHistory(ValueError):
    """A history document with problems, each ``"json.path: what is wrong"``."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("invalid history:\n" + "\n".join(problems))


@dataclass(frozen=True)
class PatientInfo:
    mrn: str
    name: str
    birth_date: date
    sex: str


@dataclass(frozen=True)
class Document:
    """A valid history: the patient, the rules inputs and each trial's free-text notes."""

    patient: PatientInfo
    history: History
    notes: tuple[str, ...]  # per trial, in order


def _patient(r: Reader, value: Any) -> PatientInfo | None:
    raw = r.obj(value, "patient", PATIENT_KEYS, PATIENT_KEYS)
    if raw is None:
        return None
    info = (
        r.text(raw.get("mrn"), "patient.mrn", required=True, limit=64),
        r.text(raw.get("name"), "patient.name", required=True, limit=200),
        r.day(raw.get("birth_date"), "patient.birth_date"),
        r.choice(raw.get("sex"), "patient.sex", labels(Sex)),
    )
    return None if None in info else PatientInfo(*info)


def _episodes(r: Reader, value: Any) -> list[Episode | None]:
    episodes: list[Episode | None] = []
    seen: set[str] = set()
    for i, item in enumerate(r.items(value, "episodes")):
        path = f"episodes[{i}]"
        raw = r.obj(item, path, EPISODE_KEYS, EPISODE_KEYS - {"remission"})
        if raw is None:
            episodes.append(None)
            continue
        key = r.text(raw.get("key"), f"{path}.key", required=True, limit=32)
        if key in seen:
            r.fail(f"{path}.key", f"duplicate episode key {key!r}")
        seen.add(key)
        onset = r.day(raw.get("onset"), f"{path}.onset")
        remission = r.day(raw.get("remission"), f"{path}.remission", nullable=True)
        if onset and remission and remission < onset:
            r.fail(f"{path}.remission", "must not be before the onset")
        severity = r.choice(raw.get("severity"), f"{path}.severity", labels(Severity))
        psychotic = raw.get("psychotic")
        if not isinstance(psychotic, bool):
            r.fail(f"{path}.psychotic", "must be true or false")
        fields = (key, onset, severity, psychotic)
        ok = None not in fields and isinstance(psychotic, bool)
        episodes.append(Episode(key, onset, remission, severity, psychotic) if ok else None)
    return episodes


def _doses(r: Reader, value: Any, path: str) -> tuple[DoseStep, ...] | None:
    items = r.items(value, path)
    if not items:
        if isinstance(value, list) or value is None:
            r.fail(path, "must hold at least one dose step")
        return None
    steps: list[DoseStep] = []
    for j, item in enumerate(items):
        step_path = f"{path}[{j}]"
        raw = r.obj(item, step_path, DOSE_KEYS, DOSE_KEYS)
        if raw is None:
            return None
        start = r.day(raw.get("from"), f"{step_path}.from")
        mg = r.number(raw.get("mg_per_day"), f"{step_path}.mg_per_day")
        if start is None or mg is None:
            return None
        if steps and start <= steps[-1].start:
            r.fail(f"{step_path}.from", "must be after the previous step's date")
            return None
        steps.append(DoseStep(start, mg))
    return tuple(steps)


def _trial(r: Reader, item: Any, path: str, keys: set[str], catalogue: Catalogue):
    raw = r.obj(item, path, TRIAL_KEYS, {"drug", "doses"})
    if raw is None:
        return None
    agent = None
    drug = r.text(raw.get("drug"), f"{path}.drug", required=True, limit=100)
    if drug is not None:
        try:
            agent = catalogue.resolve(drug)
        except UnknownDrug as error:
            hint = f" (closest: {', '.join(error.suggestions)})" if error.suggestions else ""
            r.fail(f"{path}.drug", f"unknown drug {drug!r}{hint}")
    episode = _episode_key(r, raw.get("episode"), f"{path}.episode", keys)
    doses = _doses(r, raw.get("doses"), f"{path}.doses")
    stopped = r.day(raw.get("stopped"), f"{path}.stopped", nullable=True)
    if stopped and doses and stopped <= doses[-1].start:
        r.fail(f"{path}.stopped", "must be after the first dose date and every dose step")
    reason = r.choice(raw.get("stop_reason"), f"{path}.stop_reason", labels(StopReason),
                      nullable=True)
    if reason and raw.get("stopped") is None:
        r.fail(f"{path}.stop_reason", "must be null while the trial is running")
    adherence = r.choice(raw.get("adherence", "unknown"), f"{path}.adherence", labels(Adherence))
    response = r.choice(raw.get("response", "unknown"), f"{path}.response", labels(Response))
    notes = r.text(raw.get("notes"), f"{path}.notes")
    if agent is not None and doses is not None:
        _above_three_times_maximum(r, agent, doses, path)
    if None in (agent, doses, adherence, response, notes):
        return None
    trial = Trial(agent, doses, stopped, reason, adherence, response, episode)
    return trial, notes


def _above_three_times_maximum(r: Reader, agent, doses: tuple[DoseStep, ...], path: str) -> None:
    """Refuse a daily dose above three times the label maximum (Version 2 rule 10)."""
    maximum = agent.max_mg_per_day
    for j, step in enumerate(doses):
        if maximum is not None and step.mg_per_day > MAX_TIMES_LABEL * maximum:
            r.fail(f"{path}.doses[{j}].mg_per_day",
                   f"{step.mg_per_day:g} mg/day is more than {MAX_TIMES_LABEL} times the label "
                   f"maximum of {agent.generic} ({maximum:g} mg/day): check the dose")


def _trials(r: Reader, value: Any, keys: set[str], catalogue: Catalogue):
    return [
        _trial(r, item, f"trials[{i}]", keys, catalogue)
        for i, item in enumerate(r.items(value, "trials"))
    ]


def _measurements(r: Reader, value: Any) -> list[Measurement | None]:
    found: list[Measurement | None] = []
    for i, item in enumerate(r.items(value, "measurements")):
        path = f"measurements[{i}]"
        raw = r.obj(item, path, MEASUREMENT_KEYS, MEASUREMENT_KEYS)
        if raw is None:
            found.append(None)
            continue
        day = r.day(raw.get("date"), f"{path}.date")
        instrument = r.choice(raw.get("instrument"), f"{path}.instrument", labels(Instrument))
        score = None
        if instrument is not None:
            low, high = SCORE_RANGES[Instrument(instrument)]
            score = r.integer(raw.get("score"), f"{path}.score", low, high)
        ok = None not in (day, instrument, score)
        found.append(Measurement(day, instrument, score) if ok else None)
    return found


def _treatments(r: Reader, value: Any, keys: set[str]) -> list[Treatment | None]:
    found: list[Treatment | None] = []
    for i, item in enumerate(r.items(value, "treatments")):
        path = f"treatments[{i}]"
        raw = r.obj(item, path, TREATMENT_KEYS, {"kind", "start"})
        if raw is None:
            found.append(None)
            continue
        kind = r.choice(raw.get("kind"), f"{path}.kind", labels(TreatmentKind))
        start = r.day(raw.get("start"), f"{path}.start")
        end = r.day(raw.get("end"), f"{path}.end", nullable=True)
        if start and end and end < start:
            r.fail(f"{path}.end", "must not be before the start")
        sessions = raw.get("sessions")
        if sessions is not None:
            sessions = r.integer(sessions, f"{path}.sessions", 0, 1000)
        episode = _episode_key(r, raw.get("episode"), f"{path}.episode", keys)
        detail = r.text(raw.get("detail"), f"{path}.detail")
        ok = None not in (kind, start, detail)
        found.append(Treatment(kind, start, end, sessions, episode, detail) if ok else None)
    return found


def _episode_key(r: Reader, value: Any, path: str, keys) -> str | None:
    """Return the episode key a record points at (or None); report keys that do not exist."""
    if value is None:
        return None
    if not isinstance(value, str):
        r.fail(path, "must be an episode key (text) or null")
        return None
    if value not in keys:
        r.fail(path, f"no episode has the key {value!r}")
    return value


def _before_birth(r: Reader, birth: date, doc: dict) -> None:
    """Report clinical dates that fall before the patient's birth date."""
    checks = [("episodes", "onset"), ("measurements", "date"), ("treatments", "start")]
    for list_key, field in checks:
        for i, item in enumerate(_list(doc, list_key)):
            value = item.get(field) if isinstance(item, dict) else None
            if isinstance(value, str) and DATE_RE.match(value) and value < birth.isoformat():
                r.fail(f"{list_key}[{i}].{field}", "is before the patient's birth date")
    for i, trial in enumerate(_list(doc, "trials")):
        doses = trial.get("doses") if isinstance(trial, dict) else None
        first = doses[0] if isinstance(doses, list) and doses else None
        value = first.get("from") if isinstance(first, dict) else None
        if isinstance(value, str) and DATE_RE.match(value) and value < birth.isoformat():
            r.fail(f"trials[{i}].doses[0].from", "is before the patient's birth date")


def _list(doc: dict, key: str) -> list:
    """Return ``doc[key]`` when it is a list (its own check reports anything else), else []."""
    value = doc.get(key)
    return value if isinstance(value, list) else []


def parse(doc: Any, catalogue: Catalogue | None = None) -> Document:
    """Validate a history document and return it; raise ``InvalidHistory`` with every problem."""
    catalogue = catalogue or default_catalogue()
    r = Reader()
    raw = r.obj(doc, "", TOP_KEYS, {"format", "patient"})
    if raw is None:
        raise InvalidHistory(r.problems)
    if raw.get("format") != FORMAT:
        r.fail("format", f"must be {FORMAT!r}")
    patient = _patient(r, raw.get("patient"))
    episodes = _episodes(r, raw.get("episodes"))
    keys = {e.key for e in episodes if e is not None}
    trials = _trials(r, raw.get("trials"), keys, catalogue)
    measurements = _measurements(r, raw.get("measurements"))
    treatments = _treatments(r, raw.get("treatments"), keys)
    if patient is not None:
        _before_birth(r, patient.birth_date, raw)
    if r.problems:
        raise InvalidHistory(r.problems)
    history = History(
        birth_date=patient.birth_date,
        episodes=tuple(episodes),
        trials=tuple(t for t, _ in trials),
        measurements=tuple(measurements),
        treatments=tuple(treatments),
    )
    return Document(patient, history, tuple(n for _, n in trials))


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _number(mg: float) -> int | float:
    return int(mg) if float(mg).is_integer() else mg


def dump(document: Document) -> dict:
    """Return the canonical JSON form of a history (the inverse of ``parse``)."""
    p, h = document.patient, document.history
    return {
        "format": FORMAT,
        "patient": {"mrn": p.mrn, "name": p.name, "birth_date": p.birth_date.isoformat(),
                    "sex": p.sex},
        "episodes": [
            {"key": e.key, "onset": e.onset.isoformat(), "remission": _iso(e.remission),
             "severity": e.severity, "psychotic": e.psychotic}
            for e in h.episodes
        ],
        "trials": [
            _dump_trial(t, notes) for t, notes in zip(h.trials, document.notes, strict=True)
        ],
        "measurements": [
            {"date": m.day.isoformat(), "instrument": m.instrument, "score": m.score}
            for m in h.measurements
        ],
        "treatments": [_dump_treatment(t) for t in h.treatments],
    }


def _dump_trial(t: Trial, notes: str) -> dict:
    out: dict[str, Any] = {"drug": t.agent.generic}
    if t.episode is not None:
        out["episode"] = t.episode
    out.update(
        doses=[{"from": s.start.isoformat(), "mg_per_day": _number(s.mg_per_day)} for s in t.doses],
        stopped=_iso(t.stopped), stop_reason=t.stop_reason, adherence=t.adherence,
        response=t.response, notes=notes,
    )
    return out


def _dump_treatment(t: Treatment) -> dict:
    out: dict[str, Any] = {"kind": t.kind, "detail": t.detail, "start": t.start.isoformat(),
                           "end": _iso(t.end), "sessions": t.sessions}
    if t.episode is not None:
        out["episode"] = t.episode
    return out
