"""Jinja filters and globals used across templates."""

from datetime import date

from flask import Flask

from tracker.catalogue import default_catalogue
from tracker.reporting import dose_words, forecast_words, remission_words
from tracker.vocab import TIMES_PER_DAY

# The PHQ-9's nine items, shortened (Kroenke, Spitzer & Williams 2001; free to use).
PHQ9_LABELS = (
    "Little interest or pleasure", "Feeling down, depressed, hopeless", "Sleep too little or "
    "too much", "Tired, little energy", "Poor appetite or overeating",
    "Feeling bad about yourself", "Trouble concentrating", "Moving or speaking slowly, or "
    "restless", "Thoughts of being better off dead or of hurting yourself",
)


def register(app: Flask) -> None:
    @app.template_filter("isodate")
    def isodate(day: date | None) -> str:
        return day.isoformat() if day else ""

    app.add_template_filter(dose_words, "dose_words")
    app.add_template_filter(forecast_words, "forecast_words")
    app.add_template_filter(remission_words, "remission_words")

    @app.template_filter("mg")
    def mg(value: float | None) -> str:
        return "" if value is None else f"{value:g}"

    app.jinja_env.globals["PHQ9_LABELS"] = PHQ9_LABELS

    @app.template_global("label_maximum")
    def label_maximum(drug: str) -> float | None:
        """Return the label maximum daily dose of a drug in the dose table (None if unlisted)."""
        try:
            return default_catalogue().resolve(drug).max_mg_per_day
        except LookupError:
            return None

    @app.template_filter("how_often")
    def how_often(times_per_day: int | None) -> str:
        return TIMES_PER_DAY.get(times_per_day or 1, f"{times_per_day} times daily")
