"""Security headers on every response: a strict CSP (no inline scripts), no framing, no sniffing,
and no caching of anything but the static files (pages and downloads show patient data)."""

from flask import Flask, Response, request
from werkzeug.serving import WSGIRequestHandler

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SERVER_NAME = "TRD Tracker"  # the development server would announce Werkzeug's and Python's


def register(app: Flask) -> None:
    # BaseHTTPRequestHandler's documented hooks for the Server header of `flask run`.
    WSGIRequestHandler.server_version, WSGIRequestHandler.sys_version = SERVER_NAME, ""

    @app.after_request
    def secure_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        if app.config.get("HSTS"):
            response.headers.setdefault("Strict-Transport-Security",
                                        "max-age=31536000; includeSubDomains")
        return response
