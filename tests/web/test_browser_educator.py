"""The educator's overview in Chromium against a real web process and worker: a grade PUT
through the API changes the open page's figures, chart table and at-risk list without a
reload (equal to GET /performance/overview); filters live in the URL; 403 for a student;
no serious accessibility violation."""

import re

from playwright.sync_api import expect

from tests import educator_fixture as fx
from tests import factories
from tests.helpers import auth_for
from tests.web.browser import axe_violations


def shown(page, key):
    return page.locator(f'[data-figure="{key}"]').get_attribute("data-value")


def test_a_grade_put_through_the_api_updates_the_open_overview(client, people, site_worker):
    built = fx.build(client)
    educator, (_ana, ben, cy) = built["educator"], built["students"]
    person = people.new()
    page = person.wait_live(person.sign_in(educator))
    expect(page.locator('[data-figure="overall_average"]')).to_have_attribute("data-value", "75.83")
    expect(page.locator(f'#at-risk tr[data-student="{cy.id}"]')).to_have_count(1)
    assert axe_violations(page) == []

    geometry = built["exams"][1]["id"]
    fx.grade(client, educator, geometry, [(ben.id, 20), (cy.id, 18)])  # Ben 60 %→ avg 80, Cy no longer missing

    # (92.5 + 80 + 85) / 3 = 85.83: the figure moves without a reload, highlighted
    expect(page.locator('[data-figure="overall_average"]')).to_have_attribute("data-value", "85.83", timeout=15_000)
    api = client.get("/api/v1/performance/overview", headers=auth_for(educator)).get_json()
    assert shown(page, "overall_average") == str(api["overall_average"])
    assert shown(page, "pass_rate") == str(api["pass_rate"])
    assert shown(page, "total_students") == str(api["total_students"])
    assert shown(page, "attendance_percentage") == str(api["attendance_percentage"])
    assert shown(page, "at_risk_count") == str(api["at_risk_count"])
    for band, count in api["grade_distribution"].items():
        assert page.locator(f'#grade-distribution tr[data-band="{band}"] td').inner_text() == str(count)
    expect(page.locator(f'#at-risk tr[data-student="{cy.id}"]')).to_have_count(0)
    expect(page.locator(f'#at-risk tr[data-student="{ben.id}"] [data-reasons]')).to_have_attribute(
        "data-reasons", "low_attendance"
    )
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # never reloaded
    assert page.locator("#dist-chart").evaluate("(c) => !!window.Chart.getChart(c)")


def test_filters_change_the_url_and_a_reload_restores_the_view(client, people):
    built = fx.build(client)
    educator = built["educator"]
    fx.section(client, educator, name="Physics", subjects=["mechanics"], term="2027-spring")
    person = people.new()
    page = person.wait_live(person.sign_in(educator))
    page.get_by_label("Section", exact=True).select_option(label="Math A")
    page.wait_for_url(re.compile(rf"/educator\?.*section={built['section']['id']}"))
    page.get_by_label("Subject", exact=True).select_option("geometry")
    page.wait_for_url(re.compile(r"subject=geometry"))
    expect(page.locator('[data-figure="overall_average"]')).to_have_attribute("data-value", "72.5")
    url = page.url
    page.reload()
    assert page.url == url
    expect(page.get_by_label("Section", exact=True)).to_have_value(str(built["section"]["id"]))
    expect(page.get_by_label("Subject", exact=True)).to_have_value("geometry")
    expect(page.locator('[data-figure="overall_average"]')).to_have_attribute("data-value", "72.5")
    person.wait_live(page)
    assert axe_violations(page) == []


def test_a_student_gets_403_and_another_educator_404(client, people):
    built = fx.build(client)
    student = people.new()
    student.expect_console(r"status of 403")
    page = student.sign_in(built["students"][0])
    response = page.goto("/educator")
    assert response.status == 403
    stranger = people.new()
    stranger.expect_console(r"status of 404")
    page = stranger.sign_in(factories.user("educator"))
    assert page.goto(f"/educator?section={built['section']['id']}").status == 404


def test_csv_and_pdf_exports_arrive_as_downloads(client, people, site_worker, tmp_path):
    from pypdf import PdfReader

    built = fx.build(client)
    person = people.new()
    page = person.wait_live(person.sign_in(built["educator"]))
    with page.expect_download() as csv_download:
        page.get_by_test_id("csv-link").click()
    csv = csv_download.value.path().read_text()
    assert csv.startswith("student_id,name,average") and "Ben" in csv
    page.get_by_role("button", name="PDF").click()
    expect(page.get_by_test_id("pdf-preparing").or_(page.get_by_test_id("pdf-link"))).to_be_visible()
    link = page.get_by_test_id("pdf-link")
    expect(link).to_be_visible(timeout=20_000)  # after export_ready, without a reload
    with page.expect_download() as pdf_download:
        link.click()
    target = tmp_path / "export.pdf"
    pdf_download.value.save_as(target)
    text = "".join(p.extract_text() for p in PdfReader(target).pages)
    assert "Ben" in text or "Math A" in text
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1


def test_a_csv_upload_with_a_bad_row_saves_nothing_then_fixed_moves_the_open_overview(client, people, site_worker):
    built = fx.build(client)
    _ana, ben, cy = built["students"]
    geometry = built["exams"][1]["id"]
    person = people.new()
    overview = person.wait_live(person.sign_in(built["educator"]))
    expect(overview.locator('[data-figure="overall_average"]')).to_have_attribute("data-value", "75.83")
    work = person.new_page()
    work.goto(f"/educator/sections/{built['section']['id']}")
    person.wait_live(work)
    assert axe_violations(work) == []
    card = work.locator(f'[data-exam="{geometry}"]')
    card.get_by_label("Grades as CSV").fill(f"student_id,score\n{ben.id},20\n{cy.id},99\n")
    card.get_by_role("button", name="Upload grades").click()
    expect(card.get_by_test_id("upload-failed")).to_be_visible()
    expect(card.locator('tr[data-line="3"]')).to_contain_text("Must be between 0 and 20.")
    expect(card.locator("tr[data-row-error]")).to_have_count(1)
    grades = client.get(f"/api/v1/educator/exams/{geometry}/grades", headers=auth_for(built["educator"])).get_json()
    assert {g["student_id"]: g["score"] for g in grades["grades"]}.get(cy.id) is None  # nothing saved
    card.get_by_label("Grades as CSV").fill(f"student_id,score\n{ben.id},20\n{cy.id},18\n")
    card.get_by_role("button", name="Upload grades").click()
    expect(card.get_by_test_id("upload-saved")).to_have_text("2 grade(s) saved.")
    expect(overview.locator('[data-figure="overall_average"]')).to_have_attribute("data-value", "85.83", timeout=15_000)
    work.goto(f"/educator/students/{cy.id}")
    assert axe_violations(work) == []
    work.goto("/educator/sections")
    assert axe_violations(work) == []
