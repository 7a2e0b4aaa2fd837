"""The chart and the panel as clinicians read them: order, current medications, age, search."""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.conftest import make_patient, make_trial
from tracker.assessments import store_assessment
from tracker.models import Episode
from tracker.patients.chart import age_on
from tracker.patients.panel import PanelQuery, panel_page
from tracker.rules.vocab import Severity, StopReason


def _chart(client, patient) -> str:
    return client.get(f"/patients/{patient.id}").get_data(as_text=True)


def test_trials_are_in_date_order_whatever_the_order_of_entry(db, signed_in, clinician):
    patient = make_patient(clinician)
    make_trial(patient, "sertraline", ((date(2024, 1, 5), 100),), stopped=date(2024, 3, 1),
               stop_reason=StopReason.INADEQUATE_RESPONSE)
    make_trial(patient, "fluoxetine", ((date(2019, 2, 1), 20),), stopped=date(2019, 9, 1))
    make_trial(patient, "escitalopram", ((date(2021, 6, 1), 10),), stopped=date(2021, 9, 1))
    patient.episodes.extend([
        Episode(key="e1", onset=date(2024, 1, 1), severity=Severity.SEVERE),
        Episode(key="e2", onset=date(2019, 1, 10), remission=date(2019, 10, 1),
                severity=Severity.MODERATE)])
    db.session.commit()
    page = _chart(signed_in, patient)
    table = page[page.index('<table class="trials">'):]
    assert [m for m in re.findall(r"<strong>(\w+)</strong><br>", table)] == \
        ["fluoxetine", "escitalopram", "sertraline"]
    episodes = re.findall(r"Episode from (\d{4}-\d\d-\d\d)", page)
    assert episodes == ["2019-01-10", "2024-01-01"]
    assert "current episode since 2024-01-01" in page


def test_chart_shows_age_and_current_medications(db, signed_in, clinician):
    patient = make_patient(clinician, birth_date=date(1980, 6, 15))
    make_trial(patient, "sertraline", ((date(2024, 1, 5), 50), (date(2024, 2, 1), 150)))
    make_trial(patient, "aripiprazole", ((date(2024, 3, 1), 5),))
    make_trial(patient, "fluoxetine", ((date(2019, 2, 1), 20),), stopped=date(2019, 9, 1))
    db.session.commit()
    page = _chart(signed_in, patient)
    assert f"(age {age_on(date(1980, 6, 15), date.today())})" in page
    box = page[page.index('id="current-title"'):page.index("<h2>Timeline</h2>")]
    assert "<strong>sertraline</strong> 150 mg/day" in box
    assert "since 2024-02-01 (started 2024-01-05)" in box
    assert "aripiprazole" in box and "augmentation" in box
    assert "fluoxetine" not in box


def test_age_counts_whole_years():
    assert age_on(date(1980, 6, 15), date(2024, 6, 14)) == 43
    assert age_on(date(1980, 6, 15), date(2024, 6, 15)) == 44


def test_a_patient_without_history_is_neutral_on_chart_and_panel(db, signed_in, clinician):
    patient = make_patient(clinician, name="Nora New")
    store_assessment(patient)
    db.session.commit()
    page = _chart(signed_in, patient)
    assert "No trials yet" in page and "badge-not" not in page and "verdict-none" in page
    panel = signed_in.get("/patients/").get_data(as_text=True)
    row = panel[panel.index(f'data-mrn="{patient.mrn}"'):]
    assert "No trials yet" in row.split("</tr>")[0]


def test_copying_the_verdict_box_does_not_copy_the_definition_picker(db, signed_in, clinician):
    page = _chart(signed_in, make_patient(clinician))
    box = page[page.index('<section class="card verdict'):]
    box = box[:box.index("</section>")]
    assert "<select" not in box and "<button" not in box and "Definition" not in box


def test_panel_sorts_by_family_name_and_finds_family_comma_given(db, clinician):
    for name in ("Helen Morris", "Adam Zed", "Zoe Adams", "Bea de Vries"):
        store_assessment(make_patient(clinician, name=name))
    db.session.commit()
    names = [r.patient.name for r in panel_page(clinician, PanelQuery(sort="name")).rows]
    assert names == ["Zoe Adams", "Helen Morris", "Bea de Vries", "Adam Zed"]
    for search in ("Morris, Helen", "helen morris", "morris"):
        found = panel_page(clinician, PanelQuery(search=search)).rows
        assert [r.patient.name for r in found] == ["Helen Morris"], search
    assert panel_page(clinician, PanelQuery(search="Morris, Adam")).rows == []


def test_panel_sorts_the_current_episode_by_the_weeks_it_shows(db, clinician):
    from tracker.models import Episode
    from tracker.rules.vocab import Severity

    for name, weeks in (("Long Episode", 80), ("Short Episode", 3), ("Mid Episode", 20)):
        patient = make_patient(clinician, name=name)
        patient.episodes.append(Episode(key="e1", onset=date.today() - timedelta(weeks=weeks),
                                        severity=Severity.MODERATE))
        db.session.flush()
        store_assessment(patient)
    db.session.commit()

    def names(descending: bool) -> list[str]:
        query = PanelQuery(sort="episode", descending=descending)
        return [r.patient.name for r in panel_page(clinician, query).rows]

    assert names(False) == ["Short Episode", "Mid Episode", "Long Episode"]  # fewest weeks
    assert names(True) == ["Long Episode", "Mid Episode", "Short Episode"]


def test_panel_marks_the_sorted_column_header_and_names_the_edit_links(db, signed_in,
                                                                        clinician):
    patient = make_patient(clinician)
    make_trial(patient, "sertraline", ((date(2024, 1, 5), 100),))
    store_assessment(patient)
    db.session.commit()
    panel = signed_in.get("/patients/?sort=name").get_data(as_text=True)
    assert re.search(r'<th scope="col" aria-sort="ascending">\s*<a [^>]*>Name', panel)
    assert not re.search(r"<a [^>]*aria-sort", panel)
    page = _chart(signed_in, patient)
    assert "Edit<span class=\"visually-hidden\"> the sertraline trial of 2024-01-05</span>" in page
    assert not re.search(r"<th[^>]*>\s*</th>", page)


def test_an_unknown_profile_or_policy_in_the_address_is_named_not_ignored(db, signed_in,
                                                                         clinician):
    patient = make_patient(clinician)
    store_assessment(patient)
    db.session.commit()
    chart = signed_in.get(f"/patients/{patient.id}?profile=nonsense").text
    assert "There is no profile called “nonsense”: the verdict below uses Two adequate" in chart
    panel = signed_in.get("/patients/?coverage=no-such-policy").text
    assert "No enabled payer policy is called “no-such-policy”" in panel
    panel = signed_in.get("/patients/?eligibility=eligible").text
    assert "Choose a payer policy to filter by its eligibility" in panel
    assert "Choose a payer" not in signed_in.get("/patients/").text
