"""The antidepressant dose table and the augmentation agents, as packaged data.

Source: the project's reference dose table (``shared/reference/antidepressants.csv`` and
``augmentation-agents.csv``), copied into ``tracker/catalogue/data/``. Minimum adequate doses are
the thresholds the rules compare daily doses against; a clinic may override them (``overrides``),
for instance from an admin setting stored in the database.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

from tracker.rules.history import Agent
from tracker.rules.vocab import AgentRole
from tracker.vocab import FORMULATIONS

SOURCE = "shared/reference/antidepressants.csv (project reference dose table)"


class UnknownDrug(LookupError):
    """A drug name that is neither a generic nor a brand in the catalogue."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown drug {name!r}{hint}")


@dataclass(frozen=True)
class Entry:
    """One catalogue row: the agent and the brand names it is sold under."""

    agent: Agent
    brands: tuple[str, ...]


class Catalogue:
    """Resolves generic and brand names (any letter case) to agents."""

    def __init__(self, entries: Iterable[Entry], overrides: Mapping[str, float] | None = None):
        overrides = overrides or {}
        self.entries: dict[str, Entry] = {}
        for entry in entries:
            generic = entry.agent.generic
            if generic in overrides:
                agent = replace(entry.agent, min_adequate_mg_per_day=float(overrides[generic]))
                entry = replace(entry, agent=agent)
            self.entries[generic] = entry
        self._names: dict[str, str] = {}
        self._resolved: dict[str, Agent] = {}  # names already resolved: a history repeats them
        for generic, entry in self.entries.items():
            for name in (generic, *entry.brands):
                self._names[name.casefold()] = generic

    def resolve(self, name: str) -> Agent:
        """Return the agent a generic or brand name stands for; raise ``UnknownDrug``.

        A release-form suffix is allowed: "venlafaxine XR" and "Wellbutrin XL" resolve.
        """
        agent = self._resolved.get(name)
        if agent is None:
            agent = self._resolved[name] = self.resolve_with_formulation(name)[0]
        return agent

    def resolve_with_formulation(self, name: str) -> tuple[Agent, str]:
        """Return the agent and the release form a name gives ("" when it names none)."""
        base, formulation = split_formulation(name)
        generic = self._names.get(name.strip().casefold()) or self._names.get(base.casefold())
        if generic is None:
            close = difflib.get_close_matches(name.strip().casefold(), self._names, n=3, cutoff=0.6)
            raise UnknownDrug(name, sorted({self.display_name(c) for c in close}))
        return self.entries[generic].agent, formulation

    def display_name(self, folded: str) -> str:
        """Return the spelling of a folded name as the table writes it."""
        generic = self._names[folded]
        entry = self.entries[generic]
        return next(n for n in (generic, *entry.brands) if n.casefold() == folded)

    def names(self) -> list[str]:
        """Return every generic and brand name, for autocomplete."""
        return sorted(
            {n for g, e in self.entries.items() for n in (g, *e.brands)}, key=str.casefold
        )

    def with_overrides(self, overrides: Mapping[str, float]) -> Catalogue:
        """Return a copy whose minimum adequate doses are replaced where given."""
        unknown = set(overrides) - set(self.entries)
        if unknown:
            raise UnknownDrug(sorted(unknown)[0], [])
        return Catalogue(self.entries.values(), overrides)


def split_formulation(name: str) -> tuple[str, str]:
    """Split "venlafaxine XR" into ("venlafaxine", "XR"); a name without a suffix gives ""."""
    words = name.split()
    if len(words) > 1 and words[-1].upper() in FORMULATIONS:
        return " ".join(words[:-1]), words[-1].upper()
    return name.strip(), ""


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath("data", filename).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _entry(row: dict[str, str], role: AgentRole) -> Entry:
    minimum = row.get("min_adequate_mg_per_day")
    maximum = row.get("max_mg_per_day")
    agent = Agent(
        generic=row["generic"],
        drug_class=row["class"],
        role=role,
        min_adequate_mg_per_day=float(minimum) if minimum else None,
        rxcui=row["rxcui"] or None,
        max_mg_per_day=float(maximum) if maximum else None,
    )
    return Entry(agent, tuple(b for b in row["brands"].split(";") if b))


@cache
def default_catalogue() -> Catalogue:
    """Return the packaged catalogue (antidepressants first, then augmentation agents)."""
    entries = [_entry(r, AgentRole.ANTIDEPRESSANT) for r in _rows("antidepressants.csv")]
    entries += [_entry(r, AgentRole.AUGMENTATION) for r in _rows("augmentation-agents.csv")]
    return Catalogue(entries)
