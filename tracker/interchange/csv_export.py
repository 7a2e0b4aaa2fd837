"""CSV downloads that a spreadsheet opens safely (OWASP: CSV injection) and reads right.

Excel reads a CSV as UTF-8 only when it starts with a byte-order mark, so every file does;
every cell is quoted, and whole numbers are written plainly (20, not 20.0).
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from enum import Enum

from flask import Response, send_file

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheets in some locales split on ";" (or tabs) even inside a comma-separated cell: a
# formula may start after any of these as well as at the start of the cell.
SEPARATORS = (";", ",", "\t", "\n", "\r", "|")
_FORMULA_AFTER_SEPARATOR = re.compile(
    "([" + re.escape("".join(SEPARATORS)) + "])(?=[" + re.escape("".join(FORMULA_STARTS)) + "])")


def cell(value) -> str | int | float:
    """Return ``value`` as a CSV cell: dates in ISO form, text that starts like a formula, at
    its start or after a separator, prefixed with an apostrophe there so that spreadsheets
    show it instead of running it."""
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
    text = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


BYTE_ORDER_MARK = "\ufeff"


def plain_number(value):
    """Return a float that holds a whole number as an int (20.0 -> 20), anything else as is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def write_rows(stream, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    """Write the byte-order mark, a header and rows of cells, every cell quoted, to a text
    stream."""
    stream.write(BYTE_ORDER_MARK)
    writer = csv.writer(stream, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(plain_number(v)) for v in row])


IN_MEMORY = 8 * 1024 * 1024


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> Response:
    """Return a UTF-8 CSV download with a byte-order mark. The rows are written while the
    request's database session is open; past 8 MB they go to a temporary file on disk, which
    is then streamed."""
    spool = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY, mode="w+b")  # noqa: SIM115
    text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
    write_rows(text, header, rows)
    text.flush()
    text.detach()
    size = spool.tell()
    spool.seek(0)
    if size <= IN_MEMORY:
        with spool:
            body = spool.read()
        response = Response(body, mimetype="text/csv")
        response.headers["Content-Disposition"] = f"attachment; filename={filename}"
    else:
        response = send_file(spool, mimetype="text/csv", as_attachment=True,
                             download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
