"""Turn a policy file's text into a validated ``Policy``; find the policies shipped with us."""

from __future__ import annotations

import functools
import tomllib
from datetime import date
from importlib import resources
from typing import Any

from tracker.rules.coverage import policy as p

from .validate import (
    ID_PATTERN,
    POSITIVE,
    READ_PATTERN,
    REAUTH,
    TOP,
    VERIFY,
    InvalidPolicy,
    check_keys,
    check_value,
)


def _criteria(items: Any, path: str, problems: list[str], nested: bool = False
              ) -> tuple[p.Criterion, ...]:
    """Validate a list of criteria; return them (meaningful only when no problem was found)."""
    if not isinstance(items, list) or not items:
        problems.append(f"{path}: expected a non-empty list of criteria")
        return ()
    built = []
    for n, item in enumerate(items):
        where = f"{path}[{n}]"
        if not isinstance(item, dict):
            problems.append(f"{where}: expected a table with a kind")
            continue
        kind = item.get("kind")
        if kind not in p.KINDS:
            problems.append(f"{where}.kind: unknown kind {kind!r} (known: {', '.join(p.KINDS)})")
            continue
        if nested and kind in (p.ATTEST, p.ANY_OF):
            problems.append(f"{where}.kind: {kind} cannot be an option of any_of")
            continue
        schema = p.KINDS[kind]
        params = {k: v for k, v in item.items() if k != "kind"}
        check_keys(params, schema, where, problems)
        children: tuple[p.Criterion, ...] = ()
        for key, value in params.items():
            if key not in schema:
                continue
            if schema[key][0] == "criteria":
                children = _criteria(value, f"{where}.{key}", problems, nested=True)
                continue
            check_value(schema[key][0], value, f"{where}.{key}", problems)
            if key in POSITIVE and isinstance(value, int) and value == 0:
                problems.append(f"{where}.{key}: must be at least 1")
        params.pop("criteria", None)
        _check_classes(params, where, problems)
        built.append(p.Criterion(kind, params, children))
    return tuple(built)


def _check_classes(params: dict, where: str, problems: list[str]) -> None:
    """Name a ``classes`` larger than ``count``: no set of courses could ever meet it."""
    count, classes = params.get("count"), params.get("classes")
    if isinstance(count, int) and isinstance(classes, int) and classes > count >= 1:
        problems.append(f"{where}.classes: {classes} classes cannot be spanned by {count} "
                        f"course{'s' if count > 1 else ''}")


def _reauthorisation(table: Any, problems: list[str]) -> p.Reauthorisation | None:
    if not isinstance(table, dict):
        problems.append("reauthorisation: expected a table")
        return None
    check_keys(table, REAUTH, "reauthorisation", problems)
    for key, value in table.items():
        if key in REAUTH:
            check_value(REAUTH[key][0], value, f"reauthorisation.{key}", problems)
    if any(k not in table for k, (_, required) in REAUTH.items() if required):
        return None
    return p.Reauthorisation(tuple(table["instrument"]), table["min_improvement_pct"],
                             table["after_days"], table.get("inclusive", True),
                             table.get("note", ""))


def _top(data: dict, problems: list[str]) -> None:
    check_keys(data, TOP, "", problems)
    for key in ("id", "title", "payer", "source", "verify", "notes"):
        if key in data:
            check_value("text", data[key], key, problems)
    if isinstance(data.get("id"), str) and not ID_PATTERN.match(data["id"]):
        problems.append("id: use lower-case letters, digits and hyphens (2 to 64)")
    if "treatment" in data and data["treatment"] not in p.TREATMENTS:
        problems.append(f"treatment: expected one of {', '.join(p.TREATMENTS)}, "
                        f"got {data['treatment']!r}")
    read = data.get("read")
    if isinstance(read, date):
        data["read"] = read.isoformat()
    elif "read" in data and not (isinstance(read, str) and READ_PATTERN.match(read)):
        problems.append(f"read: expected a date (YYYY-MM-DD or YYYY-MM), got {read!r}")


def parse_policy(text: str) -> p.Policy:
    """Return the policy a TOML text describes; raise ``InvalidPolicy`` naming every problem.

    Parsed once per text and process (policies are immutable): the panel reads the enabled
    policies on every request.
    """
    return _parse(text)


@functools.lru_cache(maxsize=128)
def _parse(text: str) -> p.Policy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidPolicy([f"$: not a valid TOML file ({error})"]) from None
    problems: list[str] = []
    _top(data, problems)
    criteria = _criteria(data.get("criteria"), "criteria", problems)
    reauth = None
    if "reauthorisation" in data:
        reauth = _reauthorisation(data["reauthorisation"], problems)
    if problems:
        raise InvalidPolicy(problems)
    return p.Policy(id=data["id"], title=data["title"], payer=data["payer"],
                    treatment=data["treatment"], source=data["source"], read=data["read"],
                    criteria=criteria, reauthorisation=reauth,
                    verify=data.get("verify", VERIFY), notes=data.get("notes", ""))


def shipped_texts() -> dict[str, str]:
    """Return the text of every policy file shipped in the package, by file name."""
    folder = resources.files("tracker.coverage") / "policies"
    return {f.name: f.read_text(encoding="utf-8") for f in sorted(
        folder.iterdir(), key=lambda f: f.name) if f.name.endswith(".toml")}


def shipped_policies() -> dict[str, p.Policy]:
    """Return the shipped policies by id (a new dict each call; the files are read once per
    process, as they ship with the code); a broken shipped file is a programming error."""
    return dict(_shipped())


@functools.lru_cache(maxsize=1)
def _shipped() -> dict[str, p.Policy]:
    policies = {}
    for name, text in shipped_texts().items():
        try:
            policy = parse_policy(text)
        except InvalidPolicy as error:
            raise RuntimeError(f"{name}: {error}") from None
        policies[policy.id] = policy
    return policies
