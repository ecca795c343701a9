"""The student's pages in Chromium against a real web process: what others do (a mentor's
review, an admin's approval, a group session) shows on the student's open page without a
reload; lessons, certificates and the public check; keyboard-only enrolment and completion;
the phone-sized dashboard; an axe scan of every page."""

import re
import time
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from app.models import utcnow
from app.services.identity import cohorts
from tests import factories
from tests.academy.helpers import enrol, make_course
from tests.helpers import auth_for
from tests.web.browser import axe_violations

ARTIFACTS = Path(__file__).resolve().parents[2] / "tmp" / "artifacts"


def _student():
    return factories.student(mentor=factories.mentor())


def _tab_to(page, name, limit=80):
    """Press Tab until the focused element's accessible text contains `name` (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if name in page.evaluate("document.activeElement && document.activeElement.innerText || ''"):
            return
    raise AssertionError(f"no focusable element named {name!r}")


def test_a_mentors_approval_shows_on_the_students_open_page(people, client):
    student = _student()
    entry = factories.entry(student, title="My first parser")
    person = people.new()
    page = person.sign_in(student)
    page.goto("/student/entries")
    person.wait_live(page)
    assert axe_violations(page) == []
    row = page.locator(f'[data-entry-id="{entry.id}"]')
    expect(row.get_by_test_id("status")).to_have_text("Waiting for review")
    answer = client.patch(
        f"/api/v1/entries/{entry.id}/status", json={"status": "approved"}, headers=auth_for(student.mentor)
    )
    assert answer.status_code == 200
    expect(row.get_by_test_id("status")).to_have_text("Approved")
    page.get_by_role("link", name="My first parser").click()
    person.wait_live(page)
    assert axe_violations(page) == []
    page.get_by_label("Add a comment").fill("Thanks!")
    page.get_by_role("button", name="Comment").click()
    expect(page.get_by_test_id("comments")).to_contain_text("Thanks!")


def test_completing_lessons_moves_the_bar_and_the_certificate_verifies_without_sign_in(people, client, site_worker):
    student = _student()
    educator = factories.user("educator")
    course, lessons, _ = make_course(client, educator, lessons=2, title="Testing in Python")
    enrol(client, student, course["id"])
    person = people.new()
    page = person.sign_in(student)
    page.goto(f"/student/courses/{course['id']}")
    person.wait_live(page)
    assert axe_violations(page) == []
    bar = page.get_by_role("progressbar")
    expect(bar).to_have_attribute("aria-valuenow", "0")
    _tab_to(page, "Mark “Lesson 1” complete")  # keyboard only: Tab to it, Enter
    page.keyboard.press("Enter")
    expect(bar).to_have_attribute("aria-valuenow", "50")
    # an educator's change to the course shows as a notice (course:updated), focus stays put
    announced = client.post(
        f"/api/v1/courses/{course['id']}/announcements", json={"title": "New exercise"}, headers=auth_for(educator)
    )
    assert announced.status_code == 201
    expect(page.get_by_test_id("course-changed")).to_be_visible()
    page.get_by_role("link", name="Lesson 2").click()
    person.wait_live(page)
    page.get_by_role("button", name="Mark “Lesson 2” complete").click()
    expect(page.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    # the certificate job runs in the worker; certificate:issued refreshes the region
    expect(page.get_by_test_id("certificate")).to_be_visible(timeout=20_000)
    page.get_by_role("link", name="See your certificate").click()
    assert axe_violations(page) == []
    link = page.get_by_test_id("verify-link").get_attribute("href")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download PDF")).click()
    assert download.value.suggested_filename.startswith("certificate-")
    stranger = people.new()  # a fresh context: no cookie, never signed in
    stranger.page.goto(link)
    expect(stranger.page.get_by_test_id("verify-result")).to_contain_text("This certificate is genuine.")
    expect(stranger.page.get_by_test_id("verify-name")).to_have_text(student.name)
    expect(stranger.page.get_by_test_id("verify-course")).to_have_text("Testing in Python")
    assert axe_violations(stranger.page) == []


def test_a_paid_course_turns_enrolled_when_an_admin_approves(people, client):
    student = _student()
    course, _, _ = make_course(client, factories.user("educator"), price=40, title="Paid course")
    person = people.new()
    page = person.sign_in(student)
    page.goto("/student/courses")
    person.wait_live(page)
    expect(page.get_by_test_id("empty-courses")).to_be_visible()
    assert axe_violations(page) == []
    _tab_to(page, "Enrol in Paid course")  # keyboard-only enrolment
    page.keyboard.press("Enter")
    card = page.get_by_test_id("course-card")
    expect(card).to_contain_text("This course costs 40.00")
    page.get_by_label("Payment reference for Paid course").fill("BANK-123")
    page.get_by_label("Payment reference for Paid course").press("Enter")
    expect(card.get_by_test_id("waiting")).to_contain_text("waiting for approval")
    admin = factories.admin()
    payment = client.get("/api/v1/admin/payments", headers=auth_for(admin)).get_json()["items"][0]
    assert client.post(f"/api/v1/admin/payments/{payment['id']}/approve", headers=auth_for(admin)).status_code == 200
    expect(card).to_have_attribute("data-status", "active")
    expect(card.get_by_test_id("enrolled")).to_contain_text("Enrolled")
    assert axe_violations(page) == []


def test_joining_an_open_cohort_then_its_group_session_appears_live(people, client):
    student = _student()
    cohort = cohorts.create_cohort("Evening cohort", is_open=True)
    person = people.new()
    page = person.sign_in(student)
    person.wait_live(page)
    expect(page.get_by_test_id("no-cohort")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Join Evening cohort").click()
    expect(page.get_by_test_id("no-cohort")).to_have_count(0)
    start = utcnow().replace(second=0, microsecond=0) + timedelta(minutes=5)
    if start.date() != utcnow().date():  # just before midnight: keep it today
        start = utcnow().replace(second=0, microsecond=0)
    time.sleep(0.5)  # the socket's move into the cohort room follows the join's commit
    answer = client.post(
        "/api/v1/schedules",
        json={
            "title": "Group review",
            "start_time": start.isoformat(),
            "end_time": (start + timedelta(minutes=30)).isoformat(),
            "cohort_id": cohort.id,
        },
        headers=auth_for(student.mentor),
    )
    assert answer.status_code == 201, answer.get_json()
    expect(page.get_by_test_id("schedule")).to_contain_text("Group review")


def test_crisis_types_cannot_be_turned_off_from_the_page(people):
    from app.services.notifications import preferences

    student = _student()
    person = people.new()
    page = person.sign_in(student)
    page.goto("/student/settings")
    person.wait_live(page)
    assert axe_violations(page) == []
    crisis = page.get_by_label("crisis alert by email (always on)")
    expect(crisis).to_be_checked()
    expect(crisis).to_be_disabled()
    page.get_by_label("comment added by email").uncheck()
    page.get_by_role("button", name="Save notifications").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(page.get_by_label("crisis alert by email (always on)")).to_be_checked()
    prefs = preferences.get(student)
    assert prefs["types"]["crisis_alert"]["email"] is True and prefs["types"]["comment_added"]["email"] is False


def test_the_dashboard_fits_a_phone(people):
    student = _student()
    factories.cohort(student)
    factories.task(student, title="Finish the README")
    person = people.new()
    page = person.page
    page.set_viewport_size({"width": 390, "height": 844})
    person.sign_in(student)
    person.wait_live(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"horizontal scroll of {overflow}px"
    expect(page.get_by_test_id("primary-action")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Menu")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "student-dashboard-390x844.png"), full_page=True)
    assert axe_violations(page) == []
