"""The mentor's console in Chromium against a real web process: a crisis POSTed by the
chatbot appears live, acknowledge and resolve reach every tab, the bell agrees across
tabs, a killed socket catches up once, who may open what, CSRF, accessibility."""

import re
import time

import pytest
import requests
from playwright.sync_api import expect

from tests import factories
from tests.helpers import CHATBOT_KEY
from tests.web.browser import axe_violations

BANNER = '#crisis-banner [data-testid="crisis-alert"]'


def post_crisis(site, student, message="I keep thinking about killing myself"):
    """The chatbot's POST, over HTTP to the web process, with the service key."""
    body = {"student_id": student.id, "message": message, "intent": "crisis", "confidence": 0.95}
    answer = requests.post(
        f"{site}/api/v1/chatbot/intents", json=body, headers={"X-Chatbot-Key": CHATBOT_KEY}, timeout=10
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["alert"]["id"]


def settled(person, page):
    """Live, and the refresh every connect makes has landed (so a click is not lost in a swap)."""
    person.wait_live(page)
    page.wait_for_load_state("networkidle")
    return page


def mentor_with_student():
    mentor = factories.mentor()
    return mentor, factories.student(mentor=mentor)


def test_a_crisis_posted_by_the_chatbot_appears_on_the_open_page_without_navigation(site, people):
    mentor, student = mentor_with_student()
    person = people.new()
    page = settled(person, person.sign_in(mentor))
    expect(page.locator(BANNER)).to_have_count(0)
    started = time.monotonic()
    post_crisis(site, student)
    page.wait_for_selector(BANNER, state="visible")
    delay = time.monotonic() - started
    print(f"\ncrisis POST -> banner visible: {delay * 1000:.0f} ms")
    banner = page.locator(BANNER)
    expect(banner).to_contain_text(student.name)
    expect(banner).to_contain_text("killing myself")
    expect(banner).to_contain_text("Told: you")
    expect(page).to_have_title(re.compile(r"^\(1\) "))
    expect(page.locator("#live-assertive")).to_contain_text(f"Crisis alert: {student.name}")
    expect(page.locator("#bell-count")).to_have_attribute("data-count", "1")
    assert page.url.endswith("/mentor")  # no navigation
    assert delay < 5  # the goal is under 1 s (printed above); a loaded CI machine gets slack


def test_acknowledge_in_one_tab_changes_the_other_and_the_banner_leaves_both(site, people):
    mentor, student = mentor_with_student()
    alert_id = post_crisis(site, student)
    first = people.new()
    tab_a = settled(first, first.sign_in(mentor))
    second = people.new(storage_state=first.storage_state())
    tab_b = second.page
    tab_b.goto(f"/mentor/alerts/{alert_id}")
    settled(second, tab_b)
    expect(tab_a.locator(BANNER)).to_have_count(1)
    expect(tab_b.locator(BANNER)).to_have_count(1)
    tab_a.locator(BANNER).get_by_role("button", name="Acknowledge").click()
    expect(tab_a.locator(BANNER)).to_have_count(0)
    expect(tab_b.locator(BANNER)).to_have_count(0, timeout=2_000)
    expect(tab_b.get_by_test_id("alert-status")).to_have_text("acknowledged", timeout=2_000)
    expect(tab_b.get_by_test_id("steps")).to_contain_text("acknowledged")
    expect(tab_a).not_to_have_title(re.compile(r"^\("))


@pytest.mark.parametrize("outcome", ["Supported", "Referred", "False alarm"])
def test_resolve_from_the_banner_with_each_outcome(site, people, outcome):
    mentor, student = mentor_with_student()
    alert_id = post_crisis(site, student)
    person = people.new()
    page = settled(person, person.sign_in(mentor))
    banner = page.locator(BANNER)
    banner.locator("summary").click()
    banner.get_by_label(outcome).check()
    banner.get_by_label("Note (what was done)").fill(f"Handled: {outcome}")
    banner.get_by_role("button", name="Resolve", exact=True).click()
    expect(page.locator(BANNER)).to_have_count(0)
    page.goto(f"/mentor/alerts/{alert_id}")
    expect(page.get_by_test_id("alert-status")).to_have_text("resolved")
    expect(page.get_by_test_id("alert-outcome")).to_have_text(outcome.lower())


def test_resolve_from_the_alert_page_needs_a_note(site, people):
    mentor, student = mentor_with_student()
    alert_id = post_crisis(site, student)
    person = people.new()
    page = settled(person, person.sign_in(mentor))
    page.goto(f"/mentor/alerts/{alert_id}")
    settled(person, page)
    detail = page.locator("#alert-detail")
    detail.get_by_label("Referred").check()
    detail.get_by_label("Note (what was done)").fill("Passed to the counselling service")
    detail.get_by_role("button", name="Resolve", exact=True).click()
    expect(page.get_by_test_id("alert-outcome")).to_have_text("referred")
    expect(page.get_by_test_id("trigger")).to_contain_text("Chatbot label")


def test_mark_read_and_mark_all_read_change_the_badge_in_a_second_tab(people):
    mentor = factories.mentor()
    for i in range(3):
        factories.notification(mentor, title=f"Note {i}")
    first = people.new()
    tab_a = settled(first, first.sign_in(mentor))
    second = people.new(storage_state=first.storage_state())
    tab_b = second.page
    tab_b.goto("/mentor")
    settled(second, tab_b)
    badge_b = tab_b.locator("#bell-count")
    expect(badge_b).to_have_attribute("data-count", "3")
    expect(badge_b).to_have_text(re.compile("3 unread notifications"))
    tab_a.locator("#bell-button").click()
    tab_a.locator("#inbox-list .inbox-read").first.click()
    expect(tab_a.locator("#bell-count")).to_have_attribute("data-count", "2")
    expect(badge_b).to_have_attribute("data-count", "2", timeout=2_000)
    tab_a.get_by_role("button", name="Mark all read").click()
    expect(tab_a.locator("#bell-count")).to_have_attribute("data-count", "0")
    expect(badge_b).to_have_attribute("data-count", "0", timeout=2_000)
    expect(badge_b).to_be_hidden()


def test_a_new_notification_while_the_bell_is_open_waits_behind_a_pill(site, people):
    mentor, student = mentor_with_student()
    factories.notification(mentor, title="Older one")
    person = people.new()
    page = settled(person, person.sign_in(mentor))
    page.locator("#bell-button").click()
    expect(page.locator("#inbox-list")).to_contain_text("Older one")
    post_crisis(site, student)
    expect(page.locator("#bell-new")).to_have_text("1 new")
    expect(page.locator("#inbox-list [data-testid=inbox-item]")).to_have_count(1)  # not pushed under the reader
    page.locator("#bell-new").click()
    expect(page.locator("#inbox-list [data-testid=inbox-item]")).to_have_count(2)
    expect(page.locator("#bell-new")).to_be_hidden()


def test_a_crisis_sent_while_the_socket_is_down_is_shown_after_reconnect_once(site, people):
    mentor, student = mentor_with_student()
    person = people.new()
    page = settled(person, person.sign_in(mentor))
    page.evaluate("window.Live.socket.io.engine.close()")
    expect(page.locator("#live-status")).to_have_text("Offline")
    post_crisis(site, student)
    expect(page.locator("#live-status")).to_have_text("Live", timeout=15_000)
    expect(page.locator(BANNER)).to_have_count(1)
    expect(page.locator("#bell-count")).to_have_attribute("data-count", "1")
    page.wait_for_timeout(500)  # any late duplicate would have landed by now
    expect(page.locator(BANNER)).to_have_count(1)


def test_a_student_gets_403_and_another_mentors_student_is_404(people):
    mentor, _ = mentor_with_student()
    other_student = factories.student(mentor=factories.mentor())
    student = people.new()
    student.expect_console(r"status of 403")
    page = student.sign_in(factories.student())
    assert page.goto("/mentor").status == 403
    person = people.new()
    person.expect_console(r"status of 404")
    page = person.sign_in(mentor)
    assert page.goto(f"/mentor/students/{other_student.id}").status == 404


def test_a_state_change_without_the_csrf_token_is_refused(site, people):
    mentor, student = mentor_with_student()
    alert_id = post_crisis(site, student)
    person = people.new()
    person.expect_console(r"status of 400")  # the refusal is the point
    page = settled(person, person.sign_in(mentor))
    status = page.evaluate(
        """(url) => fetch(url, {method: "POST", headers: {"HX-Request": "true"}}).then((r) => r.status)""",
        f"/mentor/alerts/{alert_id}/acknowledge",
    )
    assert status == 400
    expect(page.locator(BANNER)).to_have_count(1)


def test_mentor_pages_have_no_serious_accessibility_violation(site, people):
    mentor, student = mentor_with_student()
    factories.notification(mentor, title="Something to read")
    alert_id = post_crisis(site, student)
    person = people.new()
    page = settled(person, person.sign_in(mentor))
    for path in ("/mentor", "/mentor/alerts", f"/mentor/alerts/{alert_id}", f"/mentor/students/{student.id}"):
        page.goto(path)
        settled(person, page)
        assert axe_violations(page) == [], path
    page.locator("#bell-button").click()
    expect(page.locator("#inbox-list")).to_contain_text("Something to read")
    assert axe_violations(page) == []
