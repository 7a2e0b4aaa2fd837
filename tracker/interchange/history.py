"""The treatment-history interchange format, versions 1 and 1.1 (``history-v1.md``).

``parse`` validates a document and returns it as rules inputs; an invalid document raises
``InvalidHistory`` listing every problem by its JSON path, so nothing is partly taken in.
Its inverse, ``dump``, is in ``history_dump``; importing into and exporting from the database
live in ``tracker.interchange.transfer``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from tracker import safety
from tracker.catalogue import Catalogue, UnknownDrug, default_catalogue
from tracker.interchange import history_details as v11
from tracker.interchange.history_details import Details, HistoryReader
from tracker.interchange.json_reader import DATE_RE
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

FORMAT = v11.V11  # what exports write
FORMATS = (v11.V1, v11.V11)  # what imports accept
TOP_KEYS = {"format", "patient", "episodes", "trials", "measurements", "treatments"}
PATIENT_KEYS = {"mrn", "name", "birth_date", "sex"}
EPISODE_KEYS = {"key", "onset", "remission", "severity", "psychotic"} | v11.EPISODE_KEYS
TRIAL_KEYS = {
    "drug", "episode", "doses", "stopped", "stop_reason", "adherence", "response", "notes",
} | v11.TRIAL_KEYS
DOSE_KEYS = {"from", "mg_per_day"} | v11.DOSE_KEYS
MEASUREMENT_KEYS = {"date", "instrument", "score"} | v11.MEASUREMENT_KEYS
TREATMENT_KEYS = {"kind", "detail", "start", "end", "sessions", "episode"} | v11.TREATMENT_KEYS


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
    """A valid history: the patient, the rules inputs, each trial's notes, the 1.1 details."""

    patient: PatientInfo
    history: History
    notes: tuple[str, ...]  # per trial, in order
    details: Details = dataclasses.field(default_factory=Details)


def _patient(r: HistoryReader, value: Any) -> PatientInfo | None:
    raw = r.obj(value, "patient", PATIENT_KEYS, PATIENT_KEYS)
    if raw is None:
        return None
    info = (
        r.text(raw.get("mrn"), "patient.mrn", required=True, limit=64),
        r.text(raw.get("name"), "patient.name", required=True, limit=200),
        r.day(raw.get("birth_date"), "patient.birth_date"),
        r.choice(raw.get("sex"), "patient.sex", labels(Sex)),
    )
    if info[2] is not None and info[2] > date.today():
        r.fail("patient.birth_date", f"{info[2]} is in the future")
        return None
    return None if None in info else PatientInfo(*info)


def _episodes(r: HistoryReader, value: Any) -> list[tuple[Episode, str | None] | None]:
    episodes: list[tuple[Episode, str | None] | None] = []
    seen: set[str] = set()
    for i, item in enumerate(r.items(value, "episodes")):
        path = f"episodes[{i}]"
        raw = r.obj(item, path, EPISODE_KEYS, EPISODE_KEYS - {"remission"} - v11.EPISODE_KEYS)
        if raw is None:
            episodes.append(None)
            continue
        code = v11.icd10(r, raw, path)
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
        episode = Episode(key, onset, remission, severity, psychotic)
        episodes.append((episode, code) if ok else None)
    return episodes


def _doses(r: HistoryReader, value: Any, path: str) -> list[tuple[DoseStep, Any]] | None:
    items = r.items(value, path)
    if not items:
        if isinstance(value, list) or value is None:
            r.fail(path, "must hold at least one dose step")
        return None
    steps: list[tuple[DoseStep, v11.Regimen | None]] = []
    for j, item in enumerate(items):
        step_path = f"{path}[{j}]"
        raw = r.obj(item, step_path, DOSE_KEYS, {"from"})
        if raw is None:
            return None
        start = r.day(raw.get("from"), f"{step_path}.from")
        mg, regimen = v11.dose(r, raw, step_path)
        if start is None or mg is None:
            return None
        if steps and start <= steps[-1][0].start:
            r.fail(f"{step_path}.from", "must be after the previous step's date")
            return None
        steps.append((DoseStep(start, mg), regimen))
    return steps


def _trial(r: HistoryReader, item: Any, path: str, keys: set[str], catalogue: Catalogue):
    raw = r.obj(item, path, TRIAL_KEYS, {"drug", "doses"})
    if raw is None:
        return None
    agent, suffix = None, ""
    drug = r.text(raw.get("drug"), f"{path}.drug", required=True, limit=100)
    if drug is not None:
        try:
            agent, suffix = catalogue.resolve_with_formulation(drug)
        except UnknownDrug as error:
            hint = f" (closest: {', '.join(error.suggestions)})" if error.suggestions else ""
            r.fail(f"{path}.drug", f"unknown drug {drug!r}{hint}")
    episode = _episode_key(r, raw.get("episode"), f"{path}.episode", keys)
    formulation = v11.formulation(r, raw, path, suffix)
    steps = _doses(r, raw.get("doses"), f"{path}.doses")
    doses = tuple(step for step, _ in steps) if steps else None
    for j, step in enumerate(doses if agent and doses else ()):
        refused = safety.refused_dose(agent, step.mg_per_day)
        if refused:
            r.fail(f"{path}.doses[{j}].mg_per_day", refused)
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
    if None in (agent, doses, adherence, response, notes, formulation):
        return None
    trial = Trial(agent, doses, stopped, reason, adherence, response, episode)
    return trial, notes, formulation, tuple(regimen for _, regimen in steps)


def _trials(r: HistoryReader, value: Any, keys: set[str], catalogue: Catalogue):
    return [
        _trial(r, item, f"trials[{i}]", keys, catalogue)
        for i, item in enumerate(r.items(value, "trials"))
    ]


def _measurements(r: HistoryReader, value: Any) -> list[Measurement | None]:
    found: list[Measurement | None] = []
    for i, item in enumerate(r.items(value, "measurements")):
        path = f"measurements[{i}]"
        raw = r.obj(item, path, MEASUREMENT_KEYS, MEASUREMENT_KEYS - v11.MEASUREMENT_KEYS)
        if raw is None:
            found.append(None)
            continue
        day = r.day(raw.get("date"), f"{path}.date")
        instrument = r.choice(raw.get("instrument"), f"{path}.instrument", labels(Instrument))
        score = None
        if instrument is not None:
            low, high = SCORE_RANGES[Instrument(instrument)]
            score = r.integer(raw.get("score"), f"{path}.score", low, high)
        answers = v11.items(r, raw, path, instrument, score)
        ok = None not in (day, instrument, score)
        found.append(Measurement(day, instrument, score, answers) if ok else None)
    return found


def _treatments(r: HistoryReader, value: Any, keys: set[str]):
    found: list[tuple[Treatment, str | None] | None] = []
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
        laterality = v11.laterality(r, raw, path, kind)
        modality = v11.modality(r, raw, path, kind)
        ok = None not in (kind, start, detail, laterality)
        treatment = Treatment(kind, start, end, sessions, episode, detail, laterality, modality)
        found.append((treatment, modality) if ok else None)
    return found


def _episode_key(r: HistoryReader, value: Any, path: str, keys) -> str | None:
    """Return the episode key a record points at (or None); report keys that do not exist."""
    if value is None:
        return None
    if not isinstance(value, str):
        r.fail(path, "must be an episode key (text) or null")
        return None
    if value not in keys:
        r.fail(path, f"no episode has the key {value!r}")
    return value


def _before_birth(r: HistoryReader, birth: date, doc: dict) -> None:
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
    r = HistoryReader()
    raw = r.obj(doc, "", TOP_KEYS, {"format", "patient"})
    if raw is None:
        raise InvalidHistory(r.problems)
    if raw.get("format") not in FORMATS:
        r.fail("format", f"must be {v11.V1!r} or {v11.V11!r}")
    r.version = raw.get("format")
    patient = _patient(r, raw.get("patient"))
    episodes = _episodes(r, raw.get("episodes"))
    keys = {e.key for e, _ in filter(None, episodes)}
    trials = _trials(r, raw.get("trials"), keys, catalogue)
    measurements = _measurements(r, raw.get("measurements"))
    treatments = _treatments(r, raw.get("treatments"), keys)
    if patient is not None:
        _before_birth(r, patient.birth_date, raw)
    if r.problems:
        raise InvalidHistory(r.problems)
    history = History(
        birth_date=patient.birth_date,
        episodes=tuple(e for e, _ in episodes),
        trials=tuple(t[0] for t in trials),
        measurements=tuple(measurements),
        treatments=tuple(t for t, _ in treatments),
    )
    details = Details(
        icd10=tuple(code for _, code in episodes),
        formulations=tuple(t[2] for t in trials),
        regimens=tuple(t[3] for t in trials),
        modalities=tuple(m for _, m in treatments),
    )
    return Document(patient, history, tuple(t[1] for t in trials), details)
