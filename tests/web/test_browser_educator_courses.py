"""The educator's courses in Chromium against a real web process and worker, signed in
through /login: create a course, a module and lessons, publish; an announcement reaches an
enrolled student's open course page live; a lesson completed through the API moves the
educator's open figures and the student's row without a reload. A student gets 403,
another educator 404; no serious accessibility violation."""

from playwright.sync_api import expect

from app.services.academy import summary
from tests import factories
from tests.academy.helpers import complete, enrol
from tests.web.browser import axe_violations


def test_an_educator_builds_a_course_announces_and_watches_progress_live(client, people, site_worker):
    educator = factories.user("educator", name="Edda Educator")
    teacher = people.new()
    page = teacher.wait_live(teacher.sign_in(educator))
    page.get_by_role("link", name="Courses", exact=True).click()
    page.wait_for_url("**/educator/courses")
    assert axe_violations(page) == []
    page.get_by_label("Title").fill("Probability")
    page.get_by_label("Description").fill("Dice, coins and cards.")
    page.get_by_label("Published").check()
    page.get_by_role("button", name="Create the course").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Probability")
    course_id = int(page.url.rsplit("/", 1)[1])

    page.get_by_label("New module title").fill("Counting")
    page.get_by_role("button", name="Add the module").click()
    for title in ("Permutations", "Combinations"):
        page.get_by_text("New lesson", exact=False).first.click()
        page.get_by_label("Lesson title").last.fill(title)
        page.get_by_label("Lesson text").last.fill(f"All about {title.lower()}.")
        page.get_by_label("Published").last.check()
        page.get_by_role("button", name="Add the lesson").click()
        expect(page.locator("[data-lesson]", has_text=title)).to_have_count(1)
    teacher.wait_live(page)
    assert axe_violations(page) == []

    # a student enrols (free course) and opens it
    student = factories.user("student", name="Sam Student")
    enrol(client, student, course_id)
    learner = people.new()
    spage = learner.sign_in(student)
    spage.goto(f"/student/courses/{course_id}")
    learner.wait_live(spage)

    # the announcement, sent from the page, shows on the student's open page
    page.reload()
    teacher.wait_live(page)
    page.get_by_label("Announcement title").fill("Quiz on Friday")
    page.get_by_label("Message").fill("Bring a calculator.")
    page.get_by_role("button", name="Send the announcement").click()
    expect(page.get_by_test_id("announced")).to_be_visible()
    expect(spage.get_by_test_id("announcement")).to_contain_text("Quiz on Friday")
    expect(spage.get_by_test_id("announcement")).to_contain_text("Bring a calculator.")

    # progress through the API: the educator's open figures move without a reload
    teacher.wait_live(page)
    row = page.locator(f'#enrolments tr[data-student="{student.id}"]')
    expect(row).to_have_attribute("data-percent", "0")
    page.evaluate("window.stillHere = true")
    lessons = [int(x) for x in page.locator("[data-lesson]").evaluate_all("els => els.map(e => e.dataset.lesson)")]
    complete(client, student, course_id, lessons[0])
    expect(row).to_have_attribute("data-percent", "50", timeout=15_000)
    expect(page.locator('[data-figure="average_progress"]')).to_have_attribute("data-value", "50.0")
    assert page.evaluate("window.stillHere") is True  # never reloaded
    figures = summary.compute(course_id)
    for key in ("enrolled", "active_this_week", "average_progress", "completions"):
        assert page.locator(f'[data-figure="{key}"]').get_attribute("data-value") == str(figures[key]), key
    expect(row).to_contain_text("1 of 2")


def test_a_student_gets_403_and_another_educator_404(client, people):
    from tests.academy.helpers import make_course

    owner = factories.user("educator")
    course, _, _ = make_course(client, owner)
    student = people.new()
    student.expect_console(r"status of 403")
    page = student.sign_in(factories.user("student"))
    assert page.goto("/educator/courses").status == 403
    assert page.goto(f"/educator/courses/{course['id']}").status == 403
    stranger = people.new()
    stranger.expect_console(r"status of 404")
    page = stranger.sign_in(factories.user("educator"))
    response = page.goto(f"/educator/courses/{course['id']}")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_contain_text("Page not found")
    assert axe_violations(page) == []
