"""Read a policy file (TOML) into the evaluator's ``Policy``, naming every problem by its path.

A policy is refused whole: every problem is collected first, and ``InvalidPolicy`` lists them
("criteria[2].min_days: expected a whole number, got text").
"""

from __future__ import annotations

import re
from typing import Any

from tracker.rules.coverage import policy as p
from tracker.rules.vocab import Instrument, labels

VERIFY = "Verify against the payer's current policy."
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
READ_PATTERN = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
TOP = {"id": True, "title": True, "payer": True, "treatment": True, "source": True,
       "read": True, "verify": False, "notes": False, "criteria": True,
       "reauthorisation": False}
REAUTH = {"instrument": ("instruments", True), "min_improvement_pct": ("number", True),
          "after_days": ("int", True), "inclusive": ("bool", False), "note": ("text", False)}
POSITIVE = {"count", "classes"}  # parameters that must be at least 1


class InvalidPolicy(ValueError):
    """A policy file that cannot be used; ``problems`` names each fault by its path."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _type_name(value: Any) -> str:
    names = {bool: "true/false", int: "a whole number", float: "a number", str: "text",
             list: "a list", dict: "a table"}
    return names.get(type(value), type(value).__name__)


def check_value(kind: str, value: Any, path: str, problems: list[str]) -> None:
    """Append a problem when ``value`` is not of the parameter type ``kind``."""
    expected = {
        "int": (isinstance(value, int) and not isinstance(value, bool) and value >= 0,
                "a whole number (0 or more)"),
        "number": (isinstance(value, int | float) and not isinstance(value, bool),
                   "a number"),
        "bool": (isinstance(value, bool), "true or false"),
        "text": (isinstance(value, str) and value.strip() != "", "text"),
        "adherence": (value in (p.NOT_POOR, p.GOOD), '"not_poor" or "good"'),
        "instruments": (isinstance(value, list) and bool(value)
                        and all(v in labels(Instrument) for v in value),
                        "a list of instruments (" + ", ".join(labels(Instrument)) + ")"),
    }
    if kind == "window":
        _check_window(value, path, problems)
    elif kind == "scores":
        _check_scores(value, path, problems)
    elif not expected[kind][0]:
        problems.append(f"{path}: expected {expected[kind][1]}, got {_show(value)}")


def _show(value: Any) -> str:
    return f"{_type_name(value)} {value!r}" if not isinstance(value, dict | list) else \
        _type_name(value)


def _check_window(value: Any, path: str, problems: list[str]) -> None:
    if value == p.CURRENT_EPISODE:
        return
    if isinstance(value, dict) and set(value) == {"lookback_months"}:
        check_value("int", value["lookback_months"], f"{path}.lookback_months", problems)
        return
    problems.append(f'{path}: expected "current_episode" or {{ lookback_months = N }}, '
                    f"got {_show(value)}")


def _check_scores(value: Any, path: str, problems: list[str]) -> None:
    if not isinstance(value, list) or not value:
        problems.append(f"{path}: expected a list of {{ instrument, min_score }}, "
                        f"got {_show(value)}")
        return
    for n, option in enumerate(value):
        where = f"{path}[{n}]"
        if not isinstance(option, dict):
            problems.append(f"{where}: expected {{ instrument, min_score }}, got {_show(option)}")
            continue
        check_keys(option, {"instrument": True, "min_score": True}, where, problems)
        if "instrument" in option:
            check_value("instruments", [option["instrument"]], f"{where}.instrument", problems)
        if "min_score" in option:
            check_value("int", option["min_score"], f"{where}.min_score", problems)


def check_keys(table: dict, known: dict[str, Any], path: str, problems: list[str]) -> None:
    """Name missing required keys and unknown keys of a table."""
    prefix = f"{path}." if path else ""
    for key, spec in known.items():
        required = spec[1] if isinstance(spec, tuple) else spec
        if required and key not in table:
            problems.append(f"{prefix}{key}: missing")
    for key in table:
        if key not in known:
            problems.append(f"{prefix}{key}: unknown key (known: {', '.join(known)})")
