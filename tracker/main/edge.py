"""Checks at the edge of every request: ids that fit the database, no NUL characters.

PostgreSQL's ``integer`` ends at 2**31 - 1 and SQLite's at 2**63 - 1, and PostgreSQL refuses
text holding a NUL character: such input answers 404 or 400 here instead of failing deep in
the database with a 500.
"""

from __future__ import annotations

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest id both databases store in an integer column
NUL = "\x00"


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: a positive integer no larger than ``MAX_ID`` (else 404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def int_arg(name: str, default: int | None = None, low: int = 1) -> int | None:
    """Return the query argument ``name`` as an int in ``[low, MAX_ID]``, else ``default``."""
    value = request.args.get(name, type=int)
    return value if value is not None and low <= value <= MAX_ID else default


def refuse_nul_characters():
    """Answer 400 to a request whose query or form holds a NUL character: no database keeps
    it faithfully (PostgreSQL refuses it), and no keyboard types it."""
    for values in (request.args, request.form):
        for key, value in values.items(multi=True):
            if NUL in key or NUL in value:
                abort(400, description="What you sent holds a NUL character (\\0), which this "
                                       "app cannot store. Nothing was saved.")
    return None


def register(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter
    app.before_request(refuse_nul_characters)
