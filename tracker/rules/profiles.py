"""The TRD definitions the engine offers, as data.

Every number here comes from ``shared/reference/trd-definitions.md``; each profile names its
sources. The core definition (at least two different antidepressants, each adequate in dose and
duration, without adequate response, in the current episode) is shared; the profiles differ only
in the parameters below.
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocab import Adherence

NOT_POOR = frozenset({Adherence.GOOD, Adherence.PARTIAL, Adherence.UNKNOWN})


@dataclass(frozen=True)
class Profile:
    """The parameters of one published definition of an adequate failed trial."""

    name: str
    title: str
    min_days: int  # days at or above the minimum adequate dose, inclusive
    nonresponse_pct: float  # improvement (in %) below which the outcome is a failure
    nonresponse_inclusive: bool  # True: an improvement equal to nonresponse_pct fails too
    partial_is_failure: bool  # whether a recorded "partial" response counts as a failure
    distinct_classes: int  # pharmacological classes the failed agents must span
    adherence_accepted: frozenset[str]
    source: str

    def is_nonresponse(self, improvement_pct: float) -> bool:
        """Say whether an improvement (in %) from baseline is a failure under this profile."""
        if self.nonresponse_inclusive:
            return improvement_pct <= self.nonresponse_pct
        return improvement_pct < self.nonresponse_pct

    def nonresponse_wording(self) -> str:
        """Return the failure threshold in words, e.g. "below 50%"."""
        word = "at most" if self.nonresponse_inclusive else "below"
        return f"{word} {self.nonresponse_pct:g}%"


STANDARD = Profile(
    name="standard",
    title="Two adequate trials (FDA/EMA wording, MGH-ATRQ duration)",
    min_days=42,
    nonresponse_pct=50,
    nonresponse_inclusive=False,
    partial_is_failure=True,
    distinct_classes=1,
    adherence_accepted=NOT_POOR,
    source=(
        "FDA Spravato approval 2019; McIntyre et al. 2023, World Psychiatry 22(3):394-412; "
        "6 weeks as in the MGH-ATRQ (PMID 37025256; Demyttenaere 2019, World Psychiatry 18(3):354)"
    ),
)

SFORZINI_2022 = Profile(
    name="sforzini-2022",
    title="Sforzini et al. 2022 consensus (4 weeks, <25% improvement)",
    min_days=28,
    nonresponse_pct=25,
    nonresponse_inclusive=False,
    partial_is_failure=False,
    distinct_classes=1,
    adherence_accepted=NOT_POOR,
    source="Sforzini et al. 2022, recommendations 3 and 10 (4-week floor, <25% improvement)",
)

CANADIAN_2021 = Profile(
    name="canadian-2021",
    title="Canadian consensus 2021 (4 weeks, <50% improvement)",
    min_days=28,
    nonresponse_pct=50,
    nonresponse_inclusive=False,
    partial_is_failure=True,
    distinct_classes=1,
    adherence_accepted=NOT_POOR,
    source="Canadian consensus 2021, Depress Anxiety 38(4):456",
)

MGH_ATRQ_8WK = Profile(
    name="mgh-atrq-8wk",
    title="MGH-ATRQ, 8 weeks (COMP006 study form)",
    min_days=56,
    nonresponse_pct=50,
    nonresponse_inclusive=False,
    partial_is_failure=True,
    distinct_classes=1,
    adherence_accepted=NOT_POOR,
    source="COMP006 study-specific ATRQ (8-10 weeks at adequate dose)",
)

PAYER_STRICT = Profile(
    name="payer-strict",
    title="Payer prior authorisation (6 weeks, <=25% improvement, two classes, good adherence)",
    min_days=42,
    nonresponse_pct=25,
    nonresponse_inclusive=True,
    partial_is_failure=False,
    distinct_classes=2,
    adherence_accepted=frozenset({Adherence.GOOD}),
    source=(
        "US payer criteria for esketamine and TMS prior authorisation "
        "(e.g. Cigna, Medical Mutual)"
    ),
)

PROFILES: dict[str, Profile] = {
    p.name: p for p in (STANDARD, SFORZINI_2022, CANADIAN_2021, MGH_ATRQ_8WK, PAYER_STRICT)
}
DEFAULT_PROFILE = STANDARD.name


def get_profile(name: str) -> Profile:
    """Return the profile called ``name``; raise ``KeyError`` naming the known ones."""
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown profile {name!r}; known: {', '.join(PROFILES)}") from None
