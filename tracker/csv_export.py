"""CSV downloads that a spreadsheet opens safely (OWASP: CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum

from flask import Response, stream_with_context

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str | int | float:
    """Return ``value`` as a CSV cell: dates in ISO form, text that starts like a formula
    prefixed with an apostrophe so that spreadsheets show it instead of running it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = value.value if isinstance(value, Enum) else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def write_rows(stream, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Write a header and rows of cells to a text stream."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(v) for v in row])


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """Stream a UTF-8 CSV download, a chunk at a time, so large exports hold little memory."""

    def chunks():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        for n, row in enumerate(rows, start=1):
            writer.writerow([cell(v) for v in row])
            if n % 500 == 0:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(stream_with_context(chunks()), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
    })
