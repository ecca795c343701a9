"""The educator's courses pages with Flask's test client: create a course, its modules and
lessons, publish it, announce; the enrolments with each student's progress equal the
service's figures (the summary progress:updated carries); someone else's course is 404,
other roles 403, bad input a readable 422, never a 500."""

import re

from app.extensions import db
from app.models import Course, Lesson
from app.services.academy import summary
from tests import factories
from tests.academy.helpers import complete, enrol, make_course
from tests.web.pages import csrf_token, sign_in

HTMX = {"HX-Request": "true"}


def form(client, path, token, **fields):
    return client.post(path, data={"csrf_token": token, **fields})


def course_id_of(response):
    found = re.search(r"/educator/courses/(\d+)", response.headers["Location"])
    return int(found.group(1))


def test_create_a_course_with_a_module_and_lessons_and_publish_it(client):
    educator = factories.user("educator")
    sign_in(client, educator)
    token = csrf_token(client, "/educator/courses")
    created = form(client, "/educator/courses", token, title="Statistics", description="Means and more.", price="")
    assert created.status_code == 302
    cid = course_id_of(created)
    course = db.session.get(Course, cid)
    assert (course.owner_id, course.title, float(course.price), course.published) == (
        educator.id,
        "Statistics",
        0,
        False,
    )

    module = form(client, f"/educator/courses/{cid}/modules", token, title="Basics")
    assert module.status_code == 302
    mid = int(re.search(r"#module-(\d+)", module.headers["Location"]).group(1))
    first = form(client, f"/educator/courses/{cid}/modules/{mid}/lessons", token, title="Mean", body="Add, divide.")
    lid = int(re.search(r"#lesson-(\d+)", first.headers["Location"]).group(1))
    form(client, f"/educator/courses/{cid}/modules/{mid}/lessons", token, title="Median", published="on")
    edited = form(client, f"/educator/courses/{cid}/lessons/{lid}", token, title="The mean", body="x", position="1")
    assert edited.status_code == 302
    form(client, f"/educator/courses/{cid}/modules/{mid}", token, title="Foundations", position="1")
    assert (
        form(client, f"/educator/courses/{cid}", token, title="Statistics", price="0", published="on").status_code
        == 302
    )

    db.session.expire_all()
    assert db.session.get(Course, cid).published is True
    lesson = db.session.get(Lesson, lid)
    assert (lesson.title, lesson.body, lesson.published) == ("The mean", "x", False)
    page = client.get(f"/educator/courses/{cid}").get_data(as_text=True)
    assert "Foundations" in page and "The mean" in page and "Median" in page
    assert 'data-testid="course-state">published' in page
    listing = client.get("/educator/courses").get_data(as_text=True)
    assert (
        f'data-course="{cid}"' in listing
        and "Statistics" in listing
        and 'aria-current="page" href="/educator/courses"' in listing
    )


def test_the_enrolments_and_progress_equal_the_summary(client):
    educator = factories.user("educator")
    course, lessons, _ = make_course(client, educator, lessons=4)
    ana, ben = factories.user("student", name="Ana"), factories.user("student", name="Ben")
    enrol(client, ana, course["id"])
    enrol(client, ben, course["id"])
    for lesson_id in lessons[:3]:
        complete(client, ana, course["id"], lesson_id)
    complete(client, ben, course["id"], lessons[0])
    sign_in(client, educator)
    part = client.get(f"/educator/courses/{course['id']}/_enrolments").get_data(as_text=True)
    assert "<html" not in part
    figures = summary.compute(course["id"])
    for key in ("enrolled", "active_this_week", "average_progress", "completions"):
        assert f'data-figure="{key}" data-value="{figures[key]}"' in part, key
    assert figures["enrolled"] == 2 and figures["average_progress"] == 50.0  # (75 + 25) / 2
    assert f'<tr data-student="{ana.id}" data-percent="75">' in part and "3 of 4" in part
    assert f'<tr data-student="{ben.id}" data-percent="25">' in part and "1 of 4" in part
    listing = client.get("/educator/courses").get_data(as_text=True)
    assert "50.0 %" in listing


def test_an_announcement_is_sent_and_the_page_says_so(client):
    educator = factories.user("educator")
    course, _, _ = make_course(client, educator)
    sign_in(client, educator)
    cid = course["id"]
    token = csrf_token(client, f"/educator/courses/{cid}")
    sent = form(client, f"/educator/courses/{cid}/announcements", token, title="Quiz on Friday", body="Chapter 2.")
    assert sent.status_code == 302 and "announced=1" in sent.headers["Location"]
    assert 'data-testid="announced"' in client.get(sent.headers["Location"]).get_data(as_text=True)
    empty = form(client, f"/educator/courses/{cid}/announcements", token, title="")
    assert empty.status_code == 422 and "title" in empty.get_data(as_text=True)


def test_bad_input_is_a_readable_422_never_a_500(client):
    educator = factories.user("educator")
    course, _, module_id = make_course(client, educator)
    sign_in(client, educator)
    cid = course["id"]
    token = csrf_token(client, "/educator/courses")
    for path, fields, said in (
        ("/educator/courses", {"title": ""}, "title"),
        ("/educator/courses", {"title": "T", "price": "lots"}, "price"),
        ("/educator/courses", {"title": "x" * 201}, "title"),
        (f"/educator/courses/{cid}", {"title": "T", "price": "-3"}, "price"),
        (f"/educator/courses/{cid}/modules", {"title": "M", "position": "first"}, "position"),
        (f"/educator/courses/{cid}/modules/{module_id}/lessons", {"title": "L", "position": "-1"}, "position"),
    ):
        answer = form(client, path, token, **fields)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422, (path, fields, answer.status_code)
        assert "Please check what you entered" in html and said in html, (path, fields)
    toast = client.post("/educator/courses", data={"csrf_token": token, "title": ""}, headers=HTMX)
    assert toast.status_code == 422 and toast.get_json()["error"]["code"] == "validation_error"
    # a module of another course, a lesson that is not there: the 404 page
    other, _, other_module = make_course(client, educator, title="Other")
    assert form(client, f"/educator/courses/{cid}/modules/{other_module}/lessons", token, title="L").status_code == 404
    assert form(client, f"/educator/courses/{cid}/lessons/999999", token, title="L").status_code == 404
    assert client.post(f"/educator/courses/{cid}", data={"title": "No token"}).status_code == 400


def test_another_educators_course_is_404_and_other_roles_403(client, app):
    owner = factories.user("educator")
    course, lessons, module_id = make_course(client, owner, published=True)
    cid = course["id"]
    stranger = factories.user("educator")
    sign_in(client, stranger)
    assert 'data-course="' not in client.get("/educator/courses").get_data(as_text=True)
    token = csrf_token(client, "/educator/courses")
    for path in (f"/educator/courses/{cid}", f"/educator/courses/{cid}/_enrolments", "/educator/courses/999999"):
        assert client.get(path).status_code == 404, path
    for path, fields in (
        (f"/educator/courses/{cid}", {"title": "Mine now"}),
        (f"/educator/courses/{cid}/modules", {"title": "M"}),
        (f"/educator/courses/{cid}/modules/{module_id}", {"title": "M"}),
        (f"/educator/courses/{cid}/modules/{module_id}/lessons", {"title": "L"}),
        (f"/educator/courses/{cid}/lessons/{lessons[0]}", {"title": "L"}),
        (f"/educator/courses/{cid}/announcements", {"title": "Hello"}),
    ):
        assert form(client, path, token, **fields).status_code == 404, path
    db.session.expire_all()
    assert db.session.get(Course, cid).title == course["title"]
    for role in ("student", "mentor", "admin"):
        other = app.test_client()
        sign_in(other, factories.user(role))
        assert other.get("/educator/courses").status_code == 403, role
        assert other.get(f"/educator/courses/{cid}").status_code == 403, role
    assert app.test_client().get("/educator/courses").status_code in (302, 401)
