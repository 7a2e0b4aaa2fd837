"""Jinja filters and globals used across templates."""

from datetime import date

from flask import Flask


def register(app: Flask) -> None:
    @app.template_filter("isodate")
    def isodate(day: date | None) -> str:
        return day.isoformat() if day else ""

    @app.template_filter("mg")
    def mg(value: float | None) -> str:
        return "" if value is None else f"{value:g}"
