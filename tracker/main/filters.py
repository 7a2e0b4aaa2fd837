"""Jinja filters and globals used across templates."""

from datetime import date

from flask import Flask

from tracker.reporting import forecast_words, remission_words


def register(app: Flask) -> None:
    @app.template_filter("isodate")
    def isodate(day: date | None) -> str:
        return day.isoformat() if day else ""

    app.add_template_filter(forecast_words, "forecast_words")
    app.add_template_filter(remission_words, "remission_words")

    @app.template_filter("mg")
    def mg(value: float | None) -> str:
        return "" if value is None else f"{value:g}"
