"""Reading values out of a JSON document while collecting every problem by its path."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EARLIEST_YEAR = 1900
MAX_TEXT = 2000  # characters in a free-text field
MAX_MG_PER_DAY = 5000  # above every listed drug's maximum by far: a typing error, not a dose
MAX_ITEMS = 1000  # rows per list
# Version 2 rule 10 (shared/reference/trd-definitions.md): input edges of a document.
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
MAX_NESTING = 32  # levels of objects and lists
MAX_NUMBER_DIGITS = 20
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


class UnreadableDocument(ValueError):
    """Bytes that are not a JSON document this app takes in; the message says why."""


def _nesting_too_deep(text: str) -> bool:
    depth = 0
    for bracket in _BRACKET.findall(_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_NESTING:
            return True
    return False


def _number(literal: str) -> int | float:
    if sum(c.isdigit() for c in literal) > MAX_NUMBER_DIGITS:
        raise UnreadableDocument(f"a number has more than {MAX_NUMBER_DIGITS} digits")
    return float(literal) if any(c in literal for c in ".eE") else int(literal)


def load_document(data: bytes) -> Any:
    """Return the JSON value in ``data``; raise ``UnreadableDocument`` saying what is wrong.

    A UTF-8 byte-order mark is accepted; files over 2 MiB, nesting deeper than 32 levels and
    numbers of more than 20 digits are refused before they can exhaust anything.
    """
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UnreadableDocument("the file is larger than 2 MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableDocument("not a UTF-8 text file") from None
    if _nesting_too_deep(text):
        raise UnreadableDocument(f"nested deeper than {MAX_NESTING} levels")
    try:
        return json.loads(text, parse_int=_number, parse_float=_number)
    except json.JSONDecodeError as error:
        raise UnreadableDocument(f"not a JSON document ({error})") from None


class Reader:
    """Collects problems while reading values out of a JSON document."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, path: str, message: str) -> None:
        """Record a problem at ``path``; the document itself (path "") is named ``$``, as
        everywhere else a whole document is."""
        self.problems.append(f"{path or '$'}: {message}")

    def obj(self, value: Any, path: str, allowed: set[str], required: set[str]) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, "must be an object")
            return None
        for key in sorted(set(value) - allowed, key=str):
            self.fail(f"{path}.{key}" if path else key, "unknown key")
        for key in sorted(required - set(value)):
            self.fail(f"{path}.{key}" if path else key, "is required")
        return value

    def items(self, value: Any, path: str) -> list:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(path, "must be a list")
            return []
        if len(value) > MAX_ITEMS:
            self.fail(path, f"must hold at most {MAX_ITEMS} items")
            return []
        return value

    def text(self, value: Any, path: str, *, required: bool = False, limit: int = MAX_TEXT):
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.fail(path, "must be a non-empty string" if required else "must be a string")
            return None
        if len(value) > limit:
            self.fail(path, f"must be at most {limit} characters")
            return None
        return value.strip() if required else value

    def day(self, value: Any, path: str, *, nullable: bool = False) -> date | None:
        if value is None and nullable:
            return None
        if not isinstance(value, str) or not DATE_RE.match(value):
            self.fail(path, "must be a date YYYY-MM-DD" + (" or null" if nullable else ""))
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.fail(path, f"{value} is not a calendar date")
            return None
        if parsed.year < EARLIEST_YEAR:
            self.fail(path, f"must be in {EARLIEST_YEAR} or later")
            return None
        return parsed

    def choice(self, value: Any, path: str, allowed: list[str], *, nullable: bool = False):
        if value is None and nullable:
            return None
        if value not in allowed:
            tail = " or null" if nullable else ""
            self.fail(path, f"must be one of {', '.join(allowed)}{tail}")
            return None
        return value

    def number(self, value: Any, path: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, "must be a number")
            return None
        if not value > 0:
            self.fail(path, "must be > 0")
            return None
        if value > MAX_MG_PER_DAY:
            self.fail(path, f"must be at most {MAX_MG_PER_DAY}")
            return None
        return float(value)

    def integer(self, value: Any, path: str, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, "must be a whole number")
            return None
        if not low <= value <= high:
            self.fail(path, f"must be between {low} and {high}")
            return None
        return value
