"""The mentor's schedules, insights drawer and missed-message report in Chromium, signed in
through /login against a real web process (and worker, for the insights job): book a group
session, edit it, mark attendance; open a student's insights drawer (partial, then full);
report a missed message from the drawer and from the alert page; axe on each page."""

import re
from pathlib import Path

from playwright.sync_api import expect

from app.extensions import db
from app.models import Attendance, MissedCrisisReport, Schedule, StudentPerformanceSummary
from tests import factories
from tests.web.browser import axe_violations
from tests.web.test_browser_mentor import post_crisis, settled

DAY = "2031-03-12"
ARTIFACTS = Path(__file__).resolve().parents[2] / "tmp" / "artifacts"


def shot(page, name):
    """A screenshot for a person to look at (tmp/artifacts/, not checked)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def mentor_with_cohort():
    mentor = factories.mentor()
    ada = factories.student(mentor=mentor, name="Ada Lovelace")
    alan = factories.student(mentor=mentor, name="Alan Turing")
    cohort = factories.cohort(ada, alan, name="Spring cohort")
    return mentor, ada, alan, cohort


def test_book_a_group_session_edit_it_and_mark_attendance(people):
    mentor, ada, alan, cohort = mentor_with_cohort()
    person = people.new()
    person.expect_console(r"status of 422")  # the refused form (end before start) is part of the test
    page = settled(person, person.sign_in(mentor))
    page.get_by_role("link", name="Schedules").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your day")
    page.get_by_label("Go to date").fill(DAY)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("schedule-date")).to_have_text("Wednesday 12 March 2031")
    expect(page.get_by_test_id("schedule-empty")).to_be_visible()
    assert axe_violations(page) == []

    page.get_by_role("link", name="New session").click()
    expect(page.get_by_label("Cohort (group session)")).to_be_hidden()  # 1:1 is chosen
    page.get_by_label("Title").fill("Project clinic")
    page.get_by_label("Group session for a cohort").check()
    page.get_by_label("Cohort (group session)").select_option(label="Spring cohort")
    expect(page.get_by_label("Student (1:1)")).to_be_hidden()
    page.get_by_label("Starts").fill("15:00")
    page.get_by_label("Ends").fill("14:00")  # before the start: refused, readably
    assert page.get_by_label("Day").input_value() == DAY
    assert axe_violations(page) == []
    page.get_by_role("button", name="Book session").click()
    expect(page.get_by_test_id("error-end")).to_have_text("The end must be after the start.")
    shot(page, "mentor-schedule-form-error.png")
    expect(page.get_by_label("Ends")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Title")).to_have_value("Project clinic")
    page.get_by_label("Ends").fill("16:30")
    page.get_by_role("button", name="Book session").click()
    expect(page.get_by_test_id("saved")).to_have_text("Session booked.")
    expect(page.get_by_test_id("session")).to_contain_text("Group: Spring cohort")
    expect(page.get_by_test_id("session")).to_contain_text("15:00–16:30")

    page.get_by_role("link", name="Edit session").click()
    expect(page.get_by_label("Cohort (group session)")).to_have_value(str(cohort.id))
    page.get_by_label("Title").fill("Project clinic (moved)")
    page.get_by_label("Starts").fill("17:00")
    page.get_by_label("Ends").fill("18:00")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("saved")).to_have_text("Changes saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Project clinic (moved)")
    expect(page.get_by_test_id("session")).to_contain_text("17:00–18:00")

    page.get_by_label("Present: Ada Lovelace").check()
    page.get_by_label("Late: Alan Turing").check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_test_id("saved")).to_have_text("Attendance saved.")
    expect(page.get_by_label("Present: Ada Lovelace")).to_be_checked()
    expect(page.get_by_test_id("attendance")).to_contain_text("Marked late")
    db.session.expire_all()
    s = db.session.query(Schedule).one()
    assert (s.title, s.cohort_id, s.is_group) == ("Project clinic (moved)", cohort.id, True)
    marks = {a.student_id: a.status for a in db.session.query(Attendance).filter_by(schedule_id=s.id)}
    assert marks == {ada.id: "present", alan.id: "late"}

    page.get_by_role("link", name=re.compile("Wednesday 12 March")).click()
    item = page.get_by_test_id("schedule-item")
    expect(item).to_contain_text("Project clinic (moved)")
    expect(item).to_contain_text("17:00–18:00")
    expect(page.locator('[data-hour="17:00"] [data-testid="schedule-item"]')).to_have_count(1)
    shot(page, "mentor-schedule-day.png")


def test_the_day_view_follows_a_session_booked_elsewhere(people):
    mentor, ada, _, _ = mentor_with_cohort()
    person = people.new()
    page = person.sign_in(mentor)
    page.goto(f"/mentor/schedules?date={DAY}")
    settled(person, page)
    other = people.new(storage_state=person.storage_state())
    tab = other.page
    tab.goto(f"/mentor/schedules/new?date={DAY}")
    tab.get_by_label("Title").fill("Booked in another tab")
    tab.get_by_label("Student (1:1)").select_option(label="Ada Lovelace")
    tab.get_by_role("button", name="Book session").click()
    expect(tab.get_by_test_id("saved")).to_be_visible()
    expect(page.get_by_test_id("schedule-item")).to_contain_text("Booked in another tab", timeout=5_000)


def _at_risk(student):
    db.session.add(StudentPerformanceSummary(student_id=student.id, average=41.0, at_risk_reasons=["below_pass_mark"]))
    db.session.commit()


def test_the_insights_drawer_loads_partial_then_full_and_reports_a_missed_message(people, site_worker):
    mentor, ada, _, _ = mentor_with_cohort()
    quiet = factories.intent(ada, "gave my headphones and my notes away today, wont need them")
    _at_risk(ada)
    person = people.new()
    page = settled(person, person.sign_in(mentor))
    expect(page.locator(f'tr[data-student-id="{ada.id}"] [data-testid="at-risk"]')).to_contain_text(
        "average below the pass mark"
    )
    answers = []
    page.on("response", lambda r: answers.append(r) if "/_drawer" in r.url or "/_insights" in r.url else None)
    link = page.get_by_role("link", name="Ada Lovelace: insights")
    link.focus()
    page.keyboard.press("Enter")  # keyboard alone
    drawer = page.get_by_role("dialog", name="Insights: Ada Lovelace")
    expect(drawer).to_be_visible()
    assert page.url.endswith("/mentor")  # a drawer, not a navigation
    expect(drawer.get_by_test_id("freshness")).to_have_attribute("data-partial", "false", timeout=15_000)
    expect(drawer.get_by_test_id("freshness")).to_contain_text(re.compile(r"Updated (just now|\d+ min ago)"))
    first = next(r for r in answers if "/_drawer" in r.url)
    assert 'data-partial="true"' in first.text()  # quick figures first, then the full ones
    expect(drawer.get_by_test_id("at-risk")).to_contain_text("average below the pass mark (60%)")
    assert axe_violations(page) == []

    drawer.get_by_role("link", name="Report a missed message").click()
    expect(drawer.get_by_label("Message", exact=True)).to_be_focused()
    drawer.get_by_label("Message", exact=True).select_option(value=str(quiet.id))
    drawer.get_by_label("What it signals").select_option(value="preparatory_behaviour")
    drawer.get_by_label("Note (optional)").fill("She said goodbye to her friends too")
    assert axe_violations(page) == []
    drawer.get_by_role("button", name="Report message").click()
    expect(drawer.get_by_test_id("missed-done")).to_contain_text("Reported. Thank you")
    shot(page, "mentor-insights-drawer.png")
    db.session.expire_all()
    report = db.session.query(MissedCrisisReport).one()
    assert (report.intent_id, report.category, report.reporter_id) == (quiet.id, "preparatory_behaviour", mentor.id)

    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()
    expect(page.get_by_role("link", name="Ada Lovelace: insights")).to_be_focused()


def test_report_a_missed_message_from_the_alert_page(site, people):
    mentor, ada, _, _ = mentor_with_cohort()
    quiet = factories.intent(ada, "the bridge near school is high enough i think")
    alert_id = post_crisis(site, ada)
    person = people.new()
    page = settled(person, person.sign_in(mentor))
    page.goto(f"/mentor/alerts/{alert_id}")
    settled(person, page)
    page.get_by_role("link", name="Report a missed message").click()
    expect(page.get_by_label("Message", exact=True)).to_be_focused()
    page.get_by_role("button", name="Report message").click()  # nothing chosen: said beside the fields
    expect(page.get_by_text("Choose the message that should have alerted.")).to_be_visible()
    page.get_by_label("Message", exact=True).select_option(value=str(quiet.id))
    page.get_by_label("What it signals").select_option(value="method_or_means")
    page.get_by_role("button", name="Report message").click()
    expect(page.get_by_test_id("missed-done")).to_be_visible()
    assert axe_violations(page) == []
    db.session.expire_all()
    assert db.session.query(MissedCrisisReport).one().intent_id == quiet.id
