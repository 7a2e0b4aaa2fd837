"""End to end in a real headless Chromium (Debian's package) driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tracker import create_app
from tracker.extensions import db
from tracker.models import Role, User

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).parents[1] / "test-artifacts" / "screenshots"
PASSWORD = "browser test password"


@contextmanager
def live_app(tmp_path_factory, name: str, seed):
    """Serve the app on a fresh database (its own SQLite file, or the test PostgreSQL) and
    yield (base URL, what ``seed()`` returned); ``seed`` runs in the app context and commits.
    Skips without Debian's chromium."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (make test installs it as root)")
    import config

    url = config.TestingConfig.SQLALCHEMY_DATABASE_URI
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path_factory.mktemp(name)}/{name}.sqlite"
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        seeded = seed()
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seeded
    finally:
        server.shutdown()
        thread.join()
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()


def _browser_users() -> None:
    for email, name, role in (("browser@example.org", "Dr Browser", Role.CLINICIAN),
                              ("admin@example.org", "Ada Admin", Role.ADMIN),
                              ("privacy@example.org", "Pia Privacy", Role.PRIVACY_OFFICER)):
        user = User(email=email, name=name, role=role)
        user.set_password(PASSWORD)
        db.session.add(user)
    db.session.commit()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    with live_app(tmp_path_factory, "live", _browser_users) as (base, _):
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server)
    page = context.new_page()
    page.set_default_timeout(10_000)
    console_errors: list[str] = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    page.goto("/login")
    page.fill("input[name=email]", "browser@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/patients/")
    yield page
    context.close()
    assert not console_errors, console_errors  # e.g. a Content-Security-Policy violation


def add_patient(page, mrn, name, birth_date, sex="unknown"):
    page.click("text=Add patient")
    page.fill("#mrn", mrn)
    page.fill("#name", name)
    page.fill("#birth_date", birth_date)
    page.select_option("#sex", sex)
    page.click("main button.primary")


def log_trial(page, drug, steps, stopped, response="none"):
    page.click("text=Log a trial")
    page.fill("#drug", drug)
    for i, (start, mg) in enumerate(steps):
        if i:
            page.click("#add_step")
        page.fill(f"#doses-{i}-start", start)
        page.fill(f"#doses-{i}-amount_mg", str(mg))
    page.fill("#stopped", stopped)
    page.select_option("#stop_reason", "inadequate_response")
    page.select_option("#adherence", "good")
    page.select_option("#response", response)
    page.click("button[name=submit]")
    page.wait_for_selector(".flash-success")


def test_log_two_failed_trials_and_watch_the_flag(page):
    add_patient(page, "E2E-1", "Erin Endtoend", "1985-07-14", "female")
    page.wait_for_selector("text=Patient Erin Endtoend added.")
    page.wait_for_load_state()
    assert page.inner_text(".verdict .badge") == "No trials yet"

    log_trial(page, "Zoloft", [("2024-01-01", 50), ("2024-01-22", 100)], "2024-04-01")
    assert page.inner_text(".verdict .badge") == "Not met"
    assert "one more adequate failed trial" in page.inner_text(".verdict")

    # venlafaxine reaches 150 mg/day on 9 April: 53 days, enough for 6 weeks, not for 8.
    log_trial(page, "venlafaxine", [("2024-04-02", 75), ("2024-04-09", 150)], "2024-06-01")
    assert page.inner_text(".verdict .badge") == "TRD met"
    assert "sertraline, venlafaxine" in page.inner_text(".verdict")
    assert page.locator("svg.timeline g.trial-bar").count() == 2

    page.select_option("#profile", "mgh-atrq-8wk")  # submits itself (enhancement)
    page.wait_for_url("**profile=mgh-atrq-8wk")
    assert page.inner_text(".verdict .badge") == "Not met"
    page.select_option("#profile", "standard")
    page.wait_for_url("**profile=standard")

    page.click("text=Add a score")
    page.fill("#taken_on", "2024-05-20")
    page.select_option("#instrument", "PHQ-9")
    page.fill("#score", "19")
    page.click("main button.primary")
    page.wait_for_selector("text=Score added.")
    page.wait_for_load_state()
    assert page.locator("svg.timeline polyline[data-instrument='PHQ-9']").count() == 1
    assert page.locator("svg.timeline g.trial-bar").count() == 2

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "chart.png"), full_page=True)
    page.click("text=Patients")
    page.wait_for_selector("table.panel")
    assert "TRD met" in page.inner_text("tr[data-mrn='E2E-1']")
    page.screenshot(path=str(SHOTS / "panel.png"), full_page=True)


def test_invalid_dose_shows_the_error_and_keeps_the_typed_values(page):
    add_patient(page, "E2E-2", "Ivan Invalid", "1970-01-01")
    page.click("text=Log a trial")
    page.fill("#drug", "Lexapro")
    page.fill("#doses-0-start", "2024-02-01")
    page.fill("#doses-0-amount_mg", "-5")
    page.fill("#notes", "keep me")
    page.click("button[name=submit]")
    error = page.locator("#doses-0-amount_mg-error")
    assert "Give a dose above 0" in error.inner_text()
    assert page.input_value("#drug") == "Lexapro"
    assert page.input_value("#doses-0-amount_mg") == "-5"
    assert page.input_value("#notes") == "keep me"
    assert page.get_attribute("#doses-0-amount_mg", "aria-invalid") == "true"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "trial-form-error.png"), full_page=True)


def test_mark_a_trial_entered_in_error_then_the_admin_reads_the_trail(page, browser,
                                                                       live_server):
    add_patient(page, "E2E-3", "Esme Error", "1975-03-03", "female")
    log_trial(page, "sertraline", [("2024-01-01", 100)], "2024-03-15")
    page.click("text=Entered in error…")
    page.fill("#reason", "logged on the wrong patient")
    page.click("button.danger")
    page.wait_for_selector("text=is marked entered in error")
    assert "No trials logged yet." in page.inner_text("table.trials")
    with page.expect_download() as download:
        page.click("text=Prior-authorisation summary (PDF)")
    assert download.value.suggested_filename == "E2E-3-treatment-history.pdf"

    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server)
    admin = context.new_page()
    admin.goto("/login")
    admin.fill("input[name=email]", "admin@example.org")
    admin.fill("input[name=password]", PASSWORD)
    admin.click("button[type=submit]")
    admin.click("text=Admin")
    admin.click("text=Audit trail")
    admin.select_option("#action", "entered_in_error")
    admin.click("text=Filter")
    trail = admin.inner_text("table.audit")
    assert "entered in error" in trail and "logged on the wrong patient" not in trail
    assert "(clinical detail: privacy officers only)" in trail
    admin.click("text=Care teams")
    assert "Esme Error" in admin.inner_text("table")
    admin.goto("/patients/")
    assert "Esme Error" not in admin.inner_text("main")  # no clinical access without the team
    context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server)
    officer = context.new_page()
    officer.goto("/login")
    officer.fill("input[name=email]", "privacy@example.org")
    officer.fill("input[name=password]", PASSWORD)
    officer.click("button[type=submit]")
    officer.click("header >> text=Audit trail")
    officer.select_option("#action", "entered_in_error")
    officer.click("text=Filter")
    assert "logged on the wrong patient" in officer.inner_text("table.audit")
    SHOTS.mkdir(parents=True, exist_ok=True)
    officer.screenshot(path=str(SHOTS / "audit.png"), full_page=True)
    assert officer.goto("/admin/users").status == 403  # the trail, nothing else
    context.close()


def wait_focus(page, element_id: str, seconds: float = 5.0) -> None:
    """Wait until ``element_id`` has the focus (the page's script moves it after load).

    Polled from here: ``wait_for_function`` would evaluate a string in the page, which the
    app's Content-Security-Policy forbids.
    """
    import time

    deadline = time.monotonic() + seconds
    while (focused := page.evaluate("document.activeElement.id")) != element_id:
        assert time.monotonic() < deadline, f"focus is on {focused!r}, not {element_id!r}"
        page.wait_for_timeout(50)
