"""The chart's Coverage section and the panel's coverage filter in real Chromium, with axe-core."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.coverage.web import three_patients
from tests.test_browser import PASSWORD, SHOTS, browser, live_app  # noqa: F401 (fixture)
from tracker.extensions import db
from tracker.models import CoveragePolicySetting, Role, User

pytestmark = pytest.mark.browser
AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def _seed_coverage() -> None:
    users = []
    for email, role in (("cov@example.org", Role.CLINICIAN), ("covadmin@example.org",
                                                              Role.ADMIN)):
        user = User(email=email, name=email.split("@")[0], role=role)
        user.set_password(PASSWORD)
        db.session.add(user)
        users.append(user)
    for policy in ("cigna-spravato", "aetna-tms"):
        db.session.add(CoveragePolicySetting(policy_id=policy, enabled=True,
                                             updated_at=datetime.now()))
    db.session.flush()
    three_patients(users[0])
    db.session.commit()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A live app with three patients and Cigna's and Aetna's policies enabled."""
    with live_app(tmp_path_factory, "coverage", _seed_coverage) as (base, _):
        yield base


def signed_in(browser, server, email, width=1280):  # noqa: F811
    # bypass_csp: the page forbids inline scripts, and axe-core is injected as one
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=server,
                                  bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/patients/")
    return context, page


# Known before this issue, in the panel's sort links (aria-sort belongs on the th, not the a):
# left to the rework of the panel template (issue 16) and reported to the lead.
KNOWN = {("aria-allowed-attr", "a[aria-sort")}


def _known(violation: dict) -> bool:
    return all(any(violation["id"] == rule and str(n["target"][0]).startswith(where)
                   for rule, where in KNOWN) for n in violation["nodes"])


def serious_violations(page) -> list[str]:
    """Run axe-core on the page; return its serious and critical violations."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `make axe`")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            f"{[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical") and not _known(v)]


def test_chart_coverage_section_opens_to_criteria_and_checklist(browser, server):  # noqa: F811
    context, page = signed_in(browser, server, "cov@example.org")
    page.click("text=Ada Fits")
    section = page.locator("#coverage")
    cigna = section.locator("details[data-policy=cigna-spravato]")
    assert cigna.locator("summary .coverage-state").inner_text() == "Eligible"
    assert not cigna.locator("ul.criteria").is_visible()
    cigna.locator("summary").click()
    criteria = cigna.locator("ul.criteria")
    assert criteria.is_visible()
    assert "sertraline (SSRI) 100 mg/day for 60 days" in criteria.inner_text()
    assert "Verify against the payer's current policy." in cigna.inner_text()
    box = cigna.get_by_label("Prescription-monitoring program checked")
    box.check()
    assert box.is_checked()
    assert section.locator("details[data-policy=aetna-tms] summary .coverage-state"
                            ).inner_text() == "Eligible"
    SHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SHOTS / "coverage-chart.png"))
    assert serious_violations(page) == []
    context.close()


def test_chart_coverage_on_a_phone_and_a_failing_patient(browser, server):  # noqa: F811
    context, page = signed_in(browser, server, "cov@example.org", width=390)
    page.click("text=Bo Fails")
    cigna = page.locator("details[data-policy=cigna-spravato]")
    assert cigna.locator("summary .coverage-state").inner_text() == "Not eligible"
    cigna.locator("summary").click()
    assert "Next: the policy excludes depression with psychotic features" in cigna.inner_text()
    page.locator("#coverage").screenshot(path=str(SHOTS / "coverage-chart-390.png"))
    assert serious_violations(page) == []
    context.close()


def test_panel_filters_by_eligibility_under_one_policy(browser, server):  # noqa: F811
    context, page = signed_in(browser, server, "cov@example.org")
    page.select_option("#coverage", "cigna-spravato")
    page.select_option("#eligibility", "eligible")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**eligibility=eligible**")
    rows = page.locator("table.panel tbody tr")
    assert rows.count() == 1
    assert "Ada Fits" in rows.first.inner_text()
    assert rows.first.locator("td.coverage-cell").inner_text() == "eligible"
    assert page.locator("table.panel thead").inner_text().count("Cigna") == 1
    page.select_option("#eligibility", "undecided")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**eligibility=undecided**")
    assert page.locator("table.panel tbody tr").count() == 1
    assert "Cy Undecided" in page.locator("table.panel tbody").inner_text()
    page.screenshot(path=str(SHOTS / "coverage-panel.png"), full_page=True)
    assert serious_violations(page) == []
    context.close()


def test_admin_policy_page_refuses_a_faulty_file(browser, server, tmp_path):  # noqa: F811
    context, page = signed_in(browser, server, "covadmin@example.org")
    page.goto("/admin/coverage")
    assert page.locator("input#enable-cigna-spravato").is_checked()
    faulty = tmp_path / "faulty.toml"
    faulty.write_text('id = "x1"\ntitle = "t"\npayer = "p"\ntreatment = "tms"\nsource = "s"\n'
                      'read = "2026-11"\n[[criteria]]\nkind = "horoscope"\n')
    page.set_input_files("input[type=file]", str(faulty))
    page.click("text=Check and add the policy")
    problems = page.locator("#policy-problems")
    assert "criteria[0].kind: unknown kind 'horoscope'" in problems.inner_text()
    page.screenshot(path=str(SHOTS / "coverage-admin.png"), full_page=True)
    assert serious_violations(page) == []
    context.close()
