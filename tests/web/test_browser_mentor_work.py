"""The mentor's work pages in Chromium against a real web process: an entry a student
submits appears on the open list and is approved; changes are requested with a comment
(and refused without one, readably); a task is assigned (after a form with errors) and
marked done; an activity item appears on the open feed without a reload; another
mentor's student's entry is 404; axe on every page; the review by keyboard alone."""

import re

from playwright.sync_api import expect

from tests import factories
from tests.helpers import auth_for
from tests.web.browser import axe_violations


def settled(person, page):
    """Live, and the refresh every connect makes has landed (so a click is not lost in a swap)."""
    person.wait_live(page)
    page.wait_for_load_state("networkidle")
    return page


def mentor_with_student():
    mentor = factories.mentor()
    return mentor, factories.student(mentor=mentor)


def submit_entry(client, student, title):
    """The student's own POST through the API (so the live events go out as in production)."""
    answer = client.post("/api/v1/entries", json={"title": title, "body": "What I did"}, headers=auth_for(student))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["entry"]["id"]


def test_a_submitted_entry_appears_live_and_is_approved(people, client):
    mentor, student = mentor_with_student()
    person = people.new()
    page = person.sign_in(mentor)
    page.get_by_role("link", name="Entries").click()
    settled(person, page)
    expect(page.get_by_test_id("entries-empty")).to_contain_text("Nothing waiting for your review")
    assert axe_violations(page) == []
    entry_id = submit_entry(client, student, "My first parser")
    row = page.locator(f'[data-entry-id="{entry_id}"]')
    expect(row).to_contain_text(student.name)  # no reload: the list refreshed on entry:created
    row.get_by_role("link", name="My first parser").click()
    settled(person, page)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#entry").get_by_test_id("status")).to_have_text("Approved")
    expect(page.get_by_test_id("history")).to_contain_text(f"pending → approved by {mentor.name}")
    page.get_by_role("link", name="← Entries to review").click()
    expect(page.get_by_test_id("entries-empty")).to_be_visible()


def test_request_changes_needs_a_comment_then_sends_it(people, client):
    mentor, student = mentor_with_student()
    entry_id = submit_entry(client, student, "Draft essay")
    person = people.new()
    page = person.sign_in(mentor)
    page.goto(f"/mentor/entries/{entry_id}")
    settled(person, page)
    person.expect_console(r"status of 422|Error Code 422")  # the refusal without a comment is the point
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_test_id("review-error")).to_have_text(re.compile("Say what should change"))
    expect(page.locator("#entry").get_by_test_id("status")).to_have_text("Waiting for review")
    page.get_by_label("Comment (required when you request changes)").fill("Please add a conclusion")
    page.get_by_role("button", name="Request changes").click()
    expect(page.locator("#entry").get_by_test_id("status")).to_have_text("Changes requested")
    expect(page.get_by_test_id("comments")).to_contain_text("Please add a conclusion")
    expect(page.get_by_test_id("review-error")).to_have_text("")
    expect(page.get_by_label("Comment (required when you request changes)")).to_have_value("")


def test_review_by_keyboard_alone(people, client):
    mentor, student = mentor_with_student()
    entry_id = submit_entry(client, student, "Keyboard entry")
    person = people.new()
    page = person.sign_in(mentor)
    page.goto(f"/mentor/entries/{entry_id}")
    settled(person, page)
    page.get_by_label("Comment (required when you request changes)").focus()
    page.keyboard.type("Well done")
    for _ in range(3):  # textarea -> Approve
        if page.evaluate("document.activeElement.textContent") == "Approve":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Approve"
    page.keyboard.press("Enter")
    expect(page.locator("#entry").get_by_test_id("status")).to_have_text("Approved")
    expect(page.get_by_test_id("comments")).to_contain_text("Well done")


def test_assign_a_task_after_fixing_the_form_then_mark_it_done(people):
    mentor, student = mentor_with_student()
    person = people.new()
    page = person.sign_in(mentor)
    page.get_by_role("link", name="Tasks").click()
    settled(person, page)
    expect(page.get_by_test_id("tasks-empty")).to_be_visible()
    assert axe_violations(page) == []
    person.expect_console(r"status of 422")  # the form with errors is part of the test
    page.get_by_label("Estimated hours (optional)").fill("lots")
    page.get_by_role("button", name="Assign task").click()
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    expect(page.get_by_test_id("error-student_id")).to_have_text("Choose a student.")
    expect(page.get_by_test_id("error-title")).to_have_text("Give the task a title.")
    expect(page.get_by_test_id("error-est_hours")).to_contain_text("Hours as a number")
    expect(page.get_by_label("Estimated hours (optional)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Student")).to_be_focused()  # the first bad field, ready to fix
    assert axe_violations(page) == []
    page.get_by_label("Student").select_option(label=student.name)
    page.get_by_label("Title").fill("Read chapter 3")
    page.get_by_label("Estimated hours (optional)").fill("1.5")
    page.get_by_label(re.compile(r"^Due date")).fill("2030-01-31")
    page.get_by_role("button", name="Assign task").click()
    expect(page.get_by_test_id("created")).to_contain_text("Read chapter 3")
    settled(person, page)
    row = page.locator("#tasks li", has_text="Read chapter 3")
    expect(row).to_contain_text("31 Jan 2030")
    row.get_by_role("button", name=re.compile(r"^Mark done\W+Read chapter 3$")).click()
    expect(page.get_by_test_id("tasks-empty")).to_contain_text("No open tasks")
    page.get_by_role("link", name="Done", exact=True).click()
    expect(page.locator("#tasks li", has_text="Read chapter 3").get_by_test_id("task-status")).to_have_text("done")


def test_an_activity_item_appears_on_the_open_feed(people, client):
    mentor, student = mentor_with_student()
    person = people.new()
    page = person.sign_in(mentor)
    page.get_by_role("link", name="Activity").click()
    settled(person, page)
    expect(page.get_by_test_id("activity-empty")).to_be_visible()
    assert axe_violations(page) == []
    submit_entry(client, student, "Live one")
    feed = page.get_by_test_id("activity")
    expect(feed).to_contain_text(f"{student.name} submitted an entry “Live one”")
    submit_entry(client, student, "Live two")
    expect(feed.locator("li").first).to_contain_text("Live two")  # newest first, added on top
    expect(feed.locator("li[data-activity-id]")).to_have_count(2)
    expect(page.locator("#live-polite")).to_contain_text("1 new activity")
    assert page.url.endswith("/mentor/activity")  # no navigation
    # a filter that does not match: the next item is not added
    page.get_by_label("Type").select_option(label="Task assigned")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"type=task"))
    settled(person, page)
    submit_entry(client, student, "Filtered out")
    expect(page.get_by_test_id("activity-empty")).to_contain_text("Nothing of this type")
    feed_link = page.get_by_role("link", name="Activity")
    feed_link.click()
    expect(page.get_by_test_id("activity").locator("li[data-activity-id]")).to_have_count(3)


def test_a_student_is_refused_and_another_mentors_students_entry_is_404(people):
    mentor = factories.mentor()
    other_student = factories.student(mentor=factories.mentor())
    entry = factories.entry(other_student)
    student = people.new()
    page = student.sign_in(factories.student(mentor=mentor))
    student.expect_console(r"status of 403")
    for path in ("/mentor/entries", "/mentor/tasks", "/mentor/activity"):
        assert page.goto(path).status == 403
    person = people.new()
    page = person.sign_in(mentor)
    person.expect_console(r"status of 404")
    assert page.goto(f"/mentor/entries/{entry.id}").status == 404
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()


def test_load_more_and_a_new_item_waits_behind_a_pill_while_the_reader_is_scrolled_down(people, client):
    from app.services.portal import entries as entry_service

    mentor, student = mentor_with_student()
    for i in range(25):
        entry_service.create(student, title=f"Old {i}")
    person = people.new()
    page = person.sign_in(mentor)
    page.goto("/mentor/activity")
    settled(person, page)
    items = page.get_by_test_id("activity").locator("li[data-activity-id]")
    expect(items).to_have_count(20)
    page.get_by_role("button", name="Load more").click()
    expect(items).to_have_count(25)
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    submit_entry(client, student, "Arrived while reading")
    pill = page.locator("#activity-new")
    expect(pill).to_have_text("1 new")
    expect(items).to_have_count(25)  # nothing moved under the reader
    pill.click()
    expect(items).to_have_count(26)
    expect(items.first).to_contain_text("Arrived while reading")
    expect(pill).to_be_hidden()
