"""Entering doses as prescriptions are written, in a real Chromium (see test_browser.py)."""

from __future__ import annotations

import pytest

from tests import test_browser as base
from tests.test_browser import SHOTS, add_patient, wait_focus

# The live server, browser and signed-in page of test_browser.py, for this module too.
live_server, browser, page = base.live_server, base.browser, base.page

pytestmark = pytest.mark.browser


def open_new_trial(page, mrn: str) -> None:
    add_patient(page, mrn, f"Dora {mrn}", "1972-05-12", "female")
    page.wait_for_selector(".verdict")
    page.click("text=Log a trial")
    page.wait_for_selector("#trial-form")


def test_the_daily_total_is_computed_from_amount_times_how_often(page):
    open_new_trial(page, "DOSE-1")
    wait_focus(page, "drug")  # focus on load
    page.fill("#doses-0-amount_mg", "75")
    page.select_option("#doses-0-times_per_day", "2")
    assert page.inner_text("#doses-0-start >> xpath=../.. >> [data-total]") == "150 mg/day"
    page.select_option("#doses-0-times_per_day", "night")
    assert page.inner_text("[data-step] [data-total]") == "75 mg/day"
    page.select_option("#doses-0-times_per_day", "3")
    page.fill("#doses-0-amount_mg", "12.5")
    assert page.inner_text("[data-step] [data-total]") == "37.5 mg/day"


def test_a_dose_step_is_added_and_removed_without_a_page_load_and_enter_saves(page):
    open_new_trial(page, "DOSE-2")
    page.fill("#drug", "Effexor XR")
    page.fill("#doses-0-start", "2024-06-21")
    page.fill("#doses-0-amount_mg", "75")
    page.evaluate("window.samePage = true")
    page.click("#add_step")
    assert page.evaluate("window.samePage") is True  # no round trip
    wait_focus(page, "doses-1-start")  # focus to the new row
    page.keyboard.type("07052024")  # a date input takes the digits in its locale order
    page.fill("#doses-1-amount_mg", "150")
    page.click("#add_step")
    page.fill("#doses-2-start", "2024-08-01")
    page.fill("#doses-2-amount_mg", "999")
    page.locator("[data-step]").nth(2).locator("button[data-remove-row]").click()
    assert page.locator("[data-step]").count() == 2
    assert page.evaluate("window.samePage") is True
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "trial-form-steps.png"), full_page=True)
    page.focus("#doses-1-amount_mg")
    page.keyboard.press("Enter")  # saves: it does not add a step
    page.wait_for_load_state()
    page.wait_for_selector(".flash-success")  # the chart has loaded: only then a screenshot
    page.wait_for_load_state()
    page.screenshot(path=str(SHOTS / "trial-form-after-enter.png"), full_page=True)
    doses = page.inner_text("table.trials td.doses")
    assert "75 mg/day" in doses and "150 mg/day" in doses and "999" not in doses
    assert "venlafaxine XR" in page.inner_text("table.trials")


def test_after_a_failed_save_focus_goes_to_the_first_field_in_error(page):
    open_new_trial(page, "DOSE-3")
    page.fill("#drug", "sertraline")
    page.fill("#doses-0-start", "2024-03-10")
    page.fill("#doses-0-amount_mg", "-5")
    page.click("button.primary[name=submit]")
    page.wait_for_selector("#doses-0-amount_mg-error")
    wait_focus(page, "doses-0-amount_mg")


def test_without_javascript_the_add_step_button_still_adds_a_row(browser, live_server):
    context = browser.new_context(java_script_enabled=False, base_url=live_server)
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", "browser@example.org")
    page.fill("input[name=password]", "browser test password")
    page.click("button[type=submit]")
    open_new_trial(page, "DOSE-4")
    page.fill("#doses-0-start", "2024-03-10")
    page.click("#add_step")
    page.wait_for_selector("#doses-1-start")
    wait_focus(page, "doses-1-start")
    assert page.input_value("#doses-0-start") == "2024-03-10"
    context.close()


def test_above_the_maximum_asks_for_a_confirmation_and_three_times_is_refused(page):
    open_new_trial(page, "SAFE-1")
    page.fill("#drug", "sertraline")
    page.fill("#doses-0-start", "2024-03-10")
    page.fill("#doses-0-amount_mg", "1500")
    page.click("button.primary[name=submit]")
    refusal = page.locator("#doses-0-amount_mg-error")
    assert "more than 3 times the label maximum" in refusal.inner_text()
    page.fill("#doses-0-amount_mg", "125")
    page.select_option("#doses-0-times_per_day", "2")
    page.click("button.primary[name=submit]")
    warning = page.locator("[data-confirm=confirm_above_max]")
    assert "250 mg/day is above the label maximum of 200 mg/day" in warning.inner_text()
    wait_focus(page, "confirm_above_max")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "trial-above-maximum.png"), full_page=True)
    page.keyboard.press("Space")
    page.click("button.primary[name=submit]")
    page.wait_for_selector(".flash-success")
    page.wait_for_load_state()
    assert "confirmed by the clinician" in page.inner_text("table.trials")


def test_a_duplicate_trial_and_a_duplicate_score_are_flagged_before_saving(page):
    open_new_trial(page, "SAFE-2")
    for attempt in range(2):
        page.fill("#drug", "sertraline")
        page.fill("#doses-0-start", "2024-03-10")
        page.fill("#doses-0-amount_mg", "50")
        page.click("button.primary[name=submit]")
        if attempt == 0:
            page.wait_for_selector(".flash-success")
            page.click("text=Log a trial")
    warning = page.locator("[data-confirm=confirm_duplicate]")
    assert "already recorded and overlaps this trial" in warning.inner_text()
    page.click("text=← Dora SAFE-2")
    assert page.locator("table.trials tbody tr").count() == 1
    for _ in range(2):
        page.click("text=Add a score")
        page.fill("#taken_on", "2024-03-05")
        page.fill("#score", "22")
        page.click("main button.primary")
    assert "already recorded on 2024-03-05" in page.inner_text(
        "[data-confirm=confirm_duplicate]")
    page.check("#confirm_duplicate")
    page.click("main button.primary")
    page.wait_for_selector("text=Score added.")
    page.wait_for_load_state()


def test_phq9_answers_are_offered_only_for_a_phq9_inline_on_the_chart(page):
    add_patient(page, "SCORE-1", "Dora SCORE-1", "1972-05-12", "female")
    page.wait_for_selector(".verdict")
    box = page.locator("form[data-inline-score] details:has(fieldset[data-phq9])")
    sent = page.locator("form[data-inline-score] fieldset[data-phq9]")
    assert box.is_visible() and not sent.evaluate("f => f.disabled")
    page.select_option("#instrument", "MADRS")
    assert not box.is_visible() and sent.evaluate("f => f.disabled")
    page.fill("#taken_on", "2024-03-05")
    page.fill("#score", "30")
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.click("#scores button.primary")
    page.wait_for_selector("#scores td:has-text('2024-03-05')")
    row = page.inner_text("#scores tbody tr")
    assert "MADRS" in row and "30" in row
    assert len(posts) == 1  # one form, one request: its script is bound once
    page.select_option("#instrument", "MADRS")  # the chart came back: the box follows again
    assert not box.is_visible()
    page.select_option("#instrument", "PHQ-9")
    assert box.is_visible() and not sent.evaluate("f => f.disabled")
